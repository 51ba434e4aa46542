import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import type { LoadedChannel } from '../channels/store';
import { type CallSnapshot, type CreateCallRequest, PermanentSendError, type VoiceProvider } from '../providers/types';
import { type VapiCallSnapshot, VapiVoiceProvider } from '../providers/vapi/voice';
import type { VapiServerMessage } from '../providers/vapi/webhook';
import { applyCallStatus, isTerminalStatus, type TranscriptEntry, transcriptOf } from './records';

type VapiChannel = Extract<LoadedChannel, { provider: 'vapi' }>;

/** Vapi's limits on `assistant.maxDurationSeconds`. */
const MIN_DURATION_SECONDS = 10;
const MAX_DURATION_SECONDS = 43_200;

/**
 * Vapi cannot speak a Twilio <Say> voice (the default of calls without a managed agent, and of
 * agents made for the TwiML loop); such calls use Vapi's own voice instead of being refused.
 */
export const VAPI_FALLBACK_VOICE = { provider: 'vapi', voiceId: 'Elliot' };

export interface HostedCallOptions {
  /** How long one Vapi API request may take (the adapter's default: 10 s). */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * A hosted voice-AI platform (Vapi) as the place-call activity's VoiceProvider. The platform runs
 * the conversation: `createCall` starts it with the agent in `request.hosted` and the report URL
 * (POST /hooks/vapi/:channelId?call=<Call id>), which writes the outcome and transcript on the row.
 */
export class HostedCallAdapter implements VoiceProvider {
  readonly name = 'vapi' as const;

  constructor(private readonly vapi: VapiVoiceProvider) {}

  static forChannel(channel: VapiChannel, options: HostedCallOptions = {}): HostedCallAdapter {
    return new HostedCallAdapter(
      new VapiVoiceProvider({
        apiKey: channel.secrets.apiKey,
        webhookSecret: channel.secrets.webhookSecret,
        phoneNumberId: channel.config.phoneNumberId,
        ...(channel.config.apiBaseUrl ? { apiBaseUrl: channel.config.apiBaseUrl } : {}),
        ...(channel.config.model ? { model: channel.config.model } : {}),
        fallbackVoice: VAPI_FALLBACK_VOICE,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
      }),
    );
  }

  async createCall(request: CreateCallRequest, ctx: { idempotencyKey: string }): Promise<CallSnapshot> {
    const hosted = request.hosted;
    if (!hosted) {
      throw new PermanentSendError('InvalidRequest', 'a Vapi call needs its agent and report URL (request.hosted)');
    }
    const maxDurationSeconds = Math.min(
      Math.max(Math.round(hosted.maxDurationSeconds), MIN_DURATION_SECONDS),
      MAX_DURATION_SECONDS,
    );
    const started = await this.vapi.startCall(
      {
        to: request.to,
        agent: hosted.agent,
        maxDurationSeconds,
        webhookUrl: hosted.webhookUrl,
        metadata: { callId: hosted.callId, idempotencyKey: ctx.idempotencyKey },
      },
      { idempotencyKey: ctx.idempotencyKey },
    );
    return { providerCallId: started.providerCallId, status: started.status };
  }

  async fetchCall(providerCallId: string): Promise<CallSnapshot> {
    return snapshotOf(await this.vapi.fetchCall(providerCallId));
  }

  /**
   * Unsupported: the adapter has no documented hang-up endpoint. The stop request stays on the
   * Call row (stopCall and the waiting activity tolerate this refusal) and Vapi ends the call at
   * the assistant's own end or its maxDurationSeconds.
   */
  async hangup(providerCallId: string): Promise<void> {
    throw new PermanentSendError('InvalidRequest', `Vapi calls cannot be hung up through the API (${providerCallId})`);
  }

  /** The call an attempt with this idempotency key placed since `since` (Vapi stores the key with the call). */
  async findCall(
    request: Pick<CreateCallRequest, 'to' | 'from'> & { idempotencyKey?: string },
    since: Date,
  ): Promise<CallSnapshot | null> {
    if (!request.idempotencyKey) return null;
    const found = await this.vapi.findCall(request.idempotencyKey, since);
    return found ? snapshotOf(found) : null;
  }

  testConnection(): Promise<{ detail: string }> {
    return this.vapi.testConnection();
  }
}

function snapshotOf(call: VapiCallSnapshot): CallSnapshot {
  return {
    providerCallId: call.providerCallId,
    status: call.status,
    ...(call.answeredBy ? { answeredBy: call.answeredBy } : {}),
  };
}

/**
 * Finds the Call row a hosted platform's message is about: by the provider's call id on this
 * channel, else by the `call` query parameter we put in the server URL (a report can arrive before
 * POST /call has answered). A row already carrying another provider id is not this call.
 */
async function callRowFor(db: Db, channelId: string, providerCallId: string, callParam: string | undefined) {
  const byProvider = await db.call.findUnique({ where: { channelId_providerCallId: { channelId, providerCallId } } });
  if (byProvider) return byProvider;
  if (!callParam || !UUID.test(callParam)) return null;
  const byParam = await db.call.findFirst({ where: { id: callParam, channelId } });
  if (!byParam || (byParam.providerCallId && byParam.providerCallId !== providerCallId)) return null;
  return byParam;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records a verified Vapi server message on its Call row: a status update moves the status
 * forward; an end-of-call report writes the transcript (first, so whoever sees the call finished
 * sees it whole) and then the final status, answering machine, duration, cost and recording.
 * Returns whether a row was found (an unknown call is ignored).
 */
export async function recordHostedMessage(
  db: Db,
  channelId: string,
  callParam: string | undefined,
  message: VapiServerMessage,
): Promise<boolean> {
  if (!message) return false;
  const row = await callRowFor(db, channelId, message.providerCallId, callParam);
  if (!row) return false;
  if (message.kind === 'status') {
    await applyCallStatus(db, row.id, { status: message.status, providerCallId: message.providerCallId });
    return true;
  }
  const at = (message.endedAt ?? new Date()).toISOString();
  let turn = 0;
  const transcript: TranscriptEntry[] = message.transcript.map((line) => {
    if (line.role === 'customer') turn++;
    return { role: line.role, text: line.text, at, turn };
  });
  if (!isTerminalStatus(row.status) || transcriptOf(row).length === 0) {
    await db.call.update({ where: { id: row.id }, data: { transcript: toJson(transcript), turns: turn } });
  }
  await applyCallStatus(db, row.id, {
    status: message.status,
    providerCallId: message.providerCallId,
    ...(message.answeredBy ? { answeredBy: message.answeredBy } : {}),
    ...(message.durationSeconds !== undefined ? { durationSeconds: message.durationSeconds } : {}),
    // Vapi bills in US dollars.
    ...(message.cost ? { price: message.cost, priceUnit: 'USD' } : {}),
    ...(message.recordingUrl ? { recordingUrl: message.recordingUrl } : {}),
    ...(message.endedAt ? { at: message.endedAt } : {}),
  });
  return true;
}
