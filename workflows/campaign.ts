import {
  ActivityCancellationType,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { DispatchResult } from '../activities/campaigns';
import type { CampaignStatus } from '../flow/campaign';
import { IDLE_POLL_MS, type LookState, nextLookIn, paceBudget } from '../flow/pacing';
import { CAMPAIGN_CONTROL_PRIORITY } from '../flow/priorities';

type Activities = typeof activities;

/** One campaign: `campaign-<campaignId>`. */
export const campaignWorkflowId = (campaignId: string) => `campaign-${campaignId}`;

export interface CampaignInput {
  tenantId: string;
  campaignId: string;
  /** Not before this instant (epoch ms). */
  startAt?: number | null;
  pacePerMinute?: number | null;
  /** Carried across continue-as-new. */
  state?: CampaignState;
}

export interface CampaignProgress {
  status: CampaignStatus;
  counts: Record<string, number>;
  open: number;
  active: number;
  started: number;
  limitedBy: DispatchResult['limitedBy'];
  nextDueAt: number | null;
  iteration: number;
  continuedAsNew: number;
}

/** Pace tokens and the polling memory are `LookState`'s (flow/pacing.ts). */
interface CampaignState extends LookState {
  status: CampaignStatus;
  pausedAt: number | null;
  cancelRequested: boolean;
  tokensAt: number;
  iteration: number;
  transitions: number;
  progress: CampaignProgress;
}

export type ResumeMissed = 'skip' | 'catch_up';

export const progressQuery = defineQuery<CampaignProgress>('progress');
export const pauseUpdate = defineUpdate<CampaignProgress>('pause');
export const resumeUpdate = defineUpdate<CampaignProgress, [{ missed?: ResumeMissed }]>('resume');
export const cancelUpdate = defineUpdate<CampaignProgress>('cancel');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal<[{ missed?: ResumeMissed }?]>('resume');
export const cancelSignal = defineSignal('cancel');

/** The campaign's own activities retry quickly and forever: each is idempotent. */
const CONTROL_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;

// The dispatcher heartbeats after every claim and every 50 starts: a worker that dies mid-slice is
// noticed within 20 s and the slice retried (its claims are re-driven, never doubled). A pause or
// cancel cancels the call in flight; the heartbeat brings that to the dispatcher, which stops
// claiming and returns what it started, and the workflow waits for that result.
const { dispatchCampaign } = proxyActivities<Pick<Activities, 'dispatchCampaign'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: CONTROL_RETRY,
  priority: CAMPAIGN_CONTROL_PRIORITY,
});
const bookkeeping = proxyActivities<Pick<Activities, 'setCampaignStatus' | 'skipMissedRecipients'>>({
  startToCloseTimeout: '2 minutes',
  retry: CONTROL_RETRY,
  priority: CAMPAIGN_CONTROL_PRIORITY,
});
// Cancelling signals every running journey, a page at a time with a heartbeat after each batch:
// tens of thousands take minutes, so the call is bounded by its heartbeat rather than a total.
const { cancelCampaignRecipients } = proxyActivities<Pick<Activities, 'cancelCampaignRecipients'>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: CONTROL_RETRY,
  priority: CAMPAIGN_CONTROL_PRIORITY,
});

/** A cancel records `cancelling` at once (histories from before replay without it). */
const CANCELLING_STATUS_PATCH = 'campaign-cancelling-status';

/** Fresh history past this many events: far below Temporal's 10k warning. */
const CONTINUE_AS_NEW_EVENTS = 2_000;
/** The most pace tokens that pile up while nothing is due: five seconds of starts, at least one. */
const burstOf = (perMinute: number | null) => (perMinute === null ? UNPACED_TICK : Math.max(1, perMinute / 12));
/** An unpaced campaign asks for the dispatcher's most per call (TICK_MAX in activities/campaigns). */
const UNPACED_TICK = 5_000;

/**
 * Works a launched campaign to the end: each tick asks the dispatcher to start what the pace,
 * concurrency, windows and caps allow, then sleeps until the next start or due time. Recipients
 * live in PostgreSQL, not in this history: a 100k campaign is a few hundred small activity calls,
 * and the run continues as new long before its history grows. Pause, resume (skip or catch up what
 * the pause missed) and cancel arrive as updates or signals; `progress` answers live counters.
 */
export async function campaign(input: CampaignInput): Promise<CampaignProgress> {
  const { tenantId, campaignId } = input;
  const pace = input.pacePerMinute ?? null;
  const state: CampaignState = input.state ?? {
    status: 'scheduled',
    pausedAt: null,
    cancelRequested: false,
    tokens: burstOf(pace),
    tokensAt: Date.now(),
    catchUp: 0,
    iteration: 0,
    transitions: 0,
    progress: {
      status: 'scheduled',
      counts: {},
      open: 0,
      active: 0,
      started: 0,
      limitedBy: null,
      nextDueAt: null,
      iteration: 0,
      continuedAsNew: 0,
    },
  };
  const final = () => state.status === 'completed' || state.status === 'cancelled';
  const progress = (): CampaignProgress => ({
    ...state.progress,
    status: state.cancelRequested && !final() ? 'cancelling' : state.status,
    iteration: state.iteration,
  });
  const record = (status: CampaignStatus, extra: { resumed?: boolean } = {}) =>
    bookkeeping.setCampaignStatus({
      tenantId,
      campaignId,
      status,
      at: Date.now(),
      transition: `${status}-${++state.transitions}`,
      ...extra,
    });

  // A dispatch in flight is told to stop claiming and starts only what it claimed; pause answers
  // once it has returned, so nothing starts after.
  let dispatching: CancellationScope | null = null;
  const pause = async () => {
    if (state.status !== 'running' || state.cancelRequested) return progress();
    state.status = 'paused';
    state.pausedAt = Date.now();
    dispatching?.cancel();
    await record('paused');
    await condition(() => dispatching === null);
    return progress();
  };
  // Set once a cancel has recorded `cancelling` (runs from before the patch never set it).
  let cancellingRecorded: Promise<void> | null = null;
  const resume = async (opts?: { missed?: ResumeMissed }) => {
    if (state.status !== 'paused' || state.pausedAt === null || cancellingRecorded) return progress();
    const pausedFrom = state.pausedAt;
    const pausedMs = Date.now() - pausedFrom;
    const missedStarts = pace === null ? 0 : Math.floor((pausedMs / 60_000) * pace);
    if ((opts?.missed ?? 'catch_up') === 'skip') {
      await bookkeeping.skipMissedRecipients({ campaignId, count: missedStarts, pausedFrom, pausedTo: Date.now() });
    } else {
      state.catchUp += missedStarts;
    }
    state.pausedAt = null;
    state.status = 'running';
    // The pause is not time the pace earned tokens in.
    state.tokensAt = Date.now();
    await record('running', { resumed: true });
    return progress();
  };
  // The API answers with what the database holds: `cancelling` is recorded before the update
  // returns, so a cancelled campaign never reads as `running` while its journeys are stopped.
  const cancel = async () => {
    if (final()) return progress();
    const first = !state.cancelRequested;
    state.cancelRequested = true;
    dispatching?.cancel();
    if (first && patched(CANCELLING_STATUS_PATCH)) cancellingRecorded = record('cancelling');
    if (cancellingRecorded) await cancellingRecorded;
    return progress();
  };

  setHandler(progressQuery, progress);
  setHandler(pauseUpdate, pause);
  setHandler(resumeUpdate, resume);
  setHandler(cancelUpdate, cancel);
  setHandler(pauseSignal, () => void pause());
  setHandler(resumeSignal, (o) => void resume(o));
  setHandler(cancelSignal, () => void cancel());

  if (state.status === 'scheduled') {
    const wait = (input.startAt ?? 0) - Date.now();
    if (wait > 0) await condition(() => state.cancelRequested, wait);
    if (!state.cancelRequested) {
      state.status = 'running';
      state.tokensAt = Date.now();
      await record('running');
    }
  }

  while (!final()) {
    if (state.cancelRequested) {
      await cancelCampaignRecipients({ campaignId, at: Date.now() });
      // The records land in order: `cancelling` (and its handler's answer) before `cancelled`.
      if (cancellingRecorded) await cancellingRecorded;
      state.status = 'cancelled';
      await record('cancelled');
      break;
    }
    if (state.status === 'paused') {
      await condition(() => state.status !== 'paused' || state.cancelRequested);
      continue;
    }
    const budget = paceBudget({ tokens: state.tokens, at: state.tokensAt }, Date.now(), pace, burstOf(pace));
    state.tokens = budget.tokens;
    state.tokensAt = budget.at;
    const scope = new CancellationScope();
    dispatching = scope;
    const result = await scope
      .run(() =>
        dispatchCampaign({
          tenantId,
          campaignId,
          sliceKey: `${workflowInfo().runId}-${state.iteration}`,
          budget: Math.floor(state.tokens + state.catchUp),
          now: Date.now(),
        }),
      )
      .catch((err: unknown) => {
        // Cancelled before it ran, or between retries: nothing of this tick started but what the
        // next tick re-drives from its claims.
        if (isCancellation(err)) return null;
        throw err;
      })
      .finally(() => {
        dispatching = null;
      });
    state.iteration++;
    if (result === null) continue;
    if (result.started > 0) state.idlePollMs = IDLE_POLL_MS;
    const fromCatchUp = Math.min(state.catchUp, result.started);
    state.catchUp -= fromCatchUp;
    state.tokens = Math.max(0, state.tokens - (result.started - fromCatchUp));
    state.progress = {
      ...state.progress,
      counts: result.counts,
      open: result.open,
      active: result.active,
      started: state.progress.started + result.started,
      limitedBy: result.limitedBy,
      nextDueAt: result.nextDueAt,
    };
    if (result.done) {
      state.status = 'completed';
      await record('completed');
      break;
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > CONTINUE_AS_NEW_EVENTS) {
      await condition(allHandlersFinished);
      if (state.status === 'running' && !state.cancelRequested) {
        state.progress.continuedAsNew++;
        return continueAsNew<typeof campaign>({ ...input, state });
      }
    }
    // Sleep until the next start can happen: a pace token, a due recipient, or a journey ending.
    const sleep = nextLookIn(result, state, Date.now(), pace);
    if (sleep > 0) await condition(() => state.status === 'paused' || state.cancelRequested, sleep);
  }
  await condition(allHandlersFinished);
  return progress();
}
