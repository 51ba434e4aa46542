import { describe, expect, it } from 'vitest';
import { SandboxVoiceNetwork } from '../../activities/calls/sandbox-network';
import { SandboxConfigSchema } from '../../activities/providers/config';
import { parseTwilioForm } from '../../activities/providers/twilio/inbound';
import { verifyTwilioWebhook } from '../../activities/providers/twilio/signature';
import type { CreateCallRequest } from '../../activities/providers/types';
import { closingTwiml, promptTwiml } from '../../api/voice/twiml';

const TOKEN = 'sandbox-network-token-0123456789';
const speech = { voice: 'Polly.Joanna', language: 'en-US' };

interface Posted {
  url: string;
  params: Record<string, string | string[]>;
}

/** A stand-in application: verifies every webhook as the hooks routes do, and answers TwiML. */
function application(answer: (posted: Posted) => string | Response) {
  const posted: Posted[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const body = String(init?.body ?? '');
    const params = parseTwilioForm(body);
    verifyTwilioWebhook(
      TOKEN,
      { url, method: 'POST', headers: init?.headers as Record<string, string>, rawBody: Buffer.from(body) },
      params,
    );
    const p = { url, params };
    posted.push(p);
    const out = answer(p);
    return out instanceof Response ? out : new Response(out, { headers: { 'content-type': 'text/xml' } });
  }) as typeof fetch;
  return { posted, fetchImpl };
}

const request: CreateCallRequest = {
  to: '+14155550123',
  from: '+15005550006',
  answerUrl: 'https://app.test/hooks/twilio/ch/voice/answer?call=1',
  statusCallbackUrl: 'https://app.test/hooks/twilio/ch/voice/status?call=1',
  machineDetection: 'DetectMessageEnd',
  ringTimeoutSeconds: 30,
  timeLimitSeconds: 300,
  record: false,
};

const network = (options: Partial<ConstructorParameters<typeof SandboxVoiceNetwork>[0]> = {}) =>
  new SandboxVoiceNetwork({
    authToken: TOKEN,
    config: SandboxConfigSchema.parse({ scripts: [{ when: 'Shall', reply: 'No thanks, bye.' }] }),
    timings: { ringMs: 0, replyMs: 0, retryMs: 0 },
    ...options,
  });

const statuses = (posted: Posted[]) => posted.filter((p) => p.url.includes('/status')).map((p) => p.params.CallStatus);

describe('the sandbox voice network', () => {
  it("speaks Twilio's wire format: signed progress callbacks, the answer URL, gathers, completed with a price", async () => {
    const app = application(({ url, params }) => {
      if (url.includes('/answer')) {
        return promptTwiml('Hello! Shall we?', {
          ...speech,
          action: '/hooks/twilio/ch/voice/gather?call=1&turn=1',
          bargeIn: true,
        });
      }
      if (url.includes('/gather')) return closingTwiml(`You said: ${params.SpeechResult}`, speech);
      return '';
    });
    const net = network({ odds: { answered: 1 }, fetchImpl: app.fetchImpl });
    const placed = await net.createCall(request, { idempotencyKey: 'k-answered' });
    expect(placed.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(placed.status).toBe('queued');
    await net.settled(placed.providerCallId);

    expect(statuses(app.posted)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    const answer = app.posted.find((p) => p.url === request.answerUrl);
    expect(answer?.params).toMatchObject({ CallSid: placed.providerCallId, AnsweredBy: 'human', From: request.from });
    // The relative Gather action resolves against the answer URL, as Twilio resolves it.
    const gather = app.posted.find((p) => p.url.includes('/gather'));
    expect(gather?.url).toBe('https://app.test/hooks/twilio/ch/voice/gather?call=1&turn=1');
    expect(gather?.params.SpeechResult).toBe('No thanks, bye.');
    const completed = app.posted.at(-1)?.params;
    expect(completed).toMatchObject({ CallStatus: 'completed', PriceUnit: 'USD' });
    expect(Number(completed?.CallDuration)).toBeGreaterThan(0);
    expect(String(completed?.Price)).toMatch(/^-\d+\.\d+$/);
    expect(net.linesOf(placed.providerCallId)).toEqual([
      { role: 'agent', text: 'Hello! Shall we?' },
      { role: 'customer', text: 'No thanks, bye.' },
      { role: 'agent', text: 'You said: No thanks, bye.' },
    ]);
    expect(await net.fetchCall(placed.providerCallId)).toMatchObject({
      status: 'completed',
      answeredBy: 'human',
      price: expect.stringMatching(/^\d+\.\d+$/),
    });
  });

  it('places one call per idempotency key, with an outcome that is a function of the key', async () => {
    const app = application(() => closingTwiml(undefined, speech));
    const placedCalls: string[] = [];
    const net = network({ fetchImpl: app.fetchImpl, onPlaced: (c) => placedCalls.push(c.providerCallId) });
    const a = await net.createCall(request, { idempotencyKey: 'same-key' });
    const b = await net.createCall(request, { idempotencyKey: 'same-key' });
    expect(b.providerCallId).toBe(a.providerCallId);
    expect(placedCalls).toEqual([a.providerCallId]);
    await net.settled(a.providerCallId);

    // Another network (another worker) decides the same outcome for the same key.
    const outcomes = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const other = network({ fetchImpl: application(() => closingTwiml(undefined, speech)).fetchImpl });
      const call = await other.createCall(request, { idempotencyKey: 'same-key' });
      await other.settled(call.providerCallId);
      outcomes.add(JSON.stringify(await other.fetchCall(call.providerCallId)));
    }
    expect(outcomes.size).toBe(1);
    expect(await net.findCall({ to: request.to, from: request.from }, new Date(0))).toMatchObject({
      providerCallId: a.providerCallId,
    });
  });

  it('answers a machine with AMD verdict machine_end_beep, and the machine says nothing', async () => {
    const app = application(({ url }) =>
      url.includes('/answer')
        ? promptTwiml('Hello?', { ...speech, action: '/g?turn=1', bargeIn: true })
        : closingTwiml(undefined, speech),
    );
    const net = network({ odds: { voicemail: 1 }, fetchImpl: app.fetchImpl });
    const { providerCallId } = await net.createCall(request, { idempotencyKey: 'k-machine' });
    await net.settled(providerCallId);
    expect(app.posted.find((p) => p.url === request.answerUrl)?.params.AnsweredBy).toBe('machine_end_beep');
    expect(app.posted.find((p) => p.url.includes('/g'))?.params.SpeechResult).toBeUndefined();
    expect((await net.fetchCall(providerCallId)).answeredBy).toBe('machine');
  });

  it('retries webhooks that fail, logs, and lets the call go on', async () => {
    let failures = 0;
    const app = application(() => {
      failures += 1;
      return new Response('down', { status: 503 });
    });
    const warnings: string[] = [];
    const net = network({
      odds: { busy: 1 },
      fetchImpl: app.fetchImpl,
      log: { warn: (_d, message) => warnings.push(message) },
    });
    const { providerCallId } = await net.createCall(request, { idempotencyKey: 'k-down' });
    await net.settled(providerCallId);
    // initiated, ringing, busy: three attempts each.
    expect(failures).toBe(9);
    expect(warnings).toHaveLength(3);
    expect((await net.fetchCall(providerCallId)).status).toBe('busy');
  });

  it('hangs up a ringing call as canceled, and refuses an invalid number at once', async () => {
    const app = application(() => '');
    const net = network({ odds: { answered: 1 }, fetchImpl: app.fetchImpl, timings: { ringMs: 60_000 } });
    const { providerCallId } = await net.createCall(request, { idempotencyKey: 'k-hangup' });
    await net.hangup(providerCallId);
    await net.settled(providerCallId);
    expect((await net.fetchCall(providerCallId)).status).toBe('canceled');
    await expect(net.createCall({ ...request, to: 'not-a-number' }, { idempotencyKey: 'k-bad' })).rejects.toMatchObject(
      {
        type: 'InvalidRecipient',
      },
    );
  });
});
