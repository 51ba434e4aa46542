import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { CALL_OUTCOMES } from '../../flow/nodes/place-call';
import { sandboxAddressProblem } from '../../flow/simulate';
import { pickWeighted } from '../../flow/weighted';
import type { SandboxConfigSchema } from '../providers/config';
import { buildTwilioWebhook, positivePrice } from '../providers/twilio/inbound';
import {
  type CallSnapshot,
  type CallStatus,
  type CreateCallRequest,
  PermanentSendError,
  type VoiceProvider,
} from '../providers/types';
import { readTwiml } from './twiml-reader';

export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;
export type SimulatedOutcome = (typeof CALL_OUTCOMES)[number];

export interface SandboxVoiceTimings {
  /** Between call-progress events (initiated → ringing → answered or given up). */
  ringMs: number;
  /** How long the simulated customer takes to answer each prompt. */
  replyMs: number;
  /** Before retrying a webhook that failed. */
  retryMs: number;
  /** Tries per webhook (a first attempt and its retries). */
  attempts: number;
}

export interface SandboxNetworkLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface SandboxVoiceNetworkOptions {
  /** Signs every webhook, exactly as a Twilio account's auth token signs Twilio's. */
  authToken: string;
  config: SandboxConfig;
  timings?: Partial<SandboxVoiceTimings>;
  /** Replaces config.callOdds (tests pin an outcome); outcomes it leaves out never happen. */
  odds?: Partial<Record<SimulatedOutcome, number>>;
  /** Gathers answered before the simulated customer hangs up on a conversation that never ends. */
  turnCap?: number;
  fetchImpl?: typeof fetch;
  log?: SandboxNetworkLog;
  /** Told about every call placed (the registry's record for tests). */
  onPlaced?: (call: {
    idempotencyKey: string;
    providerCallId: string;
    to: string;
    from: string;
    outcome: SimulatedOutcome;
  }) => void;
}

interface SimulatedCall {
  sid: string;
  idempotencyKey: string;
  request: CreateCallRequest;
  outcome: SimulatedOutcome;
  status: CallStatus;
  answeredBy?: string;
  durationSeconds?: number;
  price?: string;
  startedAt: Date;
  sequence: number;
  /** What was said, for the simulated duration and for tests. */
  lines: Array<{ role: 'agent' | 'customer'; text: string }>;
  hangupRequested: boolean;
  wake?: () => void;
  finished: Promise<void>;
}

/** Simulated customers, by the reply they give to each successive prompt. */
const CONVERSATIONS: readonly (readonly string[])[] = [
  ['Yes, that works.', 'What are your opening hours?', 'No thanks, bye.'],
  ['Sure, go ahead.', 'How much does the Growth plan cost?', 'Okay.', "That's all, goodbye."],
  ['Who is this?', 'Can I reschedule my appointment?', 'Great, thank you.', 'Bye.'],
];

const SANDBOX_ACCOUNT_SID = `AC${'5a'.repeat(16)}`;
const PRICE_PER_MINUTE = 0.014;
const KEEP_CALLS = 10_000;

const hashOf = (text: string) => createHash('sha256').update(text).digest();

/**
 * A simulated phone network that behaves like Twilio on the wire: createCall answers with a CA…
 * sid at once, then, in this process, the call plays out: signed call-progress callbacks
 * (initiated, ringing, then busy / no-answer / failed, or answered by a person or a machine), the
 * answer URL fetched and its TwiML followed, each <Gather> answered with the simulated customer's
 * words, and finally `completed` with the duration and a price. The outcome and the conversation
 * are a pure function of the idempotency key, and a key already dialled is not dialled again.
 *
 * Webhook failures are retried, then logged: like a real network, the call goes on regardless.
 */
export class SandboxVoiceNetwork implements VoiceProvider {
  readonly name = 'sandbox' as const;
  private readonly calls = new Map<string, SimulatedCall>();
  private readonly byKey = new Map<string, string>();
  private readonly timings: SandboxVoiceTimings;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: SandboxVoiceNetworkOptions) {
    this.timings = {
      ringMs: options.timings?.ringMs ?? 1000,
      replyMs: options.timings?.replyMs ?? options.config.replyDelayMs,
      retryMs: options.timings?.retryMs ?? 500,
      attempts: options.timings?.attempts ?? 3,
    };
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  async createCall(request: CreateCallRequest, ctx: { idempotencyKey: string }): Promise<CallSnapshot> {
    const known = this.byKey.get(ctx.idempotencyKey);
    const existing = known ? this.calls.get(known) : undefined;
    if (existing) return snapshotOf(existing);
    const problem = sandboxAddressProblem('sms', request.to);
    if (problem) throw new PermanentSendError('InvalidRecipient', problem);
    const hash = hashOf(ctx.idempotencyKey);
    const call: SimulatedCall = {
      sid: `CA${hash.toString('hex').slice(0, 32)}`,
      idempotencyKey: ctx.idempotencyKey,
      request,
      outcome: this.pickOutcome(hash),
      status: 'queued',
      startedAt: new Date(),
      sequence: 0,
      lines: [],
      hangupRequested: false,
      finished: Promise.resolve(),
    };
    this.forgetOldCalls();
    this.calls.set(call.sid, call);
    this.byKey.set(ctx.idempotencyKey, call.sid);
    this.options.onPlaced?.({
      idempotencyKey: call.idempotencyKey,
      providerCallId: call.sid,
      to: request.to,
      from: request.from,
      outcome: call.outcome,
    });
    call.finished = this.playOut(call).catch((err: unknown) => {
      this.options.log?.warn({ err, callSid: call.sid }, 'sandbox call ended on an unexpected error');
      if (!isTerminal(call.status)) call.status = 'failed';
    });
    return snapshotOf(call);
  }

  async fetchCall(providerCallId: string): Promise<CallSnapshot> {
    return snapshotOf(this.require(providerCallId));
  }

  async hangup(providerCallId: string): Promise<void> {
    const call = this.require(providerCallId);
    call.hangupRequested = true;
    call.wake?.();
  }

  async findCall(request: Pick<CreateCallRequest, 'to' | 'from'>, since: Date): Promise<CallSnapshot | null> {
    for (const call of this.calls.values()) {
      if (call.request.to === request.to && call.request.from === request.from && call.startedAt >= since) {
        return snapshotOf(call);
      }
    }
    return null;
  }

  async testConnection(): Promise<{ detail: string }> {
    return { detail: 'the sandbox voice network simulates calls in this process' };
  }

  /** Resolves when the call has played out (tests wait on it; the activity never does). */
  async settled(providerCallId: string): Promise<void> {
    await this.calls.get(providerCallId)?.finished;
  }

  /** The lines said on a call, as the network heard them. */
  linesOf(providerCallId: string): ReadonlyArray<{ role: 'agent' | 'customer'; text: string }> {
    return this.calls.get(providerCallId)?.lines ?? [];
  }

  has(providerCallId: string): boolean {
    return this.calls.has(providerCallId);
  }

  /** A long-lived worker keeps the most recent calls only; the ledger remembers the rest. */
  private forgetOldCalls(): void {
    if (this.calls.size < KEEP_CALLS) return;
    for (const [sid, old] of this.calls) {
      if (this.calls.size < KEEP_CALLS * 0.9) break;
      if (!isTerminal(old.status)) continue;
      this.calls.delete(sid);
      this.byKey.delete(old.idempotencyKey);
    }
  }

  private require(providerCallId: string): SimulatedCall {
    const call = this.calls.get(providerCallId);
    if (!call) throw new PermanentSendError('InvalidRequest', `no sandbox call ${providerCallId}`);
    return call;
  }

  private pickOutcome(hash: Buffer): SimulatedOutcome {
    // An override replaces the channel's odds whole: what it leaves out never happens.
    const odds: Partial<Record<SimulatedOutcome, number>> = this.options.odds ?? this.options.config.callOdds;
    return (
      pickWeighted(
        CALL_OUTCOMES.map((o) => [o, odds[o] ?? 0] as const),
        hash.readUInt32BE(0) / 2 ** 32,
      ) ?? 'answered'
    );
  }

  private async playOut(call: SimulatedCall): Promise<void> {
    await this.progress(call, 'initiated');
    if (await this.pause(call, this.timings.ringMs)) return this.finish(call, 'canceled');
    await this.progress(call, 'ringing');
    if (await this.pause(call, this.timings.ringMs)) return this.finish(call, 'canceled');
    if (call.outcome === 'busy' || call.outcome === 'no-answer' || call.outcome === 'failed') {
      return this.finish(call, call.outcome);
    }
    call.answeredBy = this.answeredByFor(call);
    call.status = 'in-progress';
    await this.progress(call, 'in-progress');
    await this.converse(call);
    return this.finish(call, 'completed');
  }

  /** Twilio's AnsweredBy for the simulated answer, given the AMD mode the call asked for. */
  private answeredByFor(call: SimulatedCall): string | undefined {
    if (call.request.machineDetection === 'off') return undefined;
    if (call.outcome !== 'voicemail') return 'human';
    return call.request.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
  }

  /** Follows the TwiML from the answer URL through each Gather until it hangs up. */
  private async converse(call: SimulatedCall): Promise<void> {
    const machine = call.outcome === 'voicemail';
    const script =
      CONVERSATIONS[hashOf(`${call.idempotencyKey}:conversation`).readUInt32BE(0) % CONVERSATIONS.length] ?? [];
    const turnCap = this.options.turnCap ?? 20;
    let url = call.request.answerUrl;
    let params: Record<string, string> = {};
    for (let gathers = 0; ; ) {
      if (call.hangupRequested) return;
      const twiml = await this.post(call, url, { ...this.callParams(call, 'in-progress'), ...params });
      if (twiml === null) return; // the application could not be reached: Twilio hangs up too
      let step: ReturnType<typeof readTwiml>;
      try {
        step = readTwiml(twiml);
      } catch (err) {
        this.options.log?.warn({ err, callSid: call.sid, url }, 'sandbox call: the TwiML is unreadable');
        return;
      }
      for (const line of step.says) if (line) call.lines.push({ role: 'agent', text: line });
      if (step.redirect) {
        url = new URL(step.redirect, url).toString();
        params = {};
        continue;
      }
      if (!step.gather || gathers >= turnCap) return;
      const reply = machine ? '' : this.replyTo(step.says.at(-1) ?? '', script, gathers);
      gathers += 1;
      if (await this.pause(call, this.timings.replyMs)) return;
      if (reply) call.lines.push({ role: 'customer', text: reply });
      url = new URL(step.gather.action, url).toString();
      params = reply ? { SpeechResult: reply, Confidence: '0.92' } : {};
    }
  }

  /** The configured script's reply to the agent's last line, else the simulated conversation's next. */
  private replyTo(agentLine: string, conversation: readonly string[], index: number): string {
    for (const rule of this.options.config.scripts) {
      try {
        if (new RegExp(rule.when, 'i').test(agentLine)) return rule.reply;
      } catch {
        // A tenant's malformed pattern matches nothing rather than breaking the call.
      }
    }
    return conversation[index] ?? 'Bye.';
  }

  private async finish(call: SimulatedCall, status: CallStatus): Promise<void> {
    call.status = status;
    if (status === 'completed') {
      const words = call.lines.reduce((n, l) => n + l.text.split(/\s+/).filter(Boolean).length, 0);
      const exchanges = call.lines.filter((l) => l.role === 'customer').length;
      call.durationSeconds = Math.max(1, Math.round(words / 2.5 + exchanges * 2));
      call.price = (-(Math.ceil(call.durationSeconds / 60) * PRICE_PER_MINUTE)).toFixed(5);
    } else {
      call.durationSeconds = 0;
    }
    await this.progress(call, status);
  }

  private callParams(call: SimulatedCall, status: string): Record<string, string> {
    return {
      AccountSid: SANDBOX_ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: status,
      Direction: 'outbound-api',
      From: call.request.from,
      To: call.request.to,
      ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
    };
  }

  /** A call-progress event to the status callback, as Twilio posts it. */
  private async progress(call: SimulatedCall, status: string): Promise<void> {
    if (status !== 'initiated') call.status = status as CallStatus;
    call.sequence += 1;
    const ended = isTerminal(call.status);
    await this.post(call, call.request.statusCallbackUrl, {
      ...this.callParams(call, status),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(call.sequence - 1),
      Timestamp: new Date().toUTCString(),
      ...(ended
        ? {
            CallDuration: String(call.durationSeconds ?? 0),
            Duration: String(Math.ceil((call.durationSeconds ?? 0) / 60)),
            ...(call.price ? { Price: call.price, PriceUnit: 'USD' } : {}),
          }
        : {}),
    });
  }

  /** POSTs a signed webhook; retries failures, then gives up with a warning. Returns the body. */
  private async post(call: SimulatedCall, url: string, params: Record<string, string>): Promise<string | null> {
    const { headers, body } = buildTwilioWebhook(this.options.authToken, url, params);
    for (let attempt = 1; attempt <= this.timings.attempts; attempt++) {
      try {
        const res = await this.fetchImpl(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        if (res.ok) return text;
        // Twilio does not retry a 4xx: the application refused, and asking again changes nothing.
        if (res.status < 500) {
          this.options.log?.warn({ callSid: call.sid, url, status: res.status }, 'sandbox webhook refused');
          return null;
        }
      } catch (err) {
        if (attempt === this.timings.attempts) {
          this.options.log?.warn({ err, callSid: call.sid, url }, 'sandbox webhook could not be delivered');
          return null;
        }
      }
      if (attempt < this.timings.attempts) await delay(this.timings.retryMs * attempt);
    }
    this.options.log?.warn({ callSid: call.sid, url }, 'sandbox webhook failed every attempt');
    return null;
  }

  /** Waits `ms`, or less when the call is hung up meanwhile; true when it was. */
  private async pause(call: SimulatedCall, ms: number): Promise<boolean> {
    if (call.hangupRequested) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      call.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    call.wake = undefined;
    return call.hangupRequested;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function isTerminal(status: CallStatus): boolean {
  return ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status);
}

function snapshotOf(call: SimulatedCall): CallSnapshot {
  const answeredBy = call.answeredBy;
  return {
    providerCallId: call.sid,
    status: call.status,
    ...(answeredBy
      ? { answeredBy: answeredBy === 'human' ? 'human' : answeredBy.startsWith('machine') ? 'machine' : 'unknown' }
      : {}),
    ...(call.durationSeconds !== undefined ? { durationSeconds: call.durationSeconds } : {}),
    // Adapters report what was charged as a positive amount (Twilio's wire value is negative).
    ...(call.price ? { price: positivePrice(call.price) ?? call.price, priceUnit: 'USD' } : {}),
  };
}
