import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcriptOf } from '../../activities/calls/records';
import { LINES as HOOK_LINES } from '../../api/routes/hooks/twilio-voice';
import { LINES } from '../../api/voice/agent';
import type { Channel } from '../../generated/prisma/client';
import { type ApiTestServer, auth, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { TwilioStandIn } from '../stand-ins/twilio';
import {
  callActivities,
  createVoiceChannel,
  placeCallInput,
  postTwilio,
  startListeningServer,
  TWILIO_CALL_SID,
} from './helpers';

// The Twilio adapter against the stand-in of api.twilio.com: calls placed through its REST API,
// its signed status callbacks and answer/gather requests reaching the real /hooks routes, and
// numbers bought, routed and released through it.
let server: ApiTestServer & { baseUrl: string };
let twilio: TwilioStandIn;

beforeAll(async () => {
  [server, twilio] = await Promise.all([startListeningServer(), TwilioStandIn.start()]);
});
afterAll(async () => {
  await twilio?.close();
  await stopApiTestServer(server ?? {});
});

const db = () => server.database.db;

async function twilioTenant(slug: string) {
  const seeded = await seedTenant(db(), `${slug}-${randomUUID().slice(0, 8)}`);
  const channel = await createVoiceChannel(
    db(),
    seeded.tenant.id,
    'twilio',
    { accountSid: twilio.accountSid, from: '+14155550100', apiBaseUrl: twilio.baseUrl },
    { authToken: twilio.authToken },
  );
  return { ...seeded, channel };
}

// Twilio is asked directly only after long quiet: these tests prove the callbacks drive the outcome.
const callbacksOnly = { pollMs: 25, providerCheckMs: 10 * 60_000, quietMs: 10 * 60_000 };

const placedCall = (idempotencyKey: string) =>
  waitFor(async () => {
    const row = await db().call.findUnique({ where: { idempotencyKey } });
    return row?.providerCallId ? { ...row, providerCallId: row.providerCallId } : undefined;
  }, 'the call to be placed with Twilio');

/** What Twilio does once the callee picks up: fetch the answer URL with the AMD verdict. */
function fetchAnswerUrl(sid: string, answeredBy: string) {
  const call = twilio.call(sid);
  if (!call) throw new Error(`no call ${sid}`);
  return postTwilio(call.params.get('Url') as string, twilio.authToken, {
    AccountSid: twilio.accountSid,
    CallSid: sid,
    CallStatus: 'in-progress',
    Direction: 'outbound-api',
    From: call.from,
    To: call.to,
    AnsweredBy: answeredBy,
  });
}

const gatherAction = (twiml: string) => (/action="([^"]+)"/.exec(twiml)?.[1] ?? '').replace(/&amp;/g, '&');

describe('calls through Twilio', () => {
  it('places the call with the loop URLs and follows the signed callbacks to the outcome', async () => {
    const { tenant, contact, channel } = await twilioTenant('twilio-call');
    const { placeCall } = callActivities(db(), server.baseUrl, { timings: callbacksOnly });
    const input = placeCallInput(tenant.id, contact.id, { voicemailMessage: 'Call us back!' });
    const placing = placeCall(input);
    const row = await placedCall(input.idempotencyKey);
    const sid = row.providerCallId;

    const sent = twilio.call(sid)?.params;
    expect(sent?.get('To')).toBe('+14155550123');
    expect(sent?.get('From')).toBe('+14155550100');
    expect(sent?.get('Url')).toBe(`${server.baseUrl}/hooks/twilio/${channel.id}/voice/answer?call=${row.id}`);
    expect(sent?.get('StatusCallback')).toBe(
      `${server.baseUrl}/hooks/twilio/${channel.id}/voice/status?call=${row.id}`,
    );
    expect(sent?.get('MachineDetection')).toBe('DetectMessageEnd');

    expect((await twilio.fireCallStatus(sid, { status: 'ringing' })).status).toBe(204);
    expect((await twilio.fireCallStatus(sid, { status: 'in-progress', answeredBy: 'human' })).status).toBe(204);
    const answer = await fetchAnswerUrl(sid, 'human');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/xml');
    expect(answer.body).toContain(`<Gather input="speech"`);
    expect(answer.body).toContain(`>${input.firstMessage.replace(/'/g, '&apos;')}</Say>`);

    const reply = await postTwilio(gatherAction(answer.body), twilio.authToken, {
      CallSid: sid,
      SpeechResult: 'No thanks, bye.',
      Confidence: '0.9',
    });
    expect(reply.body).toContain(`${LINES.goodbye}</Say><Hangup/>`);
    await twilio.fireCallStatus(sid, { status: 'completed', duration: 42, price: '-0.01400' });

    const result = await placing;
    expect(result).toEqual({
      callId: row.id,
      outcome: 'answered',
      durationSeconds: 42,
      transcript: [`Agent: ${input.firstMessage}`, 'Customer: No thanks, bye.', `Agent: ${LINES.goodbye}`].join('\n'),
    });
    expect(await db().call.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'completed',
      answeredBy: 'human',
      cost: '0.01400',
      costCurrency: 'USD',
      turns: 1,
    });
  });

  it('leaves the voicemail when a machine answers', async () => {
    const { tenant, contact } = await twilioTenant('twilio-vm');
    const { placeCall } = callActivities(db(), server.baseUrl, { timings: callbacksOnly });
    const input = placeCallInput(tenant.id, contact.id, { voicemailMessage: 'Please call us back.' });
    const placing = placeCall(input);
    const { providerCallId: sid } = await placedCall(input.idempotencyKey);
    const answer = await fetchAnswerUrl(sid, 'machine_end_beep');
    expect(answer.body).toContain('>Please call us back.</Say><Hangup/>');
    expect(answer.body).not.toContain('<Gather');
    await twilio.fireCallStatus(sid, { status: 'completed', answeredBy: 'machine_end_beep', duration: 9 });
    expect(await placing).toMatchObject({
      outcome: 'voicemail',
      transcript: 'Agent (voicemail): Please call us back.',
    });
  });

  it('asks Twilio when the callbacks never come', async () => {
    const { tenant, contact } = await twilioTenant('twilio-lost');
    const { placeCall } = callActivities(db(), server.baseUrl, {
      timings: { pollMs: 25, providerCheckMs: 50, quietMs: 50 },
    });
    const input = placeCallInput(tenant.id, contact.id);
    const placing = placeCall(input);
    const { providerCallId: sid } = await placedCall(input.idempotencyKey);
    // The network moves on; no callback reaches us.
    twilio.updateCall(sid, { status: 'busy', duration: 0 });
    expect(await placing).toMatchObject({ outcome: 'busy', durationSeconds: 0 });
  });

  it('after an attempt of unknown outcome, finds the call Twilio placed instead of dialling again', async () => {
    const { tenant, contact } = await twilioTenant('twilio-retry');
    const { placeCall } = callActivities(db(), server.baseUrl, { timings: callbacksOnly });
    const input = placeCallInput(tenant.id, contact.id, { to: '+14155550177' });
    twilio.failNext('calls.create', 1, { kind: 'accept-then-reset' });
    const first = await placeCall(input).then(
      () => null,
      (err: unknown) => err,
    );
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect(first).toMatchObject({ type: 'ProviderOutcomeUnknown', nonRetryable: false });

    const retry = placeCall(input);
    const { providerCallId: sid } = await placedCall(input.idempotencyKey);
    await twilio.fireCallStatus(sid, { status: 'no-answer' });
    expect(await retry).toMatchObject({ outcome: 'no-answer' });
    const dialled = twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Calls.json'));
    expect(dialled.filter((r) => r.form.get('To') === '+14155550177')).toHaveLength(1);
    const ledger = await db().outboundAction.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    expect(ledger).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('refuses a callback signed with another account token and records nothing', async () => {
    const { tenant, contact, channel } = await twilioTenant('twilio-forged');
    const { placeCall } = callActivities(db(), server.baseUrl, { timings: callbacksOnly });
    const input = placeCallInput(tenant.id, contact.id);
    const placing = placeCall(input);
    const row = await placedCall(input.idempotencyKey);
    const forged = await postTwilio(
      `${server.baseUrl}/hooks/twilio/${channel.id}/voice/status?call=${row.id}`,
      'some-other-account-token-000',
      { CallSid: row.providerCallId, CallStatus: 'completed', CallDuration: '600' },
    );
    expect(forged.status).toBe(403);
    expect(await db().call.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    await twilio.fireCallStatus(row.providerCallId, { status: 'failed' });
    expect(await placing).toMatchObject({ outcome: 'failed' });
  });
});

describe('phone numbers through Twilio', () => {
  let seeded: Awaited<ReturnType<typeof twilioTenant>>;
  let channel: Channel;
  // The Host the purchase's webhook URLs are built from (no SWITCHBOARD_PUBLIC_URL in tests).
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, token = seeded.token) =>
    server.app.inject({
      method,
      url,
      headers: { ...auth(token), host: new URL(server.baseUrl).host },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    seeded = await twilioTenant('numbers');
    channel = seeded.channel;
  });

  it('searches, buys (webhooks pointed at us), lists, assigns and releases a number, audited', async () => {
    const available = await api('GET', `/v1/phone-numbers/available?channelId=${channel.id}&country=US&areaCode=212`);
    expect(available.statusCode).toBe(200);
    const items = available.json().items as Array<{ e164: string; capabilities: { voice: boolean } }>;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((n) => n.e164.startsWith('+1212') && n.capabilities.voice)).toBe(true);
    const e164 = items[0]?.e164 as string;

    const bought = await api('POST', '/v1/phone-numbers', { channelId: channel.id, e164 });
    expect(bought.statusCode).toBe(201);
    const number = bought.json();
    expect(number).toMatchObject({ e164, channelId: channel.id, voiceAgentId: null, flowId: null });
    expect(number.providerSid).toMatch(/^PN/);
    expect(twilio.ownedNumbers()).toContain(e164);
    const purchase = twilio.requests.find((r) => r.path.endsWith('/IncomingPhoneNumbers.json') && r.method === 'POST');
    expect(purchase?.form.get('VoiceUrl')).toBe(`${server.baseUrl}/hooks/twilio/${channel.id}/voice/incoming`);
    expect(purchase?.form.get('SmsUrl')).toBe(`${server.baseUrl}/hooks/twilio/${channel.id}/messages`);

    // Buying it again answers with the number already owned; nothing is bought twice.
    const again = await api('POST', '/v1/phone-numbers', { channelId: channel.id, e164 });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(number.id);

    const listed = await api('GET', '/v1/phone-numbers');
    expect(listed.json().items.map((n: { id: string }) => n.id)).toEqual([number.id]);

    const agent = await db().voiceAgent.create({
      data: { tenantId: seeded.tenant.id, name: 'Front desk', persona: '', firstMessage: 'Hello!', voice: {} },
    });
    const assigned = await api('PATCH', `/v1/phone-numbers/${number.id}`, { voiceAgentId: agent.id });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toMatchObject({ voiceAgentId: agent.id, flowId: null });
    const toFlow = await api('PATCH', `/v1/phone-numbers/${number.id}`, { flowId: seeded.flow.id });
    expect(toFlow.json()).toMatchObject({ voiceAgentId: null, flowId: seeded.flow.id });
    expect((await api('PATCH', `/v1/phone-numbers/${number.id}`, { voiceAgentId: randomUUID() })).statusCode).toBe(404);

    const other = await seedTenant(db(), `numbers-other-${randomUUID().slice(0, 8)}`);
    expect((await api('PATCH', `/v1/phone-numbers/${number.id}`, { flowId: null }, other.token)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/phone-numbers/${number.id}`, undefined, other.token)).statusCode).toBe(404);
    expect(
      (await api('GET', `/v1/phone-numbers/available?channelId=${channel.id}`, undefined, other.token)).statusCode,
    ).toBe(404);

    const released = await api('DELETE', `/v1/phone-numbers/${number.id}`);
    expect(released.statusCode).toBe(204);
    expect(twilio.ownedNumbers()).not.toContain(e164);
    expect(await db().phoneNumber.count({ where: { id: number.id } })).toBe(0);
    const audit = await db().auditLog.findMany({ where: { tenantId: seeded.tenant.id, targetId: number.id } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['phone_number.purchased', 'phone_number.released']),
    );
  });

  it("refuses what the provider refuses, as the client's error", async () => {
    const res = await api('POST', '/v1/phone-numbers', { channelId: channel.id, e164: '+19995550100' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('provider_refused');
  });
});

describe('inbound calls to our numbers', () => {
  async function ownedNumber(slug: string) {
    const seeded = await twilioTenant(slug);
    const available = await server.app.inject({
      method: 'GET',
      url: `/v1/phone-numbers/available?channelId=${seeded.channel.id}&country=US`,
      headers: auth(seeded.token),
    });
    const owned = new Set(twilio.ownedNumbers());
    const e164 = (available.json().items as Array<{ e164: string }>).find((n) => !owned.has(n.e164))?.e164;
    const bought = await server.app.inject({
      method: 'POST',
      url: '/v1/phone-numbers',
      headers: auth(seeded.token),
      payload: { channelId: seeded.channel.id, e164 },
    });
    expect(bought.statusCode).toBe(201);
    return { ...seeded, number: bought.json() as { id: string; e164: string } };
  }
  const ring = (channelId: string, to: string, sid: string, from = '+14155550199') =>
    postTwilio(`${server.baseUrl}/hooks/twilio/${channelId}/voice/incoming`, twilio.authToken, {
      AccountSid: twilio.accountSid,
      CallSid: sid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: from,
      To: to,
    });

  it('answers with the assigned agent: its first message, in its voice, listening', async () => {
    const seeded = await ownedNumber('inbound-agent');
    const agent = await db().voiceAgent.create({
      data: {
        tenantId: seeded.tenant.id,
        name: 'Support line',
        persona: 'helpful',
        firstMessage: 'Thanks for calling Acme & Co. How can I help?',
        voice: { provider: 'twilio', voiceId: 'Polly.Amy', language: 'en-GB' },
        bargeIn: false,
      },
    });
    await db().phoneNumber.update({ where: { id: seeded.number.id }, data: { voiceAgentId: agent.id } });
    const sid = TWILIO_CALL_SID();
    const answer = await ring(seeded.channel.id, seeded.number.e164, sid);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('bargeIn="false"');
    expect(answer.body).toContain(
      '<Say voice="Polly.Amy" language="en-GB">Thanks for calling Acme &amp; Co. How can I help?</Say>',
    );
    // Twilio retrying the webhook gets the same answer and one call.
    expect((await ring(seeded.channel.id, seeded.number.e164, sid)).body).toBe(answer.body);
    const calls = await db().call.findMany({ where: { providerCallId: sid } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ direction: 'inbound', voiceAgentId: agent.id, from: '+14155550199' });
    const caller = await db().contact.findFirst({ where: { tenantId: seeded.tenant.id, phone: '+14155550199' } });
    expect(caller?.id).toBe(calls[0]?.contactId);

    // The caller asks a question: the loop answers from the knowledge base.
    const reply = await postTwilio(gatherAction(answer.body), twilio.authToken, {
      CallSid: sid,
      SpeechResult: 'How much does the Growth plan cost?',
    });
    expect(reply.body).toContain('99 dollars per month');
    // Twilio repeating the next gather concurrently: one turn is recorded, both get the same reply.
    const next = () =>
      postTwilio(gatherAction(reply.body), twilio.authToken, { CallSid: sid, SpeechResult: 'Thanks, bye.' });
    const [a, b] = await Promise.all([next(), next()]);
    expect(a.body).toBe(b.body);
    expect(a.body).toContain('<Hangup/>');
    const row = await db().call.findUniqueOrThrow({ where: { id: calls[0]?.id as string } });
    expect(row.turns).toBe(2);
    expect(transcriptOf(row).map((e) => e.role)).toEqual(['agent', 'customer', 'agent', 'customer', 'agent']);
  });

  it('starts a run of the assigned flow for the caller, once, and holds the line briefly', async () => {
    const seeded = await ownedNumber('inbound-flow');
    await db().phoneNumber.update({ where: { id: seeded.number.id }, data: { flowId: seeded.flow.id } });
    const sid = TWILIO_CALL_SID();
    // The seeded contact's number: the run is for that contact.
    const answer = await ring(seeded.channel.id, seeded.number.e164, sid, seeded.contact.phone as string);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`${HOOK_LINES.holding}</Say><Hangup/>`);
    await ring(seeded.channel.id, seeded.number.e164, sid, seeded.contact.phone as string);
    const runs = await db().run.findMany({ where: { tenantId: seeded.tenant.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ flowId: seeded.flow.id, contactId: seeded.contact.id, status: 'running' });
    const described = await server.env.client.workflow.getHandle(runs[0]?.workflowId as string).describe();
    expect(described.type).toBe('runFlow');
    expect(await db().call.findFirst({ where: { providerCallId: sid } })).toMatchObject({
      direction: 'inbound',
      workflowId: runs[0]?.workflowId,
    });
  });

  it('tells callers of an unassigned number it is not in service', async () => {
    const seeded = await ownedNumber('inbound-none');
    const answer = await ring(seeded.channel.id, seeded.number.e164, TWILIO_CALL_SID());
    expect(answer.body).toContain(`${HOOK_LINES.notInService}</Say><Hangup/>`);
    expect(await db().run.count({ where: { tenantId: seeded.tenant.id } })).toBe(0);
  });
});
