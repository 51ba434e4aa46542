import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagingProviderFor } from '../../activities/channels/registry';
import { KEYWORD_REPLIES } from '../../activities/messaging/compliance';
import { sendOutbound } from '../../activities/messaging/outbound';
import type { MessagingProvider } from '../../activities/providers/types';
import { askAndWaitFlow, ChannelTestServer } from '../helpers/channels';
import { waitFor } from '../helpers/processes';

/**
 * The `npm start` default: a sandbox SMS channel whose simulated customers answer through the
 * same webhook route and signature check as Twilio's. The worker's public URL is the listening
 * API, so delivery receipts and replies arrive over HTTP, signed with the channel's token.
 */
let server: ChannelTestServer;

beforeAll(async () => {
  server = await ChannelTestServer.start({ finishTimeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const SANDBOX_TOKEN = 'sandbox-signing-token-0123456789';

async function tenantWithSandbox(phone: string, odds: { reply: number; ignore: number; stop: number }) {
  const t = await server.tenantWithChannel('sb', phone, {
    name: 'Sandbox SMS',
    kind: 'sms',
    provider: 'sandbox',
    config: { odds, replyDelayMs: 0 },
    credentials: { authToken: SANDBOX_TOKEN },
  });
  expect(t.channel.webhooks.incomingMessage).toMatch(new RegExp(`/hooks/twilio/${t.channel.id}/messages$`));
  return t;
}

const REPLY = { reply: 1, ignore: 0, stop: 0 };
const STOP = { reply: 0, ignore: 0, stop: 1 };
const IGNORE = { reply: 0, ignore: 1, stop: 0 };

describe('the sandbox network', () => {
  it('a flow send is delivered (simulated receipts) and the simulated customer’s reply lands in the conversation', async () => {
    const phone = '+14155550401';
    const t = await tenantWithSandbox(phone, REPLY);
    const run = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(run.id)).outcome).toBe('welcomed');

    const conversation = await server.conversationOn(t.channel.id, phone);
    expect(conversation.contactId).toBe(t.contact.id);
    const items = await waitFor(async () => {
      const list = await server.messagesOf(t.token, conversation.id);
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
    const unsigned = await fetch(`${server.baseUrl}/hooks/twilio/${t.channel.id}/messages`, {
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
    const run = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(run.id)).outcome).toBe('welcomed');

    const contact = await waitFor(async () => {
      const c = await server.database.db.contact.findUniqueOrThrow({ where: { id: t.contact.id } });
      return c.dnc ? c : undefined;
    }, 'the contact to opt out');
    expect(contact.consent).toMatchObject({ sms: { status: 'denied', source: 'keyword:stop' } });

    const conversation = await server.conversationOn(t.channel.id, phone);
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
    const again = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(again.id)).outcome).toBe('unreachable');
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
    const flow = await server.createFlow(
      t.tenant.id,
      askAndWaitFlow({ name: 'Ask and wait', question: 'Can you come on Friday?', outcome: 'replied' }),
    );
    const run = await server.startRun(t.token, flow.id, t.contact.id);
    expect((await server.finished(run.id)).outcome).toBe('replied');
    expect(await server.runPath(t.token, run.id)).toEqual(['start:next', 'ask:sent', 'wait:replied', 'replied:']);
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
      const real = messagingProviderFor(channel, { publicUrl: server.baseUrl });
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
      { db, secrets: server.secrets, publicUrl: server.baseUrl, providerFor: slowAnswer },
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
