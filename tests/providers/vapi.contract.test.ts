import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentSendError, type RawWebhook, TransientSendError } from '../../activities/providers/types';
import { type StartCallRequest, type VapiVoiceOptions, VapiVoiceProvider } from '../../activities/providers/vapi/voice';
import {
  parseVapiCompletion,
  parseVapiServerMessage,
  vapiEndedReasonOutcome,
  verifyVapiWebhook,
} from '../../activities/providers/vapi/webhook';
import { closedPort, failure, rejection } from '../helpers/providers';
import { startVapiStandIn, type VapiFault, type VapiStandIn } from '../stand-ins/vapi';

const SECRET = 'whsec-vapi-0123456789abcdef';

/** A local server URL for Vapi's server messages: records each request as the HTTP layer would see it. */
class Receiver {
  readonly received: RawWebhook[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        headers[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      this.received.push({
        url: `${this.baseUrl}${req.url ?? '/'}`,
        method: req.method ?? 'POST',
        headers,
        rawBody: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  baseUrl = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  last(): RawWebhook {
    const webhook = this.received.at(-1);
    if (!webhook) throw new Error('no server message received');
    return webhook;
  }
}

let vapi: VapiStandIn;
let receiver: Receiver;

beforeAll(async () => {
  vapi = await startVapiStandIn();
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await vapi.close();
  await receiver.close();
});
beforeEach(() => {
  vapi.reset();
  receiver.received.length = 0;
});

function provider(options: Partial<VapiVoiceOptions> = {}): VapiVoiceProvider {
  return new VapiVoiceProvider({
    apiKey: vapi.apiKey,
    phoneNumberId: vapi.phoneNumberId,
    webhookSecret: SECRET,
    apiBaseUrl: vapi.baseUrl,
    ...options,
  });
}

const CUSTOMER = '+14155550123';

function request(overrides: Partial<StartCallRequest> = {}): StartCallRequest {
  return {
    to: CUSTOMER,
    agent: {
      persona: 'You are Ava, calling from Acme Dental to confirm tomorrow’s appointment.',
      firstMessage: 'Hi, this is Ava from Acme Dental. Is this a good time?',
      voice: { provider: 'elevenlabs', voiceId: '21m00Tcm4TlvDq8ikWAM', language: 'en-US' },
    },
    maxDurationSeconds: 300,
    webhookUrl: `${receiver.baseUrl}/webhooks/vapi/ch_1`,
    metadata: { runId: 'run_1', nodeId: 'call_1' },
    ...overrides,
  };
}

const ctx = (key = 'wf-1:call_1:1') => ({ idempotencyKey: key });

describe('Vapi POST /call', () => {
  it('sends the documented body: transient assistant from the agent, customer number, server URL, key in metadata', async () => {
    const started = await provider().startCall(request(), ctx());
    expect(vapi.requests).toHaveLength(1);
    expect(vapi.requests[0]).toMatchObject({ method: 'POST', path: '/call' });
    expect(vapi.requests[0]?.body).toEqual({
      phoneNumberId: vapi.phoneNumberId,
      customer: { number: CUSTOMER },
      assistant: {
        firstMessage: 'Hi, this is Ava from Acme Dental. Is this a good time?',
        model: {
          provider: 'openai',
          model: 'gpt-4o',
          messages: [
            { role: 'system', content: 'You are Ava, calling from Acme Dental to confirm tomorrow’s appointment.' },
          ],
        },
        voice: { provider: '11labs', voiceId: '21m00Tcm4TlvDq8ikWAM' },
        transcriber: { provider: 'deepgram', language: 'en-US' },
        maxDurationSeconds: 300,
        server: { url: `${receiver.baseUrl}/webhooks/vapi/ch_1`, headers: { 'X-Vapi-Secret': SECRET } },
        serverMessages: ['end-of-call-report', 'status-update'],
        metadata: { runId: 'run_1', nodeId: 'call_1', idempotencyKey: 'wf-1:call_1:1' },
      },
    });
    expect(started).toEqual({ providerCallId: vapi.calls[0]?.id, status: 'queued' });
    expect(vapi.callsCreated).toBe(1);
  });

  it('uses the configured model, transcriber and extra assistant settings, and ignores `from`', async () => {
    await provider({
      model: { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022' },
      transcriberProvider: 'gladia',
      assistantSettings: { voicemailMessage: 'Please call us back.' },
    }).startCall(request({ from: '+14155559999' }), ctx());
    const body = vapi.requests[0]?.body as { assistant: Record<string, unknown>; phoneNumberId: string };
    expect(body.phoneNumberId).toBe(vapi.phoneNumberId);
    expect(body.assistant).toMatchObject({
      model: { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022' },
      transcriber: { provider: 'gladia', language: 'en-US' },
      voicemailMessage: 'Please call us back.',
    });
    expect(JSON.stringify(body)).not.toContain('+14155559999');
  });

  it('refuses a Twilio <Say> voice unless a fallback voice is configured', async () => {
    const twilioVoice = request({
      agent: { ...request().agent, voice: { provider: 'twilio', voiceId: 'Polly.Joanna', language: 'en-US' } },
    });
    expect(await failure(provider().startCall(twilioVoice, ctx()))).toMatchObject({
      name: 'PermanentSendError',
      type: 'InvalidRequest',
    });
    expect(vapi.requests).toHaveLength(0);
    await provider({ fallbackVoice: { provider: 'cartesia', voiceId: 'sonic-voice-1' } }).startCall(twilioVoice, ctx());
    expect(vapi.calls[0]?.assistant?.voice).toEqual({ provider: 'cartesia', voiceId: 'sonic-voice-1' });
  });

  it('refuses a number that is not E.164 without calling Vapi', async () => {
    const err = await failure(provider().startCall(request({ to: '415-555-0123' }), ctx()));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'InvalidRecipient' });
    expect(vapi.requests).toHaveLength(0);
  });

  it('maps Vapi’s 400 about customer.number to InvalidRecipient', async () => {
    vapi.refuseNumber(CUSTOMER);
    const err = await failure(provider().startCall(request(), ctx()));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'InvalidRecipient', providerCode: '400' });
    expect((err as Error).message).toContain('customer.number must be a valid phone number in the E.164 format');
    expect(vapi.callsCreated).toBe(0);
  });

  it('maps a 400 about our phone number or assistant to InvalidRequest, not InvalidRecipient', async () => {
    const wrongNumber = await failure(provider({ phoneNumberId: 'not-our-number' }).startCall(request(), ctx()));
    expect(wrongNumber).toMatchObject({ type: 'InvalidRequest', providerCode: '400' });
    expect((wrongNumber as Error).message).toContain("Couldn't Get Phone Number");
    const tooShort = await failure(provider().startCall(request({ maxDurationSeconds: 5 }), ctx()));
    expect(tooShort).toMatchObject({ type: 'InvalidRequest', providerCode: '400' });
    expect((tooShort as Error).message).toContain('assistant.maxDurationSeconds');
  });

  it.each([
    [404, 'Not Found', 'InvalidRequest'],
    [422, 'Unprocessable Entity', 'InvalidRequest'],
    [403, 'Forbidden resource', 'Unauthorized'],
  ] as const)('maps HTTP %i to %s', async (status, message, type) => {
    vapi.injectFaults({ kind: 'api-error', status, message, error: message });
    const err = await failure(provider().startCall(request(), ctx()));
    expect(err).toMatchObject({ name: 'PermanentSendError', type, providerCode: String(status) });
  });

  it('answers a wrong private key with Unauthorized and Vapi’s hint', async () => {
    const err = await failure(provider({ apiKey: '00000000-0000-4000-8000-000000000000' }).startCall(request(), ctx()));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'Unauthorized', providerCode: '401' });
    expect((err as Error).message).toContain('Invalid Key. Hot tip');
    expect(vapi.callsCreated).toBe(0);
  });

  it('retries a 429 after Retry-After as not sent, then places exactly one call', async () => {
    vapi.injectFaults({ kind: 'rate-limited', retryAfterSeconds: 30 });
    const err = await failure(provider().startCall(request(), ctx()));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', retryAfterMs: 30_000, providerCode: '429' });
    await provider().startCall(request(), ctx());
    expect(vapi.callsCreated).toBe(1);
  });

  it.each([
    ['three 500s', { kind: 'server-error', status: 500, times: 3 }, 3],
    ['a 503', { kind: 'server-error', status: 503 }, 1],
    ['a 502 HTML page', { kind: 'gateway-html', status: 502 }, 1],
  ] as Array<[string, VapiFault, number]>)('retries %s as not sent', async (_, fault, attempts) => {
    vapi.injectFaults(fault);
    for (let i = 0; i < attempts; i++) {
      expect(await failure(provider().startCall(request(), ctx()))).toMatchObject({
        name: 'TransientSendError',
        outcome: 'not-sent',
      });
    }
    await provider().startCall(request(), ctx());
    expect(vapi.callsCreated).toBe(1);
  });

  it('reports a timeout after Vapi accepted the call as unknown, and findCall finds that call', async () => {
    const since = new Date(Date.now() - 1000);
    vapi.injectFaults({ kind: 'accept-then-hang' });
    const err = await failure(provider({ timeoutMs: 300 }).startCall(request(), ctx('wf-7:call_1:1')));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'unknown' });
    expect(vapi.callsCreated).toBe(1);

    const found = await provider().findCall('wf-7:call_1:1', since);
    expect(found).toMatchObject({ providerCallId: vapi.calls[0]?.id, status: 'queued' });
    expect(vapi.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/call',
      query: { phoneNumberId: vapi.phoneNumberId, createdAtGt: since.toISOString(), limit: '1000' },
    });
    expect(await provider().findCall('wf-7:call_1:2', since)).toBeNull();
    expect(await provider().findCall('wf-7:call_1:1', new Date(Date.now() + 1000))).toBeNull();
  });

  it('reports a reset after Vapi accepted the call as unknown', async () => {
    vapi.injectFaults({ kind: 'accept-then-reset' });
    expect(await failure(provider().startCall(request(), ctx()))).toMatchObject({
      name: 'TransientSendError',
      outcome: 'unknown',
    });
    expect(vapi.callsCreated).toBe(1);
  });

  it('reports a refused connection as not sent', async () => {
    const port = await closedPort();
    const err = await failure(provider({ apiBaseUrl: `http://127.0.0.1:${port}` }).startCall(request(), ctx()));
    expect(err).toMatchObject({ name: 'TransientSendError', outcome: 'not-sent' });
  });

  it.each(['newest-first', 'oldest-first'] as const)('findCall pages through a busy number (%s)', async (order) => {
    const since = new Date(Date.now() - 1000);
    for (let i = 1; i <= 7; i++) {
      await provider().startCall(request(), ctx(`wf-9:call_1:${i}`));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    vapi.listOrder = order;
    const wanted = order === 'newest-first' ? 1 : 7;
    const found = await provider().findCall(`wf-9:call_1:${wanted}`, since, { pageSize: 3 });
    expect(found?.providerCallId).toBe(vapi.calls[wanted - 1]?.id);
    expect(vapi.requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(1);
    expect(await provider().findCall('wf-9:call_1:99', since, { pageSize: 3 })).toBeNull();
  });

  it('fetches a call and tests the connection on the phone number', async () => {
    const { providerCallId } = await provider().startCall(request(), ctx());
    expect(await provider().fetchCall(providerCallId)).toMatchObject({ providerCallId, status: 'queued' });
    await vapi.endCall(providerCallId, { endedReason: 'voicemail' });
    expect(await provider().fetchCall(providerCallId)).toMatchObject({
      status: 'completed',
      answeredBy: 'machine',
      endedReason: 'voicemail',
    });
    expect(await provider().testConnection()).toEqual({ detail: `Vapi number ${vapi.phoneNumber}` });
    expect(await failure(provider({ phoneNumberId: 'nope' }).testConnection())).toMatchObject({
      type: 'InvalidRequest',
      providerCode: '404',
    });
  });

  it('calls api.vapi.ai when the base URL is not a loopback stand-in', async () => {
    const seen: string[] = [];
    const fetchImpl = (async (input: string | URL | Request) => {
      seen.push(String(input));
      return new Response(JSON.stringify({ id: 'call-1', status: 'queued' }), { status: 201 });
    }) as typeof fetch;
    await provider({ apiBaseUrl: 'http://10.0.0.5:8080', fetchImpl }).startCall(request(), ctx());
    expect(seen).toEqual(['https://api.vapi.ai/call']);
  });

  it('reports a 201 it cannot read as outcome unknown', async () => {
    const fetchImpl = (async () => new Response('{"ok":true}', { status: 201 })) as unknown as typeof fetch;
    expect(await failure(provider({ fetchImpl }).startCall(request(), ctx()))).toMatchObject({
      name: 'TransientSendError',
      outcome: 'unknown',
    });
  });
});

describe('Vapi end-of-call reports', () => {
  const conversation = [
    { role: 'system' as const, message: 'You are Ava, calling from Acme Dental.' },
    { role: 'bot' as const, message: 'Hi, this is Ava from Acme Dental. Is this a good time?' },
    { role: 'user' as const, message: 'Sure, go ahead.' },
    { role: 'bot' as const, message: 'You are booked for 10am tomorrow. Does that still work?' },
    { role: 'user' as const, message: 'Yes, see you then.' },
  ];
  const expectedTranscript = [
    { role: 'agent', text: 'Hi, this is Ava from Acme Dental. Is this a good time?' },
    { role: 'customer', text: 'Sure, go ahead.' },
    { role: 'agent', text: 'You are booked for 10am tomorrow. Does that still work?' },
    { role: 'customer', text: 'Yes, see you then.' },
  ];

  it.each(['artifact', 'flat'] as const)('reads the %s report the stand-in posts to the server URL', async (shape) => {
    const { providerCallId } = await provider().startCall(request(), ctx('wf-3:call_1:1'));
    const delivered = await vapi.endCall(providerCallId, {
      endedReason: 'customer-ended-call',
      messages: conversation,
      recordingUrl: 'https://storage.vapi.ai/recordings/abc-mono.wav',
      cost: 0.1234,
      durationSeconds: 95,
      summary: 'The customer confirmed the appointment.',
      shape,
    });
    expect(delivered.status).toBe(200);
    const webhook = receiver.last();
    expect(webhook.url).toBe(`${receiver.baseUrl}/webhooks/vapi/ch_1`);
    expect(webhook.headers['x-vapi-secret']).toBe(SECRET);
    const completion = provider().parseCompletion(webhook);
    expect(completion).toMatchObject({
      providerCallId,
      status: 'completed',
      answeredBy: 'human',
      durationSeconds: 95,
      transcript: expectedTranscript,
      recordingUrl: 'https://storage.vapi.ai/recordings/abc-mono.wav',
      cost: '0.1234',
      endedReason: 'customer-ended-call',
      summary: 'The customer confirmed the appointment.',
      metadata: { runId: 'run_1', nodeId: 'call_1', idempotencyKey: 'wf-3:call_1:1' },
    });
  });

  it.each([
    ['customer-ended-call', 'completed', 'human'],
    ['assistant-ended-call', 'completed', 'human'],
    ['assistant-said-end-call-phrase', 'completed', 'human'],
    ['assistant-ended-call-after-message-spoken', 'completed', 'human'],
    ['assistant-forwarded-call', 'completed', 'human'],
    ['exceeded-max-duration', 'completed', 'human'],
    ['customer-ended-call-during-transfer', 'completed', 'human'],
    ['voicemail', 'completed', 'machine'],
    ['customer-did-not-answer', 'no-answer', undefined],
    ['customer-busy', 'busy', undefined],
    ['twilio-failed-to-connect-call', 'failed', undefined],
    ['vonage-rejected', 'failed', undefined],
    ['twilio-reported-customer-misdialed', 'failed', undefined],
    ['pipeline-error-openai-llm-failed', 'failed', undefined],
    ['pipeline-error-eleven-labs-voice-not-found', 'failed', undefined],
    ['call.start.error-subscription-insufficient-credits', 'failed', undefined],
    ['call.in-progress.error-vapifault-worker-died', 'failed', undefined],
    ['call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable', 'failed', undefined],
    ['assistant-error', 'failed', undefined],
    ['assistant-not-found', 'failed', undefined],
    ['assistant-request-returned-error', 'failed', undefined],
    ['phone-call-provider-closed-websocket', 'failed', undefined],
    ['worker-shutdown', 'failed', undefined],
    ['manually-canceled', 'canceled', undefined],
    ['silence-timed-out', 'completed', 'unknown'],
    ['call.in-progress.twilio-completed-call', 'completed', 'unknown'],
    ['hangup', 'completed', 'unknown'],
  ] as const)('maps endedReason %s to %s (%s)', async (endedReason, status, answeredBy) => {
    const { providerCallId } = await provider().startCall(request(), ctx());
    await vapi.endCall(providerCallId, { endedReason });
    const completion = provider().parseCompletion(receiver.last());
    expect(completion.status).toBe(status);
    expect(completion.answeredBy).toBe(answeredBy);
    expect(completion.endedReason).toBe(endedReason);
    expect(vapiEndedReasonOutcome(endedReason)).toEqual(answeredBy ? { status, answeredBy } : { status });
  });

  it('rejects a report without the secret (401) or with a forged one (403)', async () => {
    const { providerCallId } = await provider().startCall(request(), ctx());
    await vapi.endCall(providerCallId, {
      endedReason: 'customer-ended-call',
      headers: { 'content-type': 'application/json' },
    });
    expect(rejection(() => provider().parseCompletion(receiver.last()))).toMatchObject({
      statusCode: 401,
      code: 'signature_missing',
    });
    for (const forged of [`${SECRET}x`, SECRET.slice(0, -1), 'nope', SECRET.toUpperCase()]) {
      await vapi.endCall(providerCallId, {
        endedReason: 'customer-ended-call',
        headers: { 'content-type': 'application/json', 'x-vapi-secret': forged },
      });
      expect(rejection(() => provider().parseCompletion(receiver.last()))).toMatchObject({
        statusCode: 403,
        code: 'signature_invalid',
      });
    }
    const other = new VapiVoiceProvider({
      apiKey: vapi.apiKey,
      phoneNumberId: vapi.phoneNumberId,
      webhookSecret: 'another-channel-secret-000',
    });
    await vapi.endCall(providerCallId, { endedReason: 'customer-ended-call' });
    expect(rejection(() => other.parseCompletion(receiver.last()))).toMatchObject({ statusCode: 403 });
  });

  it('accepts an HMAC credential’s signature (sha256 hex of `{timestamp}.{body}` in x-signature)', () => {
    const body = JSON.stringify({
      message: { type: 'end-of-call-report', endedReason: 'customer-busy', call: { id: 'call-hmac' } },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = (payload: string) => createHmac('sha256', SECRET).update(payload).digest('hex');
    const raw = (headers: Record<string, string>): RawWebhook => ({
      url: 'https://switchboard.example.com/webhooks/vapi/ch_1',
      method: 'POST',
      headers,
      rawBody: Buffer.from(body),
    });
    expect(() =>
      verifyVapiWebhook(SECRET, raw({ 'x-signature': sign(`${timestamp}.${body}`), 'x-timestamp': timestamp })),
    ).not.toThrow();
    expect(() => verifyVapiWebhook(SECRET, raw({ 'X-Vapi-Signature': `sha256=${sign(body)}` }))).not.toThrow();
    // Vapi's older docs put the secret itself in X-Vapi-Signature.
    expect(() => verifyVapiWebhook(SECRET, raw({ 'x-vapi-signature': SECRET }))).not.toThrow();
    expect(
      rejection(() =>
        verifyVapiWebhook(SECRET, raw({ 'x-signature': sign(`${timestamp}.${body} `), 'x-timestamp': timestamp })),
      ),
    ).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect(
      rejection(() =>
        verifyVapiWebhook(SECRET, raw({ 'x-signature': sign(`${stale}.${body}`), 'x-timestamp': stale })),
      ),
    ).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
    expect(parseVapiCompletion(Buffer.from(body))).toMatchObject({ providerCallId: 'call-hmac', status: 'busy' });
  });

  // The End of Call Report sample on https://docs.vapi.ai/server-url/events (current docs: artifact),
  // with the elided `call` filled in with an id, as Vapi's Call object always has one.
  const documentedArtifactReport = {
    message: {
      type: 'end-of-call-report',
      endedReason: 'hangup',
      call: { id: '0ed1e5c2-2d2c-4d0f-8d4b-3f2f6b8e9a10', orgId: 'org-1', type: 'outboundPhoneCall' },
      artifact: {
        recording: {},
        transcript: "AI: How can I help? User: What's the weather? ...",
        messages: [
          { role: 'assistant', message: 'How can I help?' },
          { role: 'user', message: "What's the weather?" },
        ],
      },
    },
  };
  // The same sample in the older docs' flat shape (recordingUrl, summary, transcript, messages on the message).
  const documentedFlatReport = {
    message: {
      type: 'end-of-call-report',
      endedReason: 'hangup',
      call: { id: '0ed1e5c2-2d2c-4d0f-8d4b-3f2f6b8e9a10' },
      recordingUrl: 'https://vapi-public.s3.amazonaws.com/recordings/1234.wav',
      summary: 'The user picked up the phone then asked about the weather...',
      transcript: "AI: How can I help? User: What's the weather? ...",
      messages: [
        { role: 'assistant', message: 'How can I help?' },
        { role: 'user', message: "What's the weather?" },
      ],
    },
  };

  it('parses the documented sample reports, current and older shape', () => {
    const transcript = [
      { role: 'agent', text: 'How can I help?' },
      { role: 'customer', text: "What's the weather?" },
    ];
    expect(parseVapiCompletion(JSON.stringify(documentedArtifactReport))).toEqual({
      providerCallId: '0ed1e5c2-2d2c-4d0f-8d4b-3f2f6b8e9a10',
      status: 'completed',
      answeredBy: 'unknown',
      transcript,
      endedReason: 'hangup',
    });
    expect(parseVapiCompletion(documentedFlatReport)).toEqual({
      providerCallId: '0ed1e5c2-2d2c-4d0f-8d4b-3f2f6b8e9a10',
      status: 'completed',
      answeredBy: 'unknown',
      transcript,
      recordingUrl: 'https://vapi-public.s3.amazonaws.com/recordings/1234.wav',
      endedReason: 'hangup',
      summary: 'The user picked up the phone then asked about the weather...',
    });
  });

  it('reads the transcript string when a report carries no messages, and duration from the timestamps', () => {
    const completion = parseVapiCompletion({
      message: {
        type: 'end-of-call-report',
        endedReason: 'assistant-ended-call',
        call: { id: 'call-2', startedAt: '2025-04-11T09:49:33.624Z', endedAt: '2025-04-11T09:49:41.358Z', cost: 0.02 },
        artifact: {
          transcript: 'AI: Hello.\nUser: Yes.\n',
          recording: { mono: { combinedUrl: 'https://r/mono.wav' } },
        },
        recordingUrl: null,
      },
    });
    expect(completion).toMatchObject({
      transcript: [
        { role: 'agent', text: 'Hello.' },
        { role: 'customer', text: 'Yes.' },
      ],
      durationSeconds: 8,
      recordingUrl: 'https://r/mono.wav',
      cost: '0.02',
    });
  });
});

describe('Vapi other server messages', () => {
  it('reads status updates as call statuses', async () => {
    const { providerCallId } = await provider().startCall(request(), ctx());
    await vapi.sendStatusUpdate(providerCallId, 'ringing');
    verifyVapiWebhook(SECRET, receiver.last());
    expect(parseVapiServerMessage(receiver.last().rawBody)).toEqual({
      kind: 'status',
      providerCallId,
      status: 'ringing',
    });
    await vapi.sendStatusUpdate(providerCallId, 'forwarding');
    expect(parseVapiServerMessage(receiver.last().rawBody)).toMatchObject({ status: 'in-progress' });
    await vapi.sendStatusUpdate(providerCallId, 'ended', 'customer-busy');
    expect(parseVapiServerMessage(receiver.last().rawBody)).toEqual({
      kind: 'status',
      providerCallId,
      status: 'busy',
      endedReason: 'customer-busy',
    });
  });

  it('reads end-of-call reports as completions and other messages as nothing', async () => {
    const { providerCallId } = await provider().startCall(request(), ctx());
    await vapi.endCall(providerCallId, { endedReason: 'customer-did-not-answer' });
    expect(parseVapiServerMessage(receiver.last().rawBody)).toMatchObject({
      kind: 'completion',
      providerCallId,
      status: 'no-answer',
      transcript: [],
    });
    for (const message of [
      { type: 'transcript', role: 'user', transcriptType: 'final', transcript: "I'd like to book..." },
      { type: 'conversation-update', messages: [] },
      { type: 'speech-update', status: 'started', role: 'assistant', turn: 2 },
      { type: 'hang', call: { id: providerCallId } },
      { type: 'user-interrupted' },
    ]) {
      expect(parseVapiServerMessage({ message })).toBeNull();
    }
  });

  it('rejects malformed messages with 400, naming the field', () => {
    const cases: Array<[unknown, string]> = [
      ['{', 'not JSON'],
      [{ type: 'end-of-call-report' }, 'message'],
      [{ message: { endedReason: 'x' } }, 'message.type'],
      [{ message: { type: 'end-of-call-report', endedReason: 'voicemail' } }, 'message.call'],
      [{ message: { type: 'end-of-call-report', endedReason: 'voicemail', call: {} } }, 'message.call.id'],
      [{ message: { type: 'end-of-call-report', call: { id: 'c' } } }, 'message.endedReason'],
      [
        {
          message: {
            type: 'end-of-call-report',
            endedReason: 'voicemail',
            call: { id: 'c' },
            artifact: { messages: 'x' },
          },
        },
        'message.artifact.messages',
      ],
      [{ message: { type: 'status-update', call: { id: 'c' } } }, 'message.status'],
    ];
    for (const [body, field] of cases) {
      const err = rejection(() => parseVapiServerMessage(body));
      expect(err).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
      expect(err.message).toContain(field);
    }
    expect(
      rejection(() =>
        parseVapiCompletion({ message: { type: 'status-update', status: 'ringing', call: { id: 'c' } } }),
      ),
    ).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
  });
});
