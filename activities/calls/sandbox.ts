import { createHash } from 'node:crypto';
import { CALL_OUTCOMES } from '../../flow/nodes/place-call';
import { sandboxAddressProblem } from '../../flow/simulate';
import { pickWeighted } from '../../flow/weighted';
import { BusinessError } from '../errors';
import type { CallProvider, CallRequest, CallResult } from './provider';

export type CallOdds = Partial<Record<(typeof CALL_OUTCOMES)[number], number>>;

export interface SandboxCallOptions {
  /** Relative weights of each outcome; the same idempotency key always gets the same one. */
  odds?: CallOdds;
  /** How long a simulated answered call lasts in real time (0 in tests). */
  answeredCallMs?: number;
}

/**
 * A simulated phone network: people answer, miss calls, hit voicemail or are busy, by
 * configurable odds. Outcomes are a pure function of the idempotency key, so a retried dial
 * reports the call that already happened rather than a new one.
 */
export class SandboxCallProvider implements CallProvider {
  readonly name = 'sandbox';
  readonly calls: Array<CallRequest & CallResult & { idempotencyKey: string }> = [];
  private readonly byKey = new Map<string, CallResult>();

  constructor(private readonly options: SandboxCallOptions = {}) {}

  async placeCall(
    request: CallRequest,
    { idempotencyKey, heartbeat }: { idempotencyKey: string; heartbeat: () => void },
  ) {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return existing;
    const problem = sandboxAddressProblem('sms', request.to);
    if (problem) throw new BusinessError('InvalidRecipient', problem);
    const outcome = this.pick(idempotencyKey);
    const durationSeconds =
      outcome === 'answered'
        ? Math.min(request.maxDurationSeconds, 45 + (this.hash(idempotencyKey) % 120))
        : outcome === 'voicemail'
          ? 25
          : 0;
    const wait = outcome === 'answered' ? (this.options.answeredCallMs ?? 0) : 0;
    for (let waited = 0; waited < wait; waited += 1000) {
      heartbeat();
      await new Promise((r) => setTimeout(r, Math.min(1000, wait - waited)));
    }
    const transcript =
      outcome === 'answered'
        ? [
            `Agent: ${request.firstMessage}`,
            'Customer: Sure, go ahead.',
            ...request.script.map((l) => `Agent: ${l}`),
          ].join('\n')
        : outcome === 'voicemail' && request.voicemailMessage
          ? `Agent (voicemail): ${request.voicemailMessage}`
          : undefined;
    const result: CallResult = {
      callId: `sbx_call_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`,
      outcome,
      durationSeconds,
      ...(transcript ? { transcript } : {}),
    };
    this.byKey.set(idempotencyKey, result);
    this.calls.push({ ...request, ...result, idempotencyKey });
    return result;
  }

  private hash(key: string): number {
    return createHash('sha256').update(key).digest().readUInt32BE(0);
  }

  private pick(key: string): (typeof CALL_OUTCOMES)[number] {
    const odds = this.options.odds ?? { answered: 6, voicemail: 2, 'no-answer': 2 };
    return (
      pickWeighted(
        CALL_OUTCOMES.map((o) => [o, odds[o] ?? 0] as const),
        this.hash(key) / 2 ** 32,
      ) ?? 'answered'
    );
  }
}
