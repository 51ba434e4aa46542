import type { Plan } from '../compile';
import type { ActivityInput, ActivityOutput, EngineActivityName } from './contracts';
import type { RunEvent } from './state';

/** A business failure of an activity (bad number, opted out…): the node takes its failure output. */
export interface BusinessFailure {
  ok: false;
  type: string;
  message: string;
}
export type CallResult<T> = { ok: true; value: T } | BusinessFailure;

/** Raised by a host's waits when the run is cancelled. */
export class RunCancelled extends Error {
  constructor(readonly reason: string) {
    super(`cancelled: ${reason}`);
    this.name = 'RunCancelled';
  }
}

/**
 * What the interpreter needs from its host. The Temporal workflow implements it with activities,
 * durable timers and signals; the simulator with a virtual clock and a script. The interpreter
 * never reads a clock, a random source or the network any other way.
 */
export interface Effects {
  /** Current time in epoch milliseconds (the workflow's deterministic clock, or the virtual one). */
  now(): number;
  /** Performs a side effect. Business failures come back as values; anything else throws. */
  call<N extends EngineActivityName>(
    name: N,
    input: ActivityInput<N>,
    meta: { nodeType: string },
  ): Promise<CallResult<ActivityOutput<N>>>;
  /** Sleeps until the given instant (durable timer). */
  sleepUntil(epochMs: number): Promise<void>;
  /**
   * Resolves with the first event in the run's inbox that `match` accepts (already there or
   * arriving later), or null once `deadline` passes.
   */
  waitForEvent(match: (event: RunEvent) => boolean, deadline: number): Promise<RunEvent | null>;
  /** Runs another flow's plan for the same contact as a child journey. */
  runChild(input: {
    plan: Plan;
    flowVersionId: string;
    key: string;
  }): Promise<{ status: string; outcome: string | null }>;
  /** True when the host wants to start a fresh history (continue-as-new) at the next node boundary. */
  shouldYield(): boolean;
}
