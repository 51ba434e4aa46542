import type { z } from 'zod';
import type { PlaceCallOutputSchema } from '../../flow/engine/contracts';

export interface CallRequest {
  to: string;
  persona: string;
  firstMessage: string;
  script: string[];
  maxDurationSeconds: number;
  voicemailMessage?: string;
  voiceAgentId?: string;
}

export type CallResult = z.infer<typeof PlaceCallOutputSchema>;

/**
 * Places one outbound call and reports how it ended. Implementations pass `idempotencyKey` to the
 * provider (or keep their own record of it), so a retried activity never dials twice, and
 * `heartbeat` while the call is in progress.
 */
export interface CallProvider {
  readonly name: string;
  placeCall(request: CallRequest, options: { idempotencyKey: string; heartbeat: () => void }): Promise<CallResult>;
}
