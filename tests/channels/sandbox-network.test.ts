import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagingProviderFor } from '../../activities/channels/registry';
import { KEYWORD_REPLIES } from '../../activities/messaging/compliance';
import { sendOutbound } from '../../activities/messaging/outbound';
import type { MessagingProvider } from '../../activities/providers/types';
import { Secrets } from '../../api/crypto/secrets';
import type { Flow } from '../../flow';
import { toJson } from '../../prisma/json';
import { bundleWorkflows } from '../../worker/bundle';
import { createWorker } from '../../worker/create-worker';
import {
  type ApiTestServer,
  auth,
  startApiTestServer,
  stopApiTestServer,
  TASK_QUEUE,
  TEST_ENCRYPTION_KEY,
} from '../helpers/app';
import { publish, seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';

/**
 * The `npm start` default: a sandbox SMS channel whose simulated customers answer through the
 * same webhook route and signature check as Twilio's. The worker's public URL is the listening
 * API, so delivery receipts and replies arrive over HTTP, signed with the channel's token.
 */
let server: ApiTestServer;
let worker: Worker;
let running: Promise<void>;
let baseUrl: string;

beforeAll(async () => {
  // The app first, then the workflow bundle: both are CPU-heavy, and the app's plugins must load
  // within Fastify's plugin timeout even on a busy machine.
  server = await startApiTestServer();
  const bundle = await bundleWorkflows();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  worker = await createWorker({
    connection: server.env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    db: server.database.db,
    secrets: new Secrets([TEST_ENCRYPTION_KEY]),
    publicUrl: baseUrl,
    providers: null,
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await stopApiTestServer(server ?? {});
});

const SANDBOX_TOKEN = 'sandbox-signing-token-0123456789';

async function tenantWithSandbox(phone: string, odds: { reply: number; ignore: number; stop: number }) {
  const seeded = await seedTenant(server.database.db, `sb-${Math.random().toString(36).slice(2)}`, { phone });
  const res = await server.app.inject({
    method: 'POST',
    url: '/v1/channels',
    headers: auth(seeded.token),
    payload: {
      name: 'Sandbox SMS',
      kind: 'sms',
      provider: 'sandbox',
      config: { odds, replyDelayMs: 0 },
      credentials: { authToken: SANDBOX_TOKEN },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const channel = res.json() as { id: string; webhooks: Record<string, string> };
  expect(channel.webhooks.incomingMessage).toMatch(new RegExp(`/hooks/twilio/${channel.id}/messages$`));
  return { ...seeded, channel };
}

async function startRun(token: string, flowId: string, contactId: string) {
  const res = await server.app.inject({
    method: 'POST',
    url: '/v1/runs',
    headers: auth(token),
    payload: { flowId, contactId },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; workflowId: string };
}

async function finished(runId: string) {
  return waitFor(
    async () => {
      const run = await server.database.db.run.findUnique({ where: { id: runId } });
      return run && run.status !== 'running' ? run : undefined;
    },
    'the run to finish',
    60_000,
  );
}

async function messagesOf(token: string, conversationId: string) {
  const res = await server.app.inject({
    method: 'GET',
    url: `/v1/conversations/${conversationId}/messages`,
    headers: auth(token),
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: Array<{ id: string; direction: string; body: string; status: string }> }).items;
}

const REPLY = { reply: 1, ignore: 0, stop: 0 };
const STOP = { reply: 0, ignore: 0, stop: 1 };
const IGNORE = { reply: 0, ignore: 1, stop: 0 };

describe('the sandbox network', () => {
  it('a flow send is delivered (simulated receipts) and the simulated customer’s reply lands in the conversation', async () => {
    const phone = '+14155550401';
    const t = await tenantWithSandbox(phone, REPLY);
    const run = await startRun(t.token, t.flow.id, t.contact.id);
    expect((await finished(run.id)).outcome).toBe('welcomed');

    const conversation = await server.database.db.conversation.findUniqueOrThrow({
      where: { channelId_address: { channelId: t.channel.id, address: phone } },
    });
    expect(conversation.contactId).toBe(t.contact.id);
    const items = await waitFor(async () => {
      const list = await messagesOf(t.token, conversation.id);
      const outbound = list.find((m) => m.direction === 'outbound');
      return outbound?.status === 'delivered' && list.some((m) => m.direction === 'inbound') ? list : undefined;
    }, 'the receipts and the reply');
    expect(items).toHaveLength(2);
    const outbound = items.find((m) => m.direction === 'outbound');
    const inbound = items.find((m) => m.direction === 'inbound');
    expect(outbound).toMatchObject({ body: 'Hi Grace!', status: 'delivered' });
    expect(inbound?.status).toBe('received');
    expect(inbound?.body.length).toBeGreaterThan(0);
    const row = await server.database.db.message.findUniqueOrThrow({ where: { id: outbound?.id ?? '' } });
    expect(row.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(row.workflowId).toBe(run.workflowId);

    // The reply came in through the signed Twilio route: an unsigned copy of it is refused.
    const unsigned = await fetch(`${baseUrl}/hooks/twilio/${t.channel.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ MessageSid: 'SMforged', From: phone, To: '+15005550006', Body: 'x' }).toString(),
    });
    expect(unsigned.status).toBe(401);
    expect(await server.database.db.message.count({ where: { conversationId: conversation.id } })).toBe(2);
  });

  it('a simulated STOP sets DNC and is confirmed once', async () => {
    const phone = '+14155550402';
    const t = await tenantWithSandbox(phone, STOP);
    const run = await startRun(t.token, t.flow.id, t.contact.id);
    expect((await finished(run.id)).outcome).toBe('welcomed');

    const contact = await waitFor(async () => {
      const c = await server.database.db.contact.findUniqueOrThrow({ where: { id: t.contact.id } });
      return c.dnc ? c : undefined;
    }, 'the contact to opt out');
    expect(contact.consent).toMatchObject({ sms: { status: 'denied', source: 'keyword:stop' } });

    const conversation = await server.database.db.conversation.findUniqueOrThrow({
      where: { channelId_address: { channelId: t.channel.id, address: phone } },
    });
    // The confirmation goes out; the simulated customer answers it with STOP again, which is
    // recorded but not confirmed a second time.
    const stops = await waitFor(async () => {
      const rows = await server.database.db.message.findMany({
        where: { conversationId: conversation.id, direction: 'inbound' },
        orderBy: { createdAt: 'asc' },
      });
      return rows.length === 2 ? rows : undefined;
    }, 'the second STOP');
    expect(stops.map((m) => m.body)).toEqual(['STOP', 'STOP']);
    const confirmations = await server.database.db.message.findMany({
      where: { conversationId: conversation.id, direction: 'outbound', body: KEYWORD_REPLIES.stop },
    });
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.providerMessageId).toMatch(/^SM/);
    // The second STOP started no confirmation of its own.
    const second = stops[1];
    await waitFor(
      async () =>
        (await server.database.db.contactEvent.count({
          where: { contactId: t.contact.id, type: 'message.received' },
        })) === 2
          ? true
          : undefined,
      'the second STOP to be handled',
    );
    await expect(server.env.client.workflow.getHandle(`keyword-reply-${second?.id}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(await server.database.db.contactEvent.count({ where: { contactId: t.contact.id, type: 'dnc.set' } })).toBe(
      1,
    );

    // Later sends are blocked with the reason.
    const again = await startRun(t.token, t.flow.id, t.contact.id);
    expect((await finished(again.id)).outcome).toBe('unreachable');
    const blocked = await server.database.db.message.findFirstOrThrow({ where: { workflowId: again.workflowId } });
    expect(blocked).toMatchObject({ status: 'blocked', errorCode: 'OptedOut' });
    expect(
      await server.database.db.message.count({
        where: { conversationId: conversation.id, direction: 'outbound', body: KEYWORD_REPLIES.stop },
      }),
    ).toBe(1);
  });

  it('a flow waiting for a reply after the send takes `replied`', async () => {
    const phone = '+14155550403';
    const t = await tenantWithSandbox(phone, REPLY);
    const flow: Flow = {
      name: 'Ask and wait',
      version: 0,
      nodes: [
        { id: 'start', type: 'trigger', params: { source: 'api' } },
        { id: 'ask', type: 'send-message', params: { channel: 'sms', text: 'Can you come on Friday?' } },
        { id: 'wait', type: 'wait-for-reply', params: { channel: 'sms', timeout: '1h' } },
        { id: 'replied', type: 'end', params: { outcome: 'replied' } },
        { id: 'silent', type: 'end', params: { outcome: 'no-reply' } },
        { id: 'failed', type: 'end', params: { outcome: 'failed' } },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'ask' },
        { id: 'e2', source: 'ask', sourceHandle: 'sent', target: 'wait' },
        { id: 'e3', source: 'ask', sourceHandle: 'failed', target: 'failed' },
        { id: 'e4', source: 'wait', sourceHandle: 'replied', target: 'replied' },
        { id: 'e5', source: 'wait', sourceHandle: 'timeout', target: 'silent' },
      ],
    };
    const row = await server.database.db.flow.create({
      data: { tenantId: t.tenant.id, name: flow.name, definition: toJson(flow) },
    });
    await publish(server.database.db, t.tenant.id, row.id, flow);
    const run = await startRun(t.token, row.id, t.contact.id);
    expect((await finished(run.id)).outcome).toBe('replied');
    const detail = await server.app.inject({ method: 'GET', url: `/v1/runs/${run.id}`, headers: auth(t.token) });
    const { state } = detail.json() as { state: { path: Array<{ nodeId: string; output?: string }> } };
    expect(state.path.map((s) => `${s.nodeId}:${s.output ?? ''}`)).toEqual([
      'start:next',
      'ask:sent',
      'wait:replied',
      'replied:',
    ]);
    // A question gets a yes/no answer from the simulated customer.
    const reply = await server.database.db.message.findFirstOrThrow({
      where: { channelId: t.channel.id, direction: 'inbound' },
    });
    expect(['Yes', 'No']).toContain(reply.body);
  });

  it('receipts that overtake the provider’s answer are not undone by it', async () => {
    const phone = '+14155550404';
    const t = await tenantWithSandbox(phone, IGNORE);
    const db = server.database.db;
    // The channel's real sandbox adapter, whose answer is slow: both simulated receipts arrive,
    // through the signed webhook route, before the send returns `queued`.
    const slowAnswer = (channel: Parameters<typeof messagingProviderFor>[0]): MessagingProvider => {
      const real = messagingProviderFor(channel, { publicUrl: baseUrl });
      return {
        name: real.name,
        testConnection: () => real.testConnection(),
        async send(message, ctx) {
          const result = await real.send(message, ctx);
          await waitFor(async () => {
            const row = await db.message.findUnique({ where: { idempotencyKey: ctx.idempotencyKey } });
            return row?.status === 'delivered' ? true : undefined;
          }, 'the receipts to overtake the answer');
          return result;
        },
      };
    };
    const outcome = await sendOutbound(
      { db, secrets: new Secrets([TEST_ENCRYPTION_KEY]), publicUrl: baseUrl, providerFor: slowAnswer },
      {
        tenantId: t.tenant.id,
        idempotencyKey: `overtaken-${t.channel.id}`,
        contactId: t.contact.id,
        channel: 'sms',
        to: phone,
        text: 'Your table is booked.',
        purpose: 'transactional',
      },
    );
    const row = await db.message.findUniqueOrThrow({ where: { idempotencyKey: `overtaken-${t.channel.id}` } });
    expect(row).toMatchObject({ providerMessageId: outcome.providerMessageId, status: 'delivered' });
  });
});
