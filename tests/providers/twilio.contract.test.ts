import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { permanentErrorTypeForCode } from '../../activities/providers/twilio/errors';
import { parseTwilioForm, parseTwilioWebhook } from '../../activities/providers/twilio/inbound';
import { TwilioMessagingProvider } from '../../activities/providers/twilio/messaging';
import { verifyTwilioWebhook } from '../../activities/providers/twilio/signature';
import { TwilioNumberProvider, TwilioVoiceProvider } from '../../activities/providers/twilio/voice';
import {
  type InboundEvent,
  type OutboundMessage,
  PermanentSendError,
  TransientSendError,
} from '../../activities/providers/types';
import { failure } from '../helpers/providers';
import { TwilioStandIn } from '../stand-ins/twilio';

const SENDER = '+15005550006';
const CONTENT_SID = `HX${'ab'.repeat(16)}`;

let standIn: TwilioStandIn;
let nextNumber = 0;
/** A fresh recipient per test, so counts and lists never see another test's messages. */
const recipient = () => `+1415555${String(2000 + nextNumber++).padStart(4, '0')}`;

beforeAll(async () => {
  standIn = await TwilioStandIn.start();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.holdMessagesQueued = false;
  standIn.outsideWindowFailure = 'reject';
});

function messaging(overrides: { authToken?: string; apiBaseUrl?: string } = {}) {
  return new TwilioMessagingProvider(
    { accountSid: standIn.accountSid, from: SENDER, apiBaseUrl: overrides.apiBaseUrl ?? standIn.baseUrl },
    { authToken: overrides.authToken ?? standIn.authToken },
  );
}
const account = () => ({ accountSid: standIn.accountSid, apiBaseUrl: standIn.baseUrl });
const secrets = () => ({ authToken: standIn.authToken });
const ctx = { idempotencyKey: 'wf-1:send:1' };

function sms(to: string, text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return { channel: 'sms', to, text, ...extra };
}

/** The form of the last request to `path` (a suffix such as '/Messages.json'). */
function lastForm(method: string, pathSuffix: string): URLSearchParams {
  const request = standIn.requests.filter((r) => r.method === method && r.path.endsWith(pathSuffix)).at(-1);
  if (!request) throw new Error(`no ${method} ${pathSuffix}`);
  return request.form;
}

describe('TwilioMessagingProvider.send', () => {
  it('sends an SMS with To, From, Body and StatusCallback, and reports sid, status and segments', async () => {
    const to = recipient();
    const result = await messaging().send(sms(to, 'Your order shipped'), {
      ...ctx,
      statusCallbackUrl: 'https://hooks.example.com/twilio/status',
    });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result).toMatchObject({ status: 'queued', segments: 1 });
    const form = lastForm('POST', '/Messages.json');
    expect(Object.fromEntries(form)).toEqual({
      To: to,
      From: SENDER,
      Body: 'Your order shipped',
      StatusCallback: 'https://hooks.example.com/twilio/status',
    });
    expect(standIn.acceptedCount({ to, body: 'Your order shipped' })).toBe(1);
  });

  it('sends WhatsApp freeform with the whatsapp: prefix on To and From', async () => {
    const to = recipient();
    const result = await messaging().send({ channel: 'whatsapp', to, text: 'Hi there' }, ctx);
    expect(result.status).toBe('queued');
    const form = lastForm('POST', '/Messages.json');
    expect(form.get('To')).toBe(`whatsapp:${to}`);
    expect(form.get('From')).toBe(`whatsapp:${SENDER}`);
    expect(form.get('Body')).toBe('Hi there');
  });

  it('sends a WhatsApp template as ContentSid with numbered ContentVariables and no Body', async () => {
    standIn.registerContent(CONTENT_SID, 'Hello {{1}}, order {{2}} is on its way');
    const to = recipient();
    await messaging().send(
      {
        channel: 'whatsapp',
        to,
        text: 'Hello Ada, order #42 is on its way',
        template: { name: CONTENT_SID, language: 'en', variables: ['Ada', '#42'] },
      },
      ctx,
    );
    const form = lastForm('POST', '/Messages.json');
    expect(form.get('ContentSid')).toBe(CONTENT_SID);
    expect(JSON.parse(form.get('ContentVariables') ?? '')).toEqual({ '1': 'Ada', '2': '#42' });
    expect(form.has('Body')).toBe(false);
    expect(standIn.acceptedMessages({ to })[0]?.body).toBe('Hello Ada, order #42 is on its way');
  });

  it('refuses a template name that is not a Content SID, without calling Twilio', async () => {
    const before = standIn.requests.length;
    const err = await failure(
      messaging().send(
        {
          channel: 'whatsapp',
          to: recipient(),
          text: 'x',
          template: { name: 'order_shipped', language: 'en', variables: [] },
        },
        ctx,
      ),
    );
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'TemplateRejected' });
    expect((err as Error).message).toMatch(/Content SID.*"order_shipped"/);
    expect(standIn.requests.length).toBe(before);
  });

  it('sends media as repeated MediaUrl parameters', async () => {
    const result = await messaging().send(
      sms(recipient(), 'Two pictures', {
        media: [
          { url: 'https://cdn.example.com/a.jpg' },
          { url: 'https://cdn.example.com/b.png', contentType: 'image/png' },
        ],
      }),
      ctx,
    );
    expect(result.providerMessageId).toMatch(/^MM/);
    expect(lastForm('POST', '/Messages.json').getAll('MediaUrl')).toEqual([
      'https://cdn.example.com/a.jpg',
      'https://cdn.example.com/b.png',
    ]);
  });

  it('reports the segments Twilio bills: GSM-7 153 per part, UCS-2 67 per part', async () => {
    const long = await messaging().send(sms(recipient(), 'a'.repeat(1600)), ctx);
    expect(long.segments).toBe(11);
    const emoji = await messaging().send(sms(recipient(), '😀'.repeat(100)), ctx);
    expect(emoji.segments).toBe(3);
  });

  it('maps a 2,000-character body, over Twilio’s 1,600-character limit, to InvalidRequest (21617)', async () => {
    const err = await failure(messaging().send(sms(recipient(), 'a'.repeat(2000)), ctx));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'InvalidRequest', providerCode: '21617' });
  });

  it('honours the configured timeout: an answer that never comes is a transient unknown outcome', async () => {
    standIn.failNextMessageCreates(1, { kind: 'accept-then-hang' });
    const err = await failure(messaging().send(sms(recipient(), 'hang'), { ...ctx, timeoutMs: 300 }));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'unknown' });
  });

  it('treats a connection reset after the request went out as a transient unknown outcome', async () => {
    const to = recipient();
    standIn.failNextMessageCreates(1, { kind: 'accept-then-reset' });
    const err = await failure(messaging().send(sms(to, 'reset'), ctx));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'unknown' });
    expect(standIn.acceptedCount({ to })).toBe(1);
  });

  it('treats a refused connection as not sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(messaging({ apiBaseUrl: `http://127.0.0.1:${port}` }).send(sms(recipient(), 'x'), ctx));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent' });
  });
});

describe('Twilio error mapping', () => {
  it.each([
    ['an invalid number', () => sms('12345', 'x'), 'InvalidRecipient', '21211'],
    ['no recipient', () => sms('', 'x'), 'InvalidRecipient', '21604'],
    ['no body', () => sms(recipient(), ''), 'InvalidRequest', '21602'],
  ])('maps %s from the stand-in’s own validation', async (_, message, type, code) => {
    const err = await failure(messaging().send(message(), ctx));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type, providerCode: code });
  });

  it('maps an unsubscribed recipient (STOP) to OptedOut', async () => {
    const to = recipient();
    standIn.optOut(to);
    const err = await failure(messaging().send(sms(to, 'x'), ctx));
    expect(err).toMatchObject({ type: 'OptedOut', providerCode: '21610' });
    expect(standIn.acceptedCount({ to })).toBe(0);
  });

  it('maps WhatsApp freeform outside the 24-hour window to OutsideWindow', async () => {
    const to = recipient();
    standIn.closeWhatsAppWindow(to);
    const err = await failure(messaging().send({ channel: 'whatsapp', to, text: 'late' }, ctx));
    expect(err).toMatchObject({ type: 'OutsideWindow', providerCode: '63016' });
  });

  it('maps bad credentials to Unauthorized', async () => {
    const err = await failure(messaging({ authToken: 'not-the-token-0123456789' }).send(sms(recipient(), 'x'), ctx));
    expect(err).toMatchObject({ type: 'Unauthorized', providerCode: '20003' });
  });

  it.each([
    [21614, 'InvalidRecipient'],
    [21217, 'InvalidRecipient'],
    [21401, 'InvalidRecipient'],
    [63032, 'TemplateRejected'],
    [63049, 'TemplateRejected'],
    [21656, 'TemplateRejected'],
    [63027, 'TemplateRejected'],
    [21655, 'TemplateRejected'],
    [30007, 'Blocked'],
    [21408, 'Blocked'],
    [21612, 'Blocked'],
    [30034, 'Blocked'],
    [21606, 'InvalidRequest'],
  ])('maps Twilio error %i to %s, keeping the code', async (code, type) => {
    standIn.failNextMessageCreates(1, { kind: 'twilio-error', status: 400, code, message: `error ${code}` });
    const err = await failure(messaging().send(sms(recipient(), 'x'), ctx));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type, providerCode: String(code), message: expect.stringContaining(`error ${code}`) });
  });

  it('maps 429 to a transient not-sent failure with Retry-After in seconds', async () => {
    const to = recipient();
    standIn.failNextMessageCreates(1, { kind: 'rate-limited', retryAfter: '7' });
    const err = await failure(messaging().send(sms(to, 'x'), ctx));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', retryAfterMs: 7000, providerCode: '20429' });
    expect(standIn.acceptedCount({ to })).toBe(0);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    standIn.failNextMessageCreates(1, { kind: 'rate-limited', retryAfter: inAnHour });
    const err = (await failure(messaging().send(sms(recipient(), 'x'), ctx))) as TransientSendError;
    expect(err.outcome).toBe('not-sent');
    expect(err.retryAfterMs).toBeGreaterThan(3_000_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });

  it('maps 5xx to a transient not-sent failure', async () => {
    const to = recipient();
    standIn.failNextMessageCreates(1, { kind: 'server-error', status: 503 });
    const err = await failure(messaging().send(sms(to, 'x'), ctx));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent' });
    expect(standIn.acceptedCount({ to })).toBe(0);
  });
});

describe('TwilioMessagingProvider.findSent', () => {
  it('finds the message a timed-out attempt left on Twilio, so the retry does not send it twice', async () => {
    const to = recipient();
    const message = sms(to, 'Exactly once, please');
    const since = new Date();
    standIn.failNextMessageCreates(1, { kind: 'accept-then-hang' });
    const err = await failure(messaging().send(message, { ...ctx, timeoutMs: 300 }));
    expect(err).toMatchObject({ outcome: 'unknown' });

    const found = await messaging().findSent(message, { idempotencyKey: ctx.idempotencyKey, since });
    const accepted = standIn.acceptedMessages({ to });
    expect(accepted).toHaveLength(1);
    expect(found).toEqual({ providerMessageId: accepted[0]?.sid, status: 'sent', segments: 1 });
    // What the send activity does with it: settle on the found message instead of sending again.
    expect(standIn.acceptedCount({ to, body: message.text })).toBe(1);
    const listed = standIn.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'));
    expect(listed.some((r) => r.query.get('DateSent>')?.startsWith(since.toISOString().slice(0, 10)))).toBe(true);
  });

  it('finds a message still queued, whose date_sent is empty', async () => {
    standIn.holdMessagesQueued = true;
    const to = recipient();
    const message = sms(to, 'Still in the queue');
    const since = new Date();
    const sent = await messaging().send(message, ctx);
    const found = await messaging().findSent(message, { idempotencyKey: ctx.idempotencyKey, since });
    expect(found).toMatchObject({ providerMessageId: sent.providerMessageId, status: 'queued' });
  });

  it('returns null when nothing with that body went to that recipient since', async () => {
    const to = recipient();
    const since = new Date();
    await messaging().send(sms(to, 'something else'), ctx);
    expect(await messaging().findSent(sms(to, 'never sent'), { idempotencyKey: 'k', since })).toBeNull();
    const later = new Date(Date.now() + 60_000);
    expect(await messaging().findSent(sms(to, 'something else'), { idempotencyKey: 'k', since: later })).toBeNull();
  });

  it('finds a WhatsApp template message by recipient and variables', async () => {
    standIn.registerContent(CONTENT_SID, 'Hello {{1}}, order {{2}} is on its way');
    const to = recipient();
    const message: OutboundMessage = {
      channel: 'whatsapp',
      to,
      text: '',
      template: { name: CONTENT_SID, language: 'en', variables: ['Grace', '#7'] },
    };
    const since = new Date();
    const sent = await messaging().send(message, ctx);
    expect(await messaging().findSent(message, { idempotencyKey: 'k', since })).toMatchObject({
      providerMessageId: sent.providerMessageId,
    });
  });
});

describe('TwilioMessagingProvider.testConnection', () => {
  it('fetches the account and names it', async () => {
    expect(await messaging().testConnection()).toEqual({ detail: 'account "Switchboard stand-in" is active' });
  });

  it('maps 401 to Unauthorized', async () => {
    const err = await failure(messaging({ authToken: 'wrong-token-0123456789' }).testConnection());
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'Unauthorized', providerCode: '20003' });
  });
});

describe('TwilioVoiceProvider', () => {
  const voice = () => new TwilioVoiceProvider(account(), secrets());
  const request = (to: string) => ({
    to,
    from: SENDER,
    answerUrl: 'https://hooks.example.com/voice/answer',
    statusCallbackUrl: 'https://hooks.example.com/voice/status',
    machineDetection: 'DetectMessageEnd' as const,
    ringTimeoutSeconds: 25,
    timeLimitSeconds: 600,
    record: true,
  });

  it('creates a call with Url, status events, synchronous AMD, ring timeout, time limit and recording', async () => {
    const snapshot = await voice().createCall(request(recipient()), { idempotencyKey: 'k' });
    expect(snapshot.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(snapshot.status).toBe('queued');
    const form = lastForm('POST', '/Calls.json');
    expect(form.get('Url')).toBe('https://hooks.example.com/voice/answer');
    expect(form.get('StatusCallback')).toBe('https://hooks.example.com/voice/status');
    expect(form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(form.get('MachineDetection')).toBe('DetectMessageEnd');
    expect(form.get('AsyncAmd')).toBe('false');
    expect(form.get('Timeout')).toBe('25');
    expect(form.get('TimeLimit')).toBe('600');
    expect(form.get('Record')).toBe('true');
  });

  it('omits MachineDetection when it is off', async () => {
    await voice().createCall(
      { ...request(recipient()), machineDetection: 'off', record: false },
      { idempotencyKey: 'k' },
    );
    const form = lastForm('POST', '/Calls.json');
    expect(form.has('MachineDetection')).toBe(false);
    expect(form.has('AsyncAmd')).toBe(false);
    expect(form.get('Record')).toBe('false');
  });

  it('fetches a call with the AMD verdict, duration and a positive price', async () => {
    const { providerCallId } = await voice().createCall(request(recipient()), { idempotencyKey: 'k' });
    standIn.updateCall(providerCallId, { status: 'in-progress', answeredBy: 'machine_end_beep' });
    expect(await voice().fetchCall(providerCallId)).toEqual({
      providerCallId,
      status: 'in-progress',
      answeredBy: 'machine',
    });
    standIn.updateCall(providerCallId, { status: 'completed', duration: 42, price: '-0.0130' });
    expect(await voice().fetchCall(providerCallId)).toEqual({
      providerCallId,
      status: 'completed',
      answeredBy: 'machine',
      durationSeconds: 42,
      price: '0.0130',
      priceUnit: 'USD',
    });
  });

  it('cancels a ringing call, completes one in progress, and leaves an ended one alone', async () => {
    const ringing = await voice().createCall(request(recipient()), { idempotencyKey: 'k' });
    standIn.updateCall(ringing.providerCallId, { status: 'ringing' });
    await voice().hangup(ringing.providerCallId);
    expect(lastForm('POST', `/Calls/${ringing.providerCallId}.json`).get('Status')).toBe('canceled');
    expect(standIn.call(ringing.providerCallId)?.status).toBe('canceled');

    const talking = await voice().createCall(request(recipient()), { idempotencyKey: 'k' });
    standIn.updateCall(talking.providerCallId, { status: 'in-progress', answeredBy: 'human' });
    await voice().hangup(talking.providerCallId);
    expect(lastForm('POST', `/Calls/${talking.providerCallId}.json`).get('Status')).toBe('completed');
    expect(standIn.call(talking.providerCallId)?.status).toBe('completed');

    const updatesBefore = standIn.requests.filter((r) => r.method === 'POST').length;
    await voice().hangup(talking.providerCallId);
    expect(standIn.requests.filter((r) => r.method === 'POST').length).toBe(updatesBefore);
  });

  it('finds a call placed since a time, even one still queued without a start time', async () => {
    const to = recipient();
    const since = new Date();
    const placed = await voice().createCall(request(to), { idempotencyKey: 'k' });
    expect(await voice().findCall({ to, from: SENDER }, since)).toMatchObject({
      providerCallId: placed.providerCallId,
    });
    standIn.updateCall(placed.providerCallId, { status: 'ringing' });
    expect(await voice().findCall({ to, from: SENDER }, since)).toMatchObject({
      providerCallId: placed.providerCallId,
    });
    expect(await voice().findCall({ to: recipient(), from: SENDER }, since)).toBeNull();
    const listed = standIn.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Calls.json'));
    expect(listed.some((r) => r.query.has('StartTime>'))).toBe(true);
  });

  it('tests the connection', async () => {
    expect(await voice().testConnection()).toEqual({ detail: 'account "Switchboard stand-in" is active' });
  });
});

describe('TwilioNumberProvider', () => {
  const numbers = () => new TwilioNumberProvider(account(), secrets());

  it('searches, buys, lists and releases a number', async () => {
    const available = await numbers().searchAvailable({ country: 'US', areaCode: '415', limit: 5 });
    expect(available).toHaveLength(5);
    expect(available[0]).toEqual({
      e164: expect.stringMatching(/^\+1415/),
      locality: 'San Francisco',
      region: 'CA',
      capabilities: { voice: true, sms: true, mms: true },
    });
    const contains = await numbers().searchAvailable({ country: 'US', contains: '2125550105' });
    expect(contains.map((n) => n.e164)).toEqual(['+12125550105']);

    const chosen = available[0]?.e164 ?? '';
    const hooks = {
      voiceUrl: 'https://hooks.example.com/voice',
      smsUrl: 'https://hooks.example.com/sms',
      statusCallbackUrl: 'https://hooks.example.com/status',
    };
    const owned = await numbers().buy(chosen, hooks);
    expect(owned).toMatchObject({ e164: chosen, providerSid: expect.stringMatching(/^PN[0-9a-f]{32}$/) });
    const form = lastForm('POST', '/IncomingPhoneNumbers.json');
    expect(form.get('PhoneNumber')).toBe(chosen);
    expect(form.get('VoiceUrl')).toBe(hooks.voiceUrl);
    expect(form.get('SmsUrl')).toBe(hooks.smsUrl);
    expect(form.get('StatusCallback')).toBe(hooks.statusCallbackUrl);

    expect((await numbers().list()).map((n) => n.providerSid)).toContain(owned.providerSid);
    await numbers().release(owned.providerSid);
    expect((await numbers().list()).map((n) => n.providerSid)).not.toContain(owned.providerSid);
    // Releasing again is a no-op: the number is already gone.
    await numbers().release(owned.providerSid);
  });

  it('refuses a number no longer available', async () => {
    const err = await failure(
      numbers().buy('+19995550100', { voiceUrl: 'https://a', smsUrl: 'https://b', statusCallbackUrl: 'https://c' }),
    );
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'InvalidRequest', providerCode: '21422' });
  });
});

describe('webhooks the stand-in posts, as Twilio signs them', () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: InboundEvent[][] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const params = parseTwilioForm(rawBody);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        try {
          verifyTwilioWebhook(
            standIn.authToken,
            { url: `${receiverUrl}${req.url}`, method: 'POST', headers, rawBody },
            params,
          );
          received.push(parseTwilioWebhook(params));
          res.writeHead(204).end();
        } catch (err) {
          res.writeHead((err as { statusCode?: number }).statusCode ?? 500).end(String(err));
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('delivers signed message status callbacks that parse into status events', async () => {
    const sent = await messaging().send(sms(recipient(), 'receipt please'), {
      ...ctx,
      statusCallbackUrl: `${receiverUrl}/webhooks/twilio/status?channel=ch_1`,
    });
    expect((await standIn.fireMessageStatus(sent.providerMessageId, 'delivered')).status).toBe(204);
    expect(received.at(-1)).toEqual([
      { kind: 'status', providerMessageId: sent.providerMessageId, status: 'delivered' },
    ]);

    await standIn.fireMessageStatus(sent.providerMessageId, 'undelivered', {
      errorCode: 30007,
      errorMessage: 'filtered',
    });
    const [event] = received.at(-1) ?? [];
    expect(event).toMatchObject({
      kind: 'status',
      status: 'undelivered',
      errorCode: '30007',
      errorMessage: 'filtered',
    });
    expect(permanentErrorTypeForCode(event?.kind === 'status' ? event.errorCode : undefined)).toBe('Blocked');
  });

  it('reports a WhatsApp message failed after acceptance for the 24-hour window with code 63016', async () => {
    standIn.outsideWindowFailure = 'fail-after-accept';
    const to = recipient();
    standIn.closeWhatsAppWindow(to);
    const sent = await messaging().send(
      { channel: 'whatsapp', to, text: 'late' },
      { ...ctx, statusCallbackUrl: `${receiverUrl}/status` },
    );
    await standIn.fireMessageStatus(sent.providerMessageId, 'failed', { errorCode: 63016 });
    const [event] = received.at(-1) ?? [];
    expect(event).toMatchObject({ kind: 'status', status: 'failed', errorCode: '63016' });
    expect(permanentErrorTypeForCode('63016')).toBe('OutsideWindow');
  });

  it('delivers signed call status callbacks with AMD verdict, duration and price', async () => {
    const voice = new TwilioVoiceProvider(account(), secrets());
    const call = await voice.createCall(
      {
        to: recipient(),
        from: SENDER,
        answerUrl: `${receiverUrl}/answer`,
        statusCallbackUrl: `${receiverUrl}/call-status`,
        machineDetection: 'Enable',
        ringTimeoutSeconds: 20,
        timeLimitSeconds: 300,
        record: true,
      },
      { idempotencyKey: 'k' },
    );
    await standIn.fireCallStatus(call.providerCallId, { status: 'in-progress', answeredBy: 'human' });
    expect(received.at(-1)?.[0]).toMatchObject({ kind: 'call-status', status: 'in-progress', answeredBy: 'human' });
    await standIn.fireCallStatus(call.providerCallId, {
      status: 'completed',
      duration: 61,
      price: '-0.0260',
      recordingUrl: 'https://api.twilio.com/recordings/RE1',
    });
    expect(received.at(-1)?.[0]).toMatchObject({
      kind: 'call-status',
      providerCallId: call.providerCallId,
      status: 'completed',
      durationSeconds: 61,
      price: '0.0260',
      priceUnit: 'USD',
      recordingUrl: 'https://api.twilio.com/recordings/RE1',
    });
  });

  it('delivers an inbound WhatsApp message with media and profile name', async () => {
    const from = recipient();
    const { status, messageSid } = await standIn.fireInboundMessage(`${receiverUrl}/inbound`, {
      channel: 'whatsapp',
      from,
      to: SENDER,
      body: 'here is the photo',
      profileName: 'Ada',
      media: [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }],
    });
    expect(status).toBe(204);
    expect(received.at(-1)).toEqual([
      {
        kind: 'message',
        channel: 'whatsapp',
        providerMessageId: messageSid,
        from,
        to: SENDER,
        text: 'here is the photo',
        profileName: 'Ada',
        media: [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }],
      },
    ]);
  });
});
