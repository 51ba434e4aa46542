import { createHmac } from 'node:crypto';
import { z } from 'zod';
// Header lookup and the constant-time compare are provider-neutral; they live with Meta's webhook for now.
import { constantTimeEquals, headerValue } from '../meta/webhook';
import { type CallStatus, type HostedVoiceProvider, type RawWebhook, WebhookRejected } from '../types';

/**
 * Vapi server messages (https://docs.vapi.ai/server-url/events): every message is a POST of
 * `{ "message": { "type": "<server-message-type>", "call": { Call }, … } }` to the assistant's
 * `server.url`. We ask for two types (`end-of-call-report`, `status-update`) and read the others as
 * nothing.
 *
 * Authentication (https://docs.vapi.ai/server-url/server-authentication): the adapter puts the
 * channel's secret in `assistant.server.headers["X-Vapi-Secret"]`, so Vapi sends it back in that
 * header exactly as the legacy inline `secret` / `serverUrlSecret` did. Operators who instead
 * reference an HMAC custom credential (`server.credentialId`) get a signature header: Vapi's HMAC
 * authentication plan defaults to SHA-256, hex, over `{timestamp}.{body}` with the timestamp in
 * `x-timestamp`; `verifyVapiWebhook` accepts that too (in `x-signature`, or `x-vapi-signature`).
 */

export const VAPI_SECRET_HEADER = 'x-vapi-secret';
/** The HMAC plan's default signature header, and the name Vapi's older docs gave the secret's header. */
const SIGNATURE_HEADERS = ['x-signature', 'x-vapi-signature'];
const TIMESTAMP_HEADER = 'x-timestamp';
/** A signed timestamp further than this from now is refused (only when it reads as epoch seconds or ms). */
const MAX_TIMESTAMP_SKEW_MS = 5 * 60_000;

export type HostedCompletion = ReturnType<HostedVoiceProvider['parseCompletion']>;

/** What an end-of-call report says, in the HostedVoiceProvider shape plus what Vapi adds. */
export interface VapiCompletion extends HostedCompletion {
  /** Vapi's `endedReason`, verbatim (https://docs.vapi.ai/calls/call-ended-reason). */
  endedReason: string;
  summary?: string;
  startedAt?: Date;
  endedAt?: Date;
  /** The transient assistant's metadata, where the adapter stored `idempotencyKey`. */
  metadata?: Record<string, unknown>;
}

export type VapiServerMessage =
  | ({ kind: 'completion' } & VapiCompletion)
  | { kind: 'status'; providerCallId: string; status: CallStatus; endedReason?: string }
  | null;

/**
 * Throws WebhookRejected unless the request carries the secret: X-Vapi-Secret equal to it, or an
 * HMAC signature made with it. Missing → 401 `signature_missing`; wrong → 403 `signature_invalid`.
 */
export function verifyVapiWebhook(secret: string, raw: RawWebhook): void {
  if (!secret) throw new WebhookRejected(403, 'signature_invalid', 'no Vapi webhook secret is configured');
  const given = headerValue(raw.headers, VAPI_SECRET_HEADER);
  if (given) {
    if (!constantTimeEquals(given, secret)) {
      throw new WebhookRejected(403, 'signature_invalid', 'X-Vapi-Secret does not match');
    }
    return;
  }
  for (const name of SIGNATURE_HEADERS) {
    const signature = headerValue(raw.headers, name)?.trim();
    if (!signature) continue;
    // Vapi's older docs: "Vapi will include this token in the X-Vapi-Signature header".
    if (constantTimeEquals(signature, secret)) return;
    const timestamp = headerValue(raw.headers, TIMESTAMP_HEADER)?.trim();
    if (hmacMatches(secret, signature, raw.rawBody, timestamp)) {
      if (timestamp && isStale(timestamp)) {
        throw new WebhookRejected(403, 'signature_invalid', `${TIMESTAMP_HEADER} is more than five minutes off`);
      }
      return;
    }
    throw new WebhookRejected(403, 'signature_invalid', `${name} does not match the request body`);
  }
  throw new WebhookRejected(401, 'signature_missing', 'X-Vapi-Secret header is missing');
}

function hmacMatches(secret: string, signature: string, body: Buffer, timestamp: string | undefined): boolean {
  const given = signature.replace(/^sha256=/i, '');
  const payloads = timestamp ? [Buffer.concat([Buffer.from(`${timestamp}.`), body]), body] : [body];
  for (const payload of payloads) {
    const mac = createHmac('sha256', secret).update(payload).digest();
    if (constantTimeEquals(given.toLowerCase(), mac.toString('hex'))) return true;
    if (constantTimeEquals(given, mac.toString('base64'))) return true;
  }
  return false;
}

function isStale(timestamp: string, now = Date.now()): boolean {
  let ms: number | undefined;
  if (/^\d{10}$/.test(timestamp)) ms = Number(timestamp) * 1000;
  else if (/^\d{13}$/.test(timestamp)) ms = Number(timestamp);
  return ms !== undefined && Math.abs(now - ms) > MAX_TIMESTAMP_SKEW_MS;
}

/** The headers Vapi sends with a server message for a `server.headers` secret, for stand-ins and tests. */
export function vapiSecretHeaders(secret: string): Record<string, string> {
  return { 'content-type': 'application/json', [VAPI_SECRET_HEADER]: secret };
}

/**
 * How a call that ended did, from its `endedReason`. Answered-and-talked reasons are `completed` by a
 * human; `voicemail` is `completed` by a machine; no answer, busy, and every start, pipeline,
 * transport or provider error have their own statuses; reasons not listed are `completed`, unknown.
 */
export function vapiEndedReasonOutcome(endedReason: string): {
  status: CallStatus;
  answeredBy?: 'human' | 'machine' | 'unknown';
} {
  const reason = endedReason.trim().toLowerCase();
  if (HUMAN_ENDED.has(reason) || reason.startsWith('customer-ended-call')) {
    return { status: 'completed', answeredBy: 'human' };
  }
  if (reason === 'voicemail') return { status: 'completed', answeredBy: 'machine' };
  if (reason === 'customer-did-not-answer') return { status: 'no-answer' };
  if (reason === 'customer-busy') return { status: 'busy' };
  if (CANCELED.has(reason)) return { status: 'canceled' };
  if (FAILED.test(reason)) return { status: 'failed' };
  return { status: 'completed', answeredBy: 'unknown' };
}

/** Someone picked up and the conversation ran until one side (or the time limit) ended it. */
const HUMAN_ENDED = new Set([
  'customer-ended-call',
  'assistant-ended-call',
  'assistant-ended-call-after-message-spoken',
  'assistant-ended-call-with-hangup-task',
  'assistant-said-end-call-phrase',
  'assistant-forwarded-call',
  'exceeded-max-duration',
]);
const CANCELED = new Set(['manually-canceled', 'scheduled-call-deleted', 'call-deleted']);
/**
 * `call.start.error-*`, `call.in-progress.error-*`, `pipeline-error-*`, `*-failed`, assistant
 * resolution failures, and the carriers' failed-to-connect, misdial and rejection reasons.
 */
const FAILED =
  /error|fault|failed|^pipeline-|worker-|no-server-available|^assistant-not-|^assistant-request-|assistant-join-timed-out|closed-websocket|misdialed|rejected|microphone-permission|bypass-enabled-but-no-call/;

/** Vapi's call statuses (queued, ringing, in-progress, forwarding, ended) as ours. */
export function vapiCallStatus(status: string | undefined, endedReason?: string | null): CallStatus {
  switch (status) {
    case 'ringing':
      return 'ringing';
    case 'in-progress':
    case 'forwarding':
      return 'in-progress';
    case 'ended':
      return endedReason ? vapiEndedReasonOutcome(endedReason).status : 'completed';
    case 'not-found':
      return 'failed';
    default:
      // scheduled, queued, and anything Vapi adds before the call is placed.
      return 'queued';
  }
}

const Text = z.string().nullish();
const Num = z.number().nullish();

/** artifact.messages / messages items: user, bot, system, tool_calls, tool_call_result (only the first two speak). */
const TranscriptItemSchema = z.looseObject({ role: z.string(), message: z.unknown().optional() });

const RecordingSchema = z.looseObject({
  stereoUrl: Text,
  mono: z.looseObject({ combinedUrl: Text }).nullish(),
});

const ArtifactSchema = z.looseObject({
  transcript: Text,
  messages: z.array(TranscriptItemSchema).nullish(),
  recordingUrl: Text,
  stereoRecordingUrl: Text,
  recording: RecordingSchema.nullish(),
});

const MetadataSchema = z.record(z.string(), z.unknown()).nullish();

const CallRefSchema = z.looseObject({
  id: z.string().min(1),
  status: Text,
  endedReason: Text,
  startedAt: Text,
  endedAt: Text,
  cost: Num,
  metadata: MetadataSchema,
  assistant: z.looseObject({ metadata: MetadataSchema }).nullish(),
});

const EndOfCallReportSchema = z.looseObject({
  type: z.literal('end-of-call-report'),
  endedReason: z.string().min(1),
  call: CallRefSchema,
  artifact: ArtifactSchema.nullish(),
  analysis: z.looseObject({ summary: Text }).nullish(),
  cost: Num,
  durationSeconds: Num,
  durationMs: Num,
  startedAt: Text,
  endedAt: Text,
  // The older flat shape: these sat on the message itself.
  transcript: Text,
  messages: z.array(TranscriptItemSchema).nullish(),
  recordingUrl: Text,
  stereoRecordingUrl: Text,
  summary: Text,
});

const StatusUpdateSchema = z.looseObject({
  type: z.literal('status-update'),
  status: z.string().min(1),
  endedReason: Text,
  call: CallRefSchema,
});

const EnvelopeSchema = z.object({ message: z.looseObject({ type: z.string().min(1) }) });

function invalid(issues: z.core.$ZodIssue[], prefix: string[]): WebhookRejected {
  const where = issues
    .slice(0, 3)
    .map((issue) => `${[...prefix, ...issue.path.map(String)].join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  return new WebhookRejected(400, 'invalid_webhook', `invalid Vapi server message: ${where}`);
}

function readJson(body: unknown): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    throw new WebhookRejected(400, 'invalid_webhook', 'Vapi server message is not JSON');
  }
}

/**
 * One server message: an end-of-call report as a completion, a status update as a status, any
 * other type (transcript, conversation-update, speech-update, hang, tool-calls…) as null. Malformed
 * messages are WebhookRejected 400 `invalid_webhook`, naming the field.
 */
export function parseVapiServerMessage(body: unknown): VapiServerMessage {
  const envelope = EnvelopeSchema.safeParse(readJson(body));
  if (!envelope.success) throw invalid(envelope.error.issues, []);
  const message = envelope.data.message;
  if (message.type === 'end-of-call-report') {
    const parsed = EndOfCallReportSchema.safeParse(message);
    if (!parsed.success) throw invalid(parsed.error.issues, ['message']);
    return { kind: 'completion', ...completionFrom(parsed.data) };
  }
  if (message.type === 'status-update') {
    const parsed = StatusUpdateSchema.safeParse(message);
    if (!parsed.success) throw invalid(parsed.error.issues, ['message']);
    const { status, call } = parsed.data;
    const endedReason = parsed.data.endedReason ?? call.endedReason ?? undefined;
    return {
      kind: 'status',
      providerCallId: call.id,
      status: vapiCallStatus(status, endedReason),
      ...(endedReason ? { endedReason } : {}),
    };
  }
  return null;
}

/** An end-of-call report (either shape) as a completion; any other message is a 400. */
export function parseVapiCompletion(body: unknown): VapiCompletion {
  const parsed = parseVapiServerMessage(body);
  if (parsed?.kind !== 'completion') {
    const json = readJson(body) as { message?: { type?: unknown } };
    throw new WebhookRejected(
      400,
      'invalid_webhook',
      `message.type: expected "end-of-call-report", got ${JSON.stringify(json.message?.type)}`,
    );
  }
  const { kind: _kind, ...completion } = parsed;
  return completion;
}

function completionFrom(report: z.infer<typeof EndOfCallReportSchema>): VapiCompletion {
  const artifact = report.artifact ?? undefined;
  const { status, answeredBy } = vapiEndedReasonOutcome(report.endedReason);
  const startedAt = date(report.startedAt ?? report.call.startedAt);
  const endedAt = date(report.endedAt ?? report.call.endedAt);
  const duration =
    report.durationSeconds ??
    (report.durationMs == null ? undefined : report.durationMs / 1000) ??
    (startedAt && endedAt ? Math.max(0, (endedAt.getTime() - startedAt.getTime()) / 1000) : undefined);
  const recordingUrl =
    artifact?.recordingUrl ??
    artifact?.recording?.mono?.combinedUrl ??
    report.recordingUrl ??
    artifact?.stereoRecordingUrl ??
    artifact?.recording?.stereoUrl ??
    report.stereoRecordingUrl ??
    undefined;
  const cost = report.cost ?? report.call.cost ?? undefined;
  const summary = report.analysis?.summary ?? report.summary ?? undefined;
  const metadata = report.call.assistant?.metadata ?? report.call.metadata ?? undefined;
  const messages = artifact?.messages ?? report.messages ?? undefined;
  const transcriptText = artifact?.transcript ?? report.transcript ?? undefined;
  return {
    providerCallId: report.call.id,
    status,
    ...(answeredBy ? { answeredBy } : {}),
    ...(duration === undefined || !Number.isFinite(duration) ? {} : { durationSeconds: Math.round(duration) }),
    transcript: messages ? transcriptFromMessages(messages) : transcriptFromText(transcriptText ?? ''),
    ...(recordingUrl ? { recordingUrl } : {}),
    ...(cost == null ? {} : { cost: String(cost) }),
    endedReason: report.endedReason,
    ...(summary ? { summary } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

function date(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** Spoken turns only: assistant/bot → agent, user → customer; system prompts and tool calls are left out. */
function transcriptFromMessages(messages: Array<z.infer<typeof TranscriptItemSchema>>): HostedCompletion['transcript'] {
  const turns: HostedCompletion['transcript'] = [];
  for (const item of messages) {
    if (typeof item.message !== 'string' || !item.message.trim()) continue;
    const role = item.role === 'assistant' || item.role === 'bot' ? 'agent' : item.role === 'user' ? 'customer' : null;
    if (role) turns.push({ role, text: item.message.trim() });
  }
  return turns;
}

/** The transcript string (`AI: … User: …`), for reports that carry no messages. */
function transcriptFromText(text: string): HostedCompletion['transcript'] {
  const turns: HostedCompletion['transcript'] = [];
  const speaker = /(?:^|\s)(AI|Assistant|Bot|User|Customer):\s/g;
  const marks = [...text.matchAll(speaker)];
  marks.forEach((mark, i) => {
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[i + 1]?.index ?? text.length;
    const said = text.slice(start, end).trim();
    if (!said) return;
    const who = mark[1] === 'User' || mark[1] === 'Customer' ? 'customer' : 'agent';
    turns.push({ role: who, text: said });
  });
  return turns;
}
