import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_VOICE_CHANNEL_NAME } from '../../activities/calls/channel';
import { transcriptOf } from '../../activities/calls/records';
import { SandboxConfigSchema } from '../../activities/providers/config';
import { demoPassages } from '../../activities/rag/answerer';
import { LINES } from '../../api/voice/agent';
import { type ApiTestServer, auth, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import {
  callActivities,
  createVoiceChannel,
  instantSandbox,
  placeCallInput,
  postTwilio,
  secrets,
  startListeningServer,
} from './helpers';

// The whole loop over HTTP: the place-call activity → the sandbox network (signed Twilio-format
// webhooks) → the real /hooks routes of a listening API → the Call row the activity reads back.
let server: ApiTestServer & { baseUrl: string };

beforeAll(async () => {
  server = await startListeningServer();
});
afterAll(() => stopApiTestServer(server ?? {}));

const db = () => server.database.db;
const tenant = (slug: string) => seedTenant(db(), `${slug}-${randomUUID().slice(0, 8)}`);

const HOURS = demoPassages.find((p) => p.sourceId === 'demo-hours')?.text ?? '';

describe('a sandbox call, end to end', () => {
  it('talks through the script, answers a question with citations and records the call', async () => {
    const { tenant: t, contact, token } = await tenant('loop');
    // A configured sandbox channel whose simulated customer follows a script.
    await createVoiceChannel(
      db(),
      t.id,
      'sandbox',
      SandboxConfigSchema.parse({
        scripts: [
          { when: 'slot', reply: 'What are your opening hours?' },
          { when: 'book it', reply: 'No thanks, bye.' },
          { when: 'appointment', reply: 'Yes, that works.' },
        ],
      }),
      { authToken: 'sandbox-token-0123456789abcdef' },
    );
    const sandbox = instantSandbox({ odds: { answered: 1 } });
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: sandbox });
    const input = placeCallInput(t.id, contact.id);

    const result = await placeCall(input);

    expect(result.outcome).toBe('answered');
    expect(result.durationSeconds).toBeGreaterThan(0);
    expect(result.transcript?.split('\n')).toEqual([
      `Agent: ${input.firstMessage}`,
      'Customer: Yes, that works.',
      'Agent: We have a slot for you on Tuesday at 10.',
      'Customer: What are your opening hours?',
      `Agent: ${HOURS} Shall I book it?`,
      'Customer: No thanks, bye.',
      `Agent: ${LINES.goodbye}`,
    ]);
    const row = await db().call.findUniqueOrThrow({ where: { id: result.callId } });
    expect(row).toMatchObject({
      status: 'completed',
      outcome: 'answered',
      answeredBy: 'human',
      direction: 'outbound',
      contactId: contact.id,
      workflowId: input.workflowId,
      turns: 3,
      costCurrency: 'USD',
    });
    expect(row.cost).toMatch(/^\d+\.\d+$/);
    expect(row.durationSeconds).toBe(result.durationSeconds);
    expect(row.answeredAt).not.toBeNull();
    expect(row.endedAt).not.toBeNull();
    expect(row.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);

    const detail = await server.app.inject({ method: 'GET', url: `/v1/calls/${row.id}`, headers: auth(token) });
    expect(detail.statusCode).toBe(200);
    const lines = detail.json().transcript as Array<{ role: string; text: string; citations?: unknown[] }>;
    expect(lines.find((l) => l.text.startsWith(HOURS))?.citations).toEqual([
      expect.objectContaining({ sourceId: 'demo-hours', title: 'Opening hours' }),
    ]);
  });

  it('creates a sandbox voice channel for a tenant without one, once', async () => {
    const { tenant: t, contact } = await tenant('fallback');
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: instantSandbox({ odds: { answered: 1 } }) });
    const [a, b] = await Promise.all([
      placeCall(placeCallInput(t.id, contact.id)),
      placeCall(placeCallInput(t.id, contact.id)),
    ]);
    expect([a.outcome, b.outcome]).toEqual(['answered', 'answered']);
    // The simulated customer said something and the agent replied, whatever the conversation.
    expect(a.transcript).toMatch(/^Agent: Hi Grace[\s\S]*\nCustomer: [\s\S]*\nAgent: /);
    const channels = await db().channel.findMany({ where: { tenantId: t.id, kind: 'voice' } });
    expect(channels).toEqual([
      expect.objectContaining({ name: SANDBOX_VOICE_CHANNEL_NAME, provider: 'sandbox', status: 'connected' }),
    ]);
  });

  it('maps every simulated outcome to the node output', async () => {
    const { tenant: t, contact } = await tenant('outcomes');
    const cases = [
      { odds: { voicemail: 1 }, voicemailMessage: 'Please call us back.', outcome: 'voicemail', status: 'completed' },
      { odds: { voicemail: 1 }, outcome: 'voicemail', status: 'completed' },
      { odds: { 'no-answer': 1 }, outcome: 'no-answer', status: 'no-answer' },
      { odds: { busy: 1 }, outcome: 'busy', status: 'busy' },
      { odds: { failed: 1 }, outcome: 'failed', status: 'failed' },
    ] as const;
    for (const c of cases) {
      const { placeCall } = callActivities(db(), server.baseUrl, { fallback: instantSandbox({ odds: c.odds }) });
      const input = placeCallInput(
        t.id,
        contact.id,
        'voicemailMessage' in c ? { voicemailMessage: c.voicemailMessage } : {},
      );
      const result = await placeCall(input);
      expect(result.outcome, JSON.stringify(c)).toBe(c.outcome);
      const row = await db().call.findUniqueOrThrow({ where: { id: result.callId } });
      expect(row, JSON.stringify(c)).toMatchObject({ status: c.status, outcome: c.outcome });
      if (c.outcome === 'voicemail') expect(row.answeredBy).toBe('machine');
      if (c.status !== 'completed') {
        expect(result.durationSeconds).toBe(0);
        expect(result.transcript).toBeUndefined();
      }
    }
    // The voicemail was left only where there was one to leave.
    const voicemails = await db().call.findMany({ where: { tenantId: t.id, outcome: 'voicemail' } });
    expect(
      voicemails.map((r) =>
        transcriptOf(r)
          .filter((e) => e.text)
          .map((e) => [e.kind, e.text]),
      ),
    ).toEqual(expect.arrayContaining([[['voicemail', 'Please call us back.']], []]));
  });

  it('dials once per idempotency key: a repeat returns the same call', async () => {
    const { tenant: t, contact } = await tenant('once');
    const sandbox = instantSandbox({ odds: { busy: 1 } });
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: sandbox });
    const input = placeCallInput(t.id, contact.id);
    const first = await placeCall(input);
    const again = await placeCall(input);
    expect(again).toEqual(first);
    expect(sandbox.calls).toHaveLength(1);
    expect(await db().call.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
  });

  it('fails ChannelNotConfigured for a tenant without a voice channel when there is no fallback', async () => {
    const { tenant: t, contact } = await tenant('nochannel');
    const { placeCall } = callActivities(db(), server.baseUrl);
    await expect(placeCall(placeCallInput(t.id, contact.id))).rejects.toMatchObject({
      type: 'ChannelNotConfigured',
      nonRetryable: true,
    });
    expect(await db().call.count({ where: { tenantId: t.id } })).toBe(0);
  });
});

describe('stopping a call', () => {
  it('ends a call in progress through the API; stopping it again is a conflict', async () => {
    const { tenant: t, contact, token } = await tenant('stop');
    // The simulated customer takes "forever" to answer, so the call waits at its first Gather.
    const sandbox = instantSandbox({ odds: { answered: 1 }, timings: { replyMs: 10 * 60_000 } });
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: sandbox });
    const input = placeCallInput(t.id, contact.id);
    const placing = placeCall(input);
    const live = await waitFor(async () => {
      const row = await db().call.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
      return row && row.status === 'in-progress' && transcriptOf(row).length > 0 ? row : undefined;
    }, 'the call to be answered and greeted');

    const stop = await server.app.inject({ method: 'POST', url: `/v1/calls/${live.id}/stop`, headers: auth(token) });
    expect(stop.statusCode).toBe(202);
    const result = await placing;
    expect(result.outcome).toBe('answered');
    const row = await db().call.findUniqueOrThrow({ where: { id: live.id } });
    expect(row.status).toBe('completed');

    const again = await server.app.inject({ method: 'POST', url: `/v1/calls/${live.id}/stop`, headers: auth(token) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('call_finished');

    const other = await tenant('stop-other');
    const foreign = await server.app.inject({
      method: 'POST',
      url: `/v1/calls/${live.id}/stop`,
      headers: auth(other.token),
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('voice webhooks refuse what they cannot verify', () => {
  it('answers 401 unsigned and 403 forged, and changes nothing', async () => {
    const { tenant: t, contact } = await tenant('forged');
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: instantSandbox({ odds: { busy: 1 } }) });
    const { callId } = await placeCall(placeCallInput(t.id, contact.id));
    const before = await db().call.findUniqueOrThrow({ where: { id: callId } });
    const channelId = before.channelId as string;
    const statusUrl = `${server.baseUrl}/hooks/twilio/${channelId}/voice/status?call=${callId}`;
    const params = {
      CallSid: before.providerCallId as string,
      CallStatus: 'completed',
      CallDuration: '999',
      AnsweredBy: 'human',
      Price: '-9.99',
      PriceUnit: 'USD',
    };

    const unsigned = await fetch(statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(401);
    const forged = await postTwilio(statusUrl, 'not-the-channel-token-at-all', params);
    expect(forged.status).toBe(403);
    // Signed by the right token for another URL (another call), replayed here.
    const channel = await db().channel.findUniqueOrThrow({ where: { id: channelId } });
    const token = JSON.parse(secrets.open(channel.credentials as string)).authToken as string;
    const other = `${server.baseUrl}/hooks/twilio/${channelId}/voice/status?call=${randomUUID()}`;
    const { buildTwilioWebhook } = await import('../../activities/providers/twilio/inbound');
    const signedElsewhere = buildTwilioWebhook(token, other, params);
    const replayed = await fetch(statusUrl, { method: 'POST', ...signedElsewhere });
    expect(replayed.status).toBe(403);
    for (const path of ['answer', 'gather', 'incoming']) {
      const res = await postTwilio(
        `${server.baseUrl}/hooks/twilio/${channelId}/voice/${path}?call=${callId}`,
        'wrong-token-xxxxxxxx',
        params,
      );
      expect(res.status, path).toBe(403);
    }

    const after = await db().call.findUniqueOrThrow({ where: { id: callId } });
    expect(after).toEqual(before);

    const unknown = await postTwilio(`${server.baseUrl}/hooks/twilio/${randomUUID()}/voice/status`, token, params);
    expect(unknown.status).toBe(404);
  });

  it('applies a genuine, repeated status callback once and never moves status back', async () => {
    const { tenant: t, contact } = await tenant('repeat');
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: instantSandbox({ odds: { answered: 1 } }) });
    const { callId } = await placeCall(placeCallInput(t.id, contact.id));
    const before = await db().call.findUniqueOrThrow({ where: { id: callId } });
    const channel = await db().channel.findUniqueOrThrow({ where: { id: before.channelId as string } });
    const token = JSON.parse(secrets.open(channel.credentials as string)).authToken as string;
    const url = `${server.baseUrl}/hooks/twilio/${channel.id}/voice/status?call=${callId}`;
    const late = await postTwilio(url, token, { CallSid: before.providerCallId as string, CallStatus: 'ringing' });
    expect(late.status).toBe(204);
    expect(await db().call.findUniqueOrThrow({ where: { id: callId } })).toEqual(before);
  });
});

describe('calls API', () => {
  it('lists calls newest first with filters and a cursor, scoped to the tenant', async () => {
    const { tenant: t, contact, token } = await tenant('list');
    const { placeCall } = callActivities(db(), server.baseUrl, { fallback: instantSandbox({ odds: { busy: 1 } }) });
    const first = await placeCall(placeCallInput(t.id, contact.id));
    const second = await placeCall(placeCallInput(t.id, contact.id));
    const page1 = await server.app.inject({ method: 'GET', url: '/v1/calls?limit=1', headers: auth(token) });
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items.map((c: { id: string }) => c.id)).toEqual([second.callId]);
    const page2 = await server.app.inject({
      method: 'GET',
      url: `/v1/calls?limit=1&cursor=${page1.json().nextCursor}`,
      headers: auth(token),
    });
    expect(page2.json().items.map((c: { id: string }) => c.id)).toEqual([first.callId]);
    const busy = await server.app.inject({
      method: 'GET',
      url: `/v1/calls?status=busy&contactId=${contact.id}`,
      headers: auth(token),
    });
    expect(busy.json().items).toHaveLength(2);
    const none = await server.app.inject({ method: 'GET', url: '/v1/calls?status=completed', headers: auth(token) });
    expect(none.json().items).toHaveLength(0);

    const other = await tenant('list-other');
    const foreign = await server.app.inject({
      method: 'GET',
      url: `/v1/calls/${first.callId}`,
      headers: auth(other.token),
    });
    expect(foreign.statusCode).toBe(404);
    const theirs = await server.app.inject({ method: 'GET', url: '/v1/calls', headers: auth(other.token) });
    expect(theirs.json().items).toHaveLength(0);
  });
});
