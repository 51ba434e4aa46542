import type {
  CustomSlotSupplier,
  SlotMarkUsedContext,
  SlotPermit,
  SlotReleaseContext,
  SlotReserveContext,
  WorkflowSlotInfo,
} from '@temporalio/worker';
import type { DispatchGate } from '../activities/campaigns/dispatch-gate';

export interface DispatchFirstOptions {
  /** Workflow tasks at once, as `maxConcurrentWorkflowTaskExecutions`. */
  maximumSlots: number;
  /**
   * While a dispatch runs, new workflows (tasks from the task queue itself, not from this worker's
   * sticky queue) begin at most this often. Workflows already under way carry on at full speed.
   */
  newWorkflowsPerSecond: number;
}

/**
 * Workflow task slots that let a campaign's dispatch go first. A journey's first workflow task
 * comes from the shared task queue; everything after it (and every tick of a cached campaign)
 * comes from this worker's sticky queue. Holding back only the shared queue's polls while a
 * dispatch runs lets the journeys already started finish, slows new ones to a trickle, and leaves
 * the Temporal server to the starts; the backlog is worked at full speed once the dispatch ends.
 */
export function dispatchFirstWorkflowSlots(
  gate: DispatchGate,
  options: DispatchFirstOptions,
): CustomSlotSupplier<WorkflowSlotInfo> {
  const interval = 1_000 / options.newWorkflowsPerSecond;
  let inUse = 0;
  let nextNewAt = 0;
  let released: (() => void) | null = null;
  let releasedSignal = new Promise<void>((r) => {
    released = r;
  });

  const grant = (ctx: SlotReserveContext, now: number): boolean => {
    if (inUse >= options.maximumSlots) return false;
    if (!ctx.isSticky && gate.dispatching(now)) {
      if (now < nextNewAt) return false;
      nextNewAt = now + interval;
    }
    inUse++;
    return true;
  };

  return {
    type: 'custom',
    async reserveSlot(ctx: SlotReserveContext, abortSignal: AbortSignal): Promise<SlotPermit> {
      for (;;) {
        if (abortSignal.aborted) throw abortError(abortSignal);
        const now = Date.now();
        if (grant(ctx, now)) return {};
        // Wake on a released slot, the next new-workflow turn, or a while later to look at the gate.
        const wait = inUse >= options.maximumSlots ? 1_000 : Math.max(5, Math.min(nextNewAt - now, 250));
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            clearTimeout(timer);
            reject(abortError(abortSignal));
          };
          const timer = setTimeout(() => {
            abortSignal.removeEventListener('abort', onAbort);
            resolve();
          }, wait);
          abortSignal.addEventListener('abort', onAbort, { once: true });
          void releasedSignal.then(() => {
            clearTimeout(timer);
            abortSignal.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
    },
    tryReserveSlot(ctx: SlotReserveContext): SlotPermit | null {
      return grant(ctx, Date.now()) ? {} : null;
    },
    markSlotUsed(_ctx: SlotMarkUsedContext<WorkflowSlotInfo>): void {},
    releaseSlot(_ctx: SlotReleaseContext<WorkflowSlotInfo>): void {
      inUse = Math.max(0, inUse - 1);
      const wake = released;
      releasedSignal = new Promise<void>((r) => {
        released = r;
      });
      wake?.();
    },
  };
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name === 'AbortError'
    ? signal.reason
    : new DOMException('slot reservation aborted', 'AbortError');
}
