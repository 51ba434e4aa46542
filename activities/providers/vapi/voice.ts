import { z } from 'zod';
import { retryAfterMs } from '../../notify/webhooks';
import { allowedBaseUrl } from '../config';
// The fetch-failure classification is the same for every HTTP provider; it lives with Meta's for now.
import { transportError } from '../meta/errors';
import {
  type CallStatus,
  type HostedVoiceProvider,
  PermanentSendError,
  type RawWebhook,
  TransientSendError,
} from '../types';
import {
  parseVapiCompletion,
  type VapiCompletion,
  vapiCallStatus,
  vapiEndedReasonOutcome,
  verifyVapiWebhook,
} from './webhook';

/**
 * Vapi (https://docs.vapi.ai) as a hosted voice-AI platform. `startCall` is one `POST /call` with a
 * transient assistant built from the agent's fields (https://docs.vapi.ai/calls/outbound-calling,
 * https://docs.vapi.ai/api-reference/calls/create):
 *
 *   { phoneNumberId, customer: { number },
 *     assistant: { firstMessage, model: { provider, model, messages: [{ role: 'system', content }] },
 *                  voice: { provider, voiceId }, transcriber: { provider, language },
 *                  maxDurationSeconds, server: { url, headers: { 'X-Vapi-Secret': secret } },
 *                  serverMessages: ['end-of-call-report', 'status-update'], metadata } }
 *
 * Vapi posts the end-of-call report to `server.url` with the configured headers; `parseCompletion`
 * checks X-Vapi-Secret and reads it (./webhook.ts). The current `Server` schema has `url`,
 * `headers`, `credentialId`, `timeoutSeconds` and `backoffPlan`; the inline `secret` of older
 * versions (and `serverUrl`/`serverUrlSecret` before it) is gone, and the docs say a `secret`
 * migrates to the X-Vapi-Secret header, which is what `headers` sends.
 *
 * Idempotency: Vapi takes no idempotency key, and `CreateCallDTO` has no `metadata`, so the key
 * goes in the transient assistant's `metadata.idempotencyKey` (stored with the call and returned
 * by GET /call). After an attempt whose outcome is unknown, `findCall(key, since)` lists the calls
 * created since then from our number (`GET /call?phoneNumberId=…&createdAtGt=…&limit=…`) and
 * returns the one carrying the key, so the caller can adopt it instead of calling the customer twice.
 */

const VAPI_API_BASE_URL = 'https://api.vapi.ai';
const DEFAULT_TIMEOUT_MS = 10_000;
const PROVIDER = 'Vapi';
/** GET /call takes `limit` up to 1000 (default 100). */
const LIST_LIMIT_MAX = 1000;
const FIND_MAX_PAGES = 5;
const E164 = /^\+[1-9]\d{6,14}$/;

export interface VapiVoiceOptions {
  /** The organisation's private API key (Bearer). */
  apiKey: string;
  /** The Vapi phone number (imported from Twilio/Telnyx/Vonage, or a Vapi number) calls are placed from. */
  phoneNumberId: string;
  /** Sent back by Vapi in X-Vapi-Secret on every server message. */
  webhookSecret: string;
  apiBaseUrl?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  /** The assistant's LLM. */
  model?: { provider: string; model: string };
  /** The assistant's transcriber provider; the language comes from the agent's voice. */
  transcriberProvider?: string;
  /**
   * The voice used when the agent's voice is a Twilio <Say> voice (provider `twilio`, the default
   * for Twilio-run agents), which Vapi cannot speak. Without it such a call is refused.
   */
  fallbackVoice?: { provider: string; voiceId: string };
  /** Further transient-assistant settings (voicemailDetection, artifactPlan…), passed as given. */
  assistantSettings?: Record<string, unknown>;
}

export type StartCallRequest = Parameters<HostedVoiceProvider['startCall']>[0];

export interface VapiCallSnapshot {
  providerCallId: string;
  status: CallStatus;
  answeredBy?: 'human' | 'machine' | 'unknown';
  endedReason?: string;
  createdAt?: Date;
}

/** Vapi's errors: NestJS-style `{ message: string | string[], error, statusCode }`. */
const VapiErrorBodySchema = z.object({
  message: z.union([z.string(), z.array(z.string())]).optional(),
  error: z.string().optional(),
  statusCode: z.number().int().optional(),
});

const MetadataSchema = z.record(z.string(), z.unknown()).nullish();

/** The Call object, as much of it as we read. */
const CallSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().nullish(),
  endedReason: z.string().nullish(),
  createdAt: z.string().nullish(),
  phoneNumberId: z.string().nullish(),
  customer: z.looseObject({ number: z.string().nullish() }).nullish(),
  metadata: MetadataSchema,
  assistant: z.looseObject({ metadata: MetadataSchema }).nullish(),
  assistantOverrides: z.looseObject({ metadata: MetadataSchema }).nullish(),
});
type VapiCall = z.infer<typeof CallSchema>;

const PhoneNumberSchema = z.looseObject({ id: z.string(), number: z.string().nullish(), name: z.string().nullish() });

/** Vapi's names for voice providers we may be given under another spelling. */
const VOICE_PROVIDER_ALIASES: Record<string, string> = { elevenlabs: '11labs', 'eleven-labs': '11labs' };

export class VapiVoiceProvider implements HostedVoiceProvider {
  readonly name = 'vapi';
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly phoneNumberId: string;
  private readonly webhookSecret: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly model: { provider: string; model: string };
  private readonly transcriberProvider: string;
  private readonly fallbackVoice: { provider: string; voiceId: string } | undefined;
  private readonly assistantSettings: Record<string, unknown>;

  constructor(options: VapiVoiceOptions) {
    if (!options.apiKey) throw new Error('Vapi needs an API key');
    if (!options.phoneNumberId) throw new Error('Vapi needs the phoneNumberId calls are placed from');
    if (options.webhookSecret.length < 16) throw new Error('the Vapi webhook secret must be at least 16 characters');
    this.baseUrl = (allowedBaseUrl(options.apiBaseUrl) ?? VAPI_API_BASE_URL).replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.phoneNumberId = options.phoneNumberId;
    this.webhookSecret = options.webhookSecret;
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.model = options.model ?? { provider: 'openai', model: 'gpt-4o' };
    this.transcriberProvider = options.transcriberProvider ?? 'deepgram';
    this.fallbackVoice = options.fallbackVoice;
    this.assistantSettings = options.assistantSettings ?? {};
  }

  /**
   * Places the call. `request.from` is not sent: Vapi calls from `phoneNumberId`, a number
   * configured on the channel. The idempotency key rides in `assistant.metadata.idempotencyKey`.
   */
  async startCall(
    request: StartCallRequest,
    ctx: { idempotencyKey: string; timeoutMs?: number },
  ): Promise<{ providerCallId: string; status: CallStatus }> {
    const body = this.callBody(request, ctx.idempotencyKey);
    const answer = await this.call('POST', '/call', body, ctx.timeoutMs ?? this.timeoutMs);
    const parsed = CallSchema.safeParse(answer);
    if (!parsed.success) {
      throw new TransientSendError(`${PROVIDER} accepted POST /call but its answer could not be read`, 'unknown');
    }
    return { providerCallId: parsed.data.id, status: vapiCallStatus(parsed.data.status ?? undefined) };
  }

  /** The POST /call body for a request: what Vapi documents for an outbound call with a transient assistant. */
  callBody(request: StartCallRequest, idempotencyKey: string): Record<string, unknown> {
    const to = request.to.trim();
    if (!E164.test(to)) {
      throw new PermanentSendError('InvalidRecipient', `"${request.to}" is not an E.164 phone number`);
    }
    const { persona, firstMessage, voice } = request.agent;
    return {
      phoneNumberId: this.phoneNumberId,
      customer: { number: to },
      assistant: {
        ...this.assistantSettings,
        firstMessage,
        model: { ...this.model, messages: [{ role: 'system', content: persona }] },
        voice: this.voice(voice),
        transcriber: { provider: this.transcriberProvider, language: voice.language },
        maxDurationSeconds: request.maxDurationSeconds,
        server: { url: request.webhookUrl, headers: { 'X-Vapi-Secret': this.webhookSecret } },
        serverMessages: ['end-of-call-report', 'status-update'],
        metadata: { ...request.metadata, idempotencyKey },
      },
    };
  }

  private voice(voice: StartCallRequest['agent']['voice']): { provider: string; voiceId: string } {
    const provider = voice.provider.trim().toLowerCase();
    if (provider === 'twilio') {
      if (this.fallbackVoice) return this.fallbackVoice;
      throw new PermanentSendError(
        'InvalidRequest',
        `the voice "${voice.voiceId}" is a Twilio voice, which Vapi cannot use; choose a Vapi voice provider`,
      );
    }
    return { provider: VOICE_PROVIDER_ALIASES[provider] ?? provider, voiceId: voice.voiceId };
  }

  /** Verifies X-Vapi-Secret (or the HMAC signature) and reads the end-of-call report. */
  parseCompletion(webhook: RawWebhook): VapiCompletion {
    verifyVapiWebhook(this.webhookSecret, webhook);
    return parseVapiCompletion(webhook.rawBody);
  }

  /**
   * The call an attempt with this idempotency key placed since `since`, or null when none did.
   * Lists our number's calls created after `since` and matches `assistant.metadata.idempotencyKey`.
   */
  async findCall(
    idempotencyKey: string,
    since: Date,
    options: { pageSize?: number } = {},
  ): Promise<VapiCallSnapshot | null> {
    const pageSize = Math.min(Math.max(options.pageSize ?? LIST_LIMIT_MAX, 1), LIST_LIMIT_MAX);
    // Boundaries after the first page are inclusive, so calls sharing the edge's timestamp are not skipped.
    let range: Record<string, string> = { createdAtGt: since.toISOString() };
    for (let page = 0; page < FIND_MAX_PAGES; page++) {
      const query = new URLSearchParams({ phoneNumberId: this.phoneNumberId, ...range, limit: String(pageSize) });
      const answer = await this.call('GET', `/call?${query}`, undefined, this.timeoutMs);
      const parsed = z.array(CallSchema).safeParse(answer);
      if (!parsed.success) throw new TransientSendError(`${PROVIDER} answered GET /call unexpectedly`, 'unknown');
      const calls = parsed.data;
      const match = calls.find((call) => keyOf(call) === idempotencyKey);
      if (match) return snapshot(match);
      if (calls.length < pageSize) return null;
      // A full page: move the range past what was seen, whichever order Vapi listed it in.
      const times = calls.map((call) => (call.createdAt ? Date.parse(call.createdAt) : Number.NaN));
      if (times.some(Number.isNaN)) break;
      const newestFirst = (times[0] ?? 0) >= (times.at(-1) ?? 0);
      range = newestFirst
        ? { ...range, createdAtLe: new Date(Math.min(...times)).toISOString() }
        : {
            createdAtGe: new Date(Math.max(...times)).toISOString(),
            ...(range.createdAtLe ? { createdAtLe: range.createdAtLe } : {}),
          };
    }
    throw new TransientSendError(
      `${PROVIDER} lists more calls since ${since.toISOString()} than could be searched for ${idempotencyKey}`,
      'unknown',
    );
  }

  /** GET /call/:id. */
  async fetchCall(providerCallId: string): Promise<VapiCallSnapshot> {
    const answer = await this.call('GET', `/call/${encodeURIComponent(providerCallId)}`, undefined, this.timeoutMs);
    const parsed = CallSchema.safeParse(answer);
    if (!parsed.success) throw new TransientSendError(`${PROVIDER} answered GET /call/:id unexpectedly`, 'unknown');
    return snapshot(parsed.data);
  }

  /** GET /phone-number/:id: proves the key and that the number calls are placed from exists. */
  async testConnection(): Promise<{ detail: string }> {
    const answer = await this.call(
      'GET',
      `/phone-number/${encodeURIComponent(this.phoneNumberId)}`,
      undefined,
      this.timeoutMs,
    );
    const parsed = PhoneNumberSchema.safeParse(answer);
    if (!parsed.success)
      throw new PermanentSendError('InvalidRequest', `${PROVIDER} answered GET /phone-number unexpectedly`);
    return { detail: `Vapi number ${parsed.data.number ?? parsed.data.name ?? parsed.data.id}` };
  }

  /** One API call: the parsed JSON of a 2xx answer, or the mapped send error. */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    payload: Record<string, unknown> | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw transportError(err, PROVIDER, timeoutMs);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (!response.ok) throw vapiResponseError(response.status, response.headers, '');
      throw transportError(err, PROVIDER, timeoutMs);
    }
    if (!response.ok) throw vapiResponseError(response.status, response.headers, text);
    try {
      return JSON.parse(text);
    } catch {
      throw new TransientSendError(`${PROVIDER} accepted ${method} ${path} but answered with non-JSON`, 'unknown');
    }
  }
}

function keyOf(call: VapiCall): unknown {
  return (
    call.assistant?.metadata?.idempotencyKey ??
    call.metadata?.idempotencyKey ??
    call.assistantOverrides?.metadata?.idempotencyKey
  );
}

function snapshot(call: VapiCall): VapiCallSnapshot {
  const endedReason = call.endedReason ?? undefined;
  const answeredBy =
    call.status === 'ended' && endedReason ? vapiEndedReasonOutcome(endedReason).answeredBy : undefined;
  return {
    providerCallId: call.id,
    status: vapiCallStatus(call.status ?? undefined, endedReason),
    ...(answeredBy ? { answeredBy } : {}),
    ...(endedReason ? { endedReason } : {}),
    ...(call.createdAt ? { createdAt: new Date(call.createdAt) } : {}),
  };
}

/** Validation messages that are about the number being called, not about our configuration. */
const RECIPIENT_PROBLEM = /customer\.number|customer number|\bE\.?164\b|customer\.sipUri/i;

/**
 * The error for a Vapi answer that was not 2xx: 401/403 Unauthorized; a 400 about the customer's
 * number InvalidRecipient; other 4xx InvalidRequest; 429 and 5xx retried (nothing was placed).
 */
export function vapiResponseError(
  status: number,
  headers: Headers,
  bodyText: string,
): PermanentSendError | TransientSendError {
  let detail = bodyText.slice(0, 200).trim();
  try {
    const parsed = VapiErrorBodySchema.safeParse(JSON.parse(bodyText));
    if (parsed.success && parsed.data.message !== undefined) {
      const { message } = parsed.data;
      detail = Array.isArray(message) ? message.join('; ') : message;
    }
  } catch {
    // Not JSON: a gateway's page; the snippet stands.
  }
  const message = `${PROVIDER} answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
  const providerCode = String(status);
  if (status === 429) {
    return new TransientSendError(message, 'not-sent', retryAfterMs(headers.get('retry-after')), providerCode);
  }
  if (status >= 500) return new TransientSendError(message, 'not-sent', undefined, providerCode);
  if (status === 401 || status === 403) return new PermanentSendError('Unauthorized', message, providerCode);
  if (status === 400 && RECIPIENT_PROBLEM.test(detail)) {
    return new PermanentSendError('InvalidRecipient', message, providerCode);
  }
  return new PermanentSendError('InvalidRequest', message, providerCode);
}
