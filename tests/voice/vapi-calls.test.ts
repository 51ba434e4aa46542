import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallActivities } from '../../activities/calls';
import { sessionOf, transcriptOf } from '../../activities/calls/records';
import { messagingProviderFor } from '../../activities/channels/registry';
import { openChannel } from '../../activities/channels/store';
import { type ApiTestServer, auth, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { startVapiStandIn, type VapiCallObject, type VapiStandIn } from '../stand-ins/vapi';
import { placeCallInput, secrets, startListeningServer } from './helpers';

// A Vapi voice channel end to end: the place-call activity → POST /call at the Vapi stand-in (a
// transient assistant built from the agent, its server URL our hook) → the stand-in posts the
// end-of-call report to the real /hooks/vapi route of a listening API → the Call row the activity
// reads back.
let server: ApiTestServer & { baseUrl: string };
let vapi: VapiStandIn;

beforeAll(async () => {
  [server, vapi] = await Promise.all([startListeningServer(), startVapiStandIn()]);
});
afterAll(async () => {
  await vapi?.close();
  await stopApiTestServer(server ?? {});
});
beforeEach(() => vapi.reset());

const db = () => server.database.db;

/** A tenant whose voice channel is Vapi, connected through the channels API as an operator would. */
async function vapiTenant(slug: string) {
  const seeded = await seedTenant(db(), `${slug}-${randomUUID().slice(0, 8)}`);
  const created = await server.app.inject({
    method: 'POST',
    url: '/v1/channels',
    headers: auth(seeded.token),
    payload: {
      name: 'Vapi voice',
      kind: 'voice',
      provider: 'vapi',
      config: { phoneNumberId: vapi.phoneNumberId, apiBaseUrl: vapi.baseUrl },
      credentials: { apiKey: vapi.apiKey },
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const channel = created.json() as { id: string; webhooks: Record<string, string> };
  const row = await db().channel.findUniqueOrThrow({ where: { id: channel.id } });
  const webhookSecret = JSON.parse(secrets.open(row.credentials as string)).webhookSecret as string;
  return { ...seeded, channel, webhookSecret };
}

function activities(options: { hostedTimeoutMs?: number } = {}) {
  return createCallActivities({ db: db(), secrets, publicUrl: server.baseUrl, timings: { pollMs: 25 }, ...options });
}

/** The call the stand-in created for an idempotency key, once the Call row knows it. */
async function placedCall(idempotencyKey: string): Promise<VapiCallObject> {
  return waitFor(async () => {
    const row = await db().call.findUnique({ where: { idempotencyKey } });
    const call = vapi.calls.find((c) => c.assistant?.metadata?.idempotencyKey === idempotencyKey);
    return row?.providerCallId && call?.id === row.providerCallId ? call : undefined;
  }, 'the Vapi call to be placed');
}

const postsToCall = () => vapi.requests.filter((r) => r.method === 'POST' && r.path === '/call');

describe('a Vapi voice channel', () => {
  it('is created with a generated server secret, lists its server URL, tests its connection and sends no messages', async () => {
    const { channel, token, webhookSecret } = await vapiTenant('vapi-channel');
    expect(channel.webhooks).toEqual({ serverUrl: expect.stringMatching(new RegExp(`/hooks/vapi/${channel.id}$`)) });
    expect(webhookSecret.length).toBeGreaterThanOrEqual(16);

    const tested = await server.app.inject({
      method: 'POST',
      url: `/v1/channels/${channel.id}/test`,
      headers: auth(token),
    });
    expect(tested.json()).toMatchObject({ status: 'connected', statusDetail: `Vapi number ${vapi.phoneNumber}` });

    const row = await db().channel.findUniqueOrThrow({ where: { id: channel.id } });
    expect(() => messagingProviderFor(openChannel(row, secrets))).toThrow(/Vapi channel: it places calls/);

    const tooShort = await server.app.inject({
      method: 'POST',
      url: '/v1/channels',
      headers: auth(token),
      payload: {
        name: 'Vapi short',
        kind: 'voice',
        provider: 'vapi',
        config: { phoneNumberId: vapi.phoneNumberId },
        credentials: { apiKey: vapi.apiKey, webhookSecret: 'short' },
      },
    });
    expect(tooShort.statusCode).toBe(400);
    const notSms = await server.app.inject({
      method: 'POST',
      url: '/v1/channels',
      headers: auth(token),
      payload: { name: 'Vapi sms', kind: 'sms', provider: 'vapi', config: { phoneNumberId: 'x' }, credentials: {} },
    });
    expect(notSms.json().error.code).toBe('unsupported_kind');
  });

  it('places the call with the agent as a transient assistant and returns the reported transcript', async () => {
    const { tenant, contact, channel, webhookSecret } = await vapiTenant('vapi-answered');
    const agent = await db().voiceAgent.create({
      data: {
        tenantId: tenant.id,
        name: 'Receptionist',
        persona: 'You are the clinic receptionist.',
        firstMessage: 'Hello, this is the clinic calling.',
        voice: { provider: 'elevenlabs', voiceId: 'rachel', language: 'en-GB' },
        knowledgeSourceIds: [],
        script: [],
        maxDurationSeconds: 240,
      },
    });
    const input = placeCallInput(tenant.id, contact.id, { voiceAgentId: agent.id });
    const placing = activities().placeCall(input);
    const call = await placedCall(input.idempotencyKey);
    const row = await db().call.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });

    expect(postsToCall()).toHaveLength(1);
    expect(postsToCall()[0]?.body).toMatchObject({
      phoneNumberId: vapi.phoneNumberId,
      customer: { number: input.to },
      assistant: {
        firstMessage: 'Hello, this is the clinic calling.',
        model: {
          messages: [
            {
              role: 'system',
              content: expect.stringMatching(/^You are the clinic receptionist\.[\s\S]*1\. We have a slot/),
            },
          ],
        },
        voice: { provider: '11labs', voiceId: 'rachel' },
        transcriber: { language: 'en-GB' },
        maxDurationSeconds: 240,
        server: {
          url: `${server.baseUrl}/hooks/vapi/${channel.id}?call=${row.id}`,
          headers: { 'X-Vapi-Secret': webhookSecret },
        },
        metadata: { callId: row.id, idempotencyKey: input.idempotencyKey },
      },
    });

    // Vapi tells us it rings, then reports the end of the call.
    expect((await vapi.sendStatusUpdate(call.id, 'ringing')).status).toBe(200);
    await waitFor(
      async () => (await db().call.findUniqueOrThrow({ where: { id: row.id } })).status === 'ringing' || undefined,
      'the status update',
    );
    const report = await vapi.endCall(call.id, {
      endedReason: 'customer-ended-call',
      messages: [
        { role: 'system', message: 'You are the clinic receptionist.' },
        { role: 'bot', message: 'Hello, this is the clinic calling.' },
        { role: 'user', message: 'Hi, yes, Tuesday works.' },
        { role: 'bot', message: 'Booked. Goodbye!' },
      ],
      durationSeconds: 42,
      cost: 0.123,
      recordingUrl: 'https://storage.vapi.ai/recording.wav',
    });
    expect(report.status).toBe(200);

    const result = await placing;
    expect(result).toEqual({
      callId: row.id,
      outcome: 'answered',
      durationSeconds: 42,
      transcript: [
        'Agent: Hello, this is the clinic calling.',
        'Customer: Hi, yes, Tuesday works.',
        'Agent: Booked. Goodbye!',
      ].join('\n'),
    });
    const done = await db().call.findUniqueOrThrow({ where: { id: row.id } });
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'answered',
      answeredBy: 'human',
      providerCallId: call.id,
      cost: '0.123',
      costCurrency: 'USD',
      recordingUrl: 'https://storage.vapi.ai/recording.wav',
      turns: 1,
      voiceAgentId: agent.id,
      from: vapi.phoneNumberId,
    });
    expect(transcriptOf(done).map((e) => e.role)).toEqual(['agent', 'customer', 'agent']);
    expect(postsToCall()).toHaveLength(1);
  });

  it('maps voicemail, no answer and busy', async () => {
    const { tenant, contact } = await vapiTenant('vapi-outcomes');
    const cases = [
      { endedReason: 'voicemail', outcome: 'voicemail', status: 'completed', answeredBy: 'machine' },
      { endedReason: 'customer-did-not-answer', outcome: 'no-answer', status: 'no-answer', answeredBy: null },
      { endedReason: 'customer-busy', outcome: 'busy', status: 'busy', answeredBy: null },
    ] as const;
    for (const c of cases) {
      const input = placeCallInput(tenant.id, contact.id);
      const placing = activities().placeCall(input);
      const call = await placedCall(input.idempotencyKey);
      const messages = c.outcome === 'voicemail' ? [{ role: 'bot' as const, message: 'Please call us back.' }] : [];
      expect((await vapi.endCall(call.id, { endedReason: c.endedReason, messages })).status).toBe(200);
      const result = await placing;
      expect(result.outcome, c.endedReason).toBe(c.outcome);
      const row = await db().call.findUniqueOrThrow({ where: { id: result.callId } });
      expect(row, c.endedReason).toMatchObject({ status: c.status, outcome: c.outcome, answeredBy: c.answeredBy });
    }
    expect(postsToCall()).toHaveLength(cases.length);
  });

  it('refuses a forged or unsigned report and changes nothing; ignores calls it does not know', async () => {
    const { tenant, contact, channel, webhookSecret } = await vapiTenant('vapi-forged');
    const input = placeCallInput(tenant.id, contact.id);
    const placing = activities().placeCall(input);
    const call = await placedCall(input.idempotencyKey);
    const before = await db().call.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    const lying = { endedReason: 'customer-ended-call', durationSeconds: 999, cost: 9.99 };

    const forged = await vapi.endCall(call.id, {
      ...lying,
      headers: { 'content-type': 'application/json', 'x-vapi-secret': 'not-the-channel-secret-000' },
    });
    expect(forged.status).toBe(403);
    const unsigned = await vapi.endCall(call.id, { ...lying, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    // The right secret on another channel's URL: no such Vapi channel.
    const elsewhere = await fetch(`${server.baseUrl}/hooks/vapi/${randomUUID()}?call=${before.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vapi-secret': webhookSecret },
      body: JSON.stringify(forged.payload),
    });
    expect(elsewhere.status).toBe(403);
    expect(await db().call.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);

    // A genuine message about a call we never placed is acknowledged and ignored.
    const stranger = await fetch(`${server.baseUrl}/hooks/vapi/${channel.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vapi-secret': webhookSecret },
      body: JSON.stringify({
        message: { type: 'end-of-call-report', endedReason: 'customer-busy', call: { id: randomUUID() } },
      }),
    });
    expect(stranger.status).toBe(200);
    const other = await fetch(`${server.baseUrl}/hooks/vapi/${channel.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vapi-secret': webhookSecret },
      body: JSON.stringify({ message: { type: 'speech-update', status: 'started', role: 'user' } }),
    });
    expect(await other.json()).toEqual({ ok: true });
    expect(await db().call.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);

    expect((await vapi.endCall(call.id, { endedReason: 'customer-busy' })).status).toBe(200);
    expect(await placing).toMatchObject({ outcome: 'busy' });
  });

  it('after an attempt of unknown outcome, finds the call Vapi placed instead of calling again', async () => {
    const { tenant, contact } = await vapiTenant('vapi-retry');
    const { placeCall } = activities({ hostedTimeoutMs: 300 });
    const input = placeCallInput(tenant.id, contact.id, { to: '+14155550177' });
    vapi.injectFaults({ kind: 'accept-then-hang' });
    const first = await placeCall(input).then(
      () => null,
      (err: unknown) => err,
    );
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect(first).toMatchObject({ type: 'ProviderOutcomeUnknown', nonRetryable: false });
    expect(vapi.callsTo('+14155550177')).toHaveLength(1);

    const retry = placeCall(input);
    const call = await placedCall(input.idempotencyKey);
    expect(vapi.requests.some((r) => r.method === 'GET' && r.path === '/call')).toBe(true);
    expect((await vapi.endCall(call.id, { endedReason: 'customer-did-not-answer' })).status).toBe(200);
    expect(await retry).toMatchObject({ outcome: 'no-answer' });
    expect(postsToCall()).toHaveLength(1);
    expect(vapi.callsTo('+14155550177')).toHaveLength(1);
    const ledger = await db().outboundAction.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    expect(ledger).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('takes a stop request it cannot pass on: the row records it and the call ends when Vapi says', async () => {
    const { tenant, contact, token } = await vapiTenant('vapi-stop');
    const input = placeCallInput(tenant.id, contact.id);
    const placing = activities().placeCall(input);
    const call = await placedCall(input.idempotencyKey);
    const row = await db().call.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    const stop = await server.app.inject({ method: 'POST', url: `/v1/calls/${row.id}/stop`, headers: auth(token) });
    expect(stop.statusCode).toBe(202);
    expect(sessionOf(await db().call.findUniqueOrThrow({ where: { id: row.id } })).stopRequestedAt).toBeDefined();
    expect((await vapi.endCall(call.id, { endedReason: 'manually-canceled' })).status).toBe(200);
    expect(await placing).toMatchObject({ callId: row.id, outcome: 'no-answer' });
  });
});
