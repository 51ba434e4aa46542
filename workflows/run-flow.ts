import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type * as activities from '../activities';
// Specific modules, not the `flow` barrel: every workflow evaluates its imports afresh (the SDK
// isolates module state per workflow), so the simulator, diff and campaign schemas stay out.
import { type Plan, PlanSchema, planWithoutGraphRules } from '../flow/compile';
import type { ActivityInput, EngineActivityName } from '../flow/engine/contracts';
import { type CallResult, type Effects, RunCancelled } from '../flow/engine/effects';
import { interpret } from '../flow/engine/interpret';
import { initialState, RunEventInputSchema, type RunState, RunStateSchema, receiveEvent } from '../flow/engine/state';
import { ContactSnapshotSchema, FlowSchema } from '../flow/schema';

/**
 * Input of `runFlow`, one journey. The plan travels in the input, so the run's history is
 * self-contained and replayable; `state` is set only when the run continues as new.
 */
export const RunFlowInputSchema = z
  .object({
    tenantId: z.string().min(1),
    runId: z.string().min(1),
    plan: PlanSchema.optional(),
    /** The issue-2 input carried a flow document, compiled here; kept so recorded histories replay. */
    flow: FlowSchema.optional(),
    flowVersionId: z.string().nullable().optional(),
    contact: ContactSnapshotSchema,
    trigger: z.record(z.string(), z.unknown()).default({}),
    state: RunStateSchema.optional(),
    /** Start a fresh history past this many events (Temporal warns at 10k, stops at 51,200). */
    continueAsNewAfterEvents: z.number().int().min(50).max(40_000).default(8_000),
  })
  .refine((i) => i.plan !== undefined || i.flow !== undefined, { message: 'plan is required', path: ['plan'] });
export type RunFlowInput = z.input<typeof RunFlowInputSchema>;
export type { RunState } from '../flow/engine/state';

export const stateQuery = defineQuery<RunState>('state');
export const inboundMessageSignal =
  defineSignal<[{ channel: string; text: string; messageId?: string }]>('inboundMessage');
export const contactEventSignal = defineSignal<[{ name: string; data?: Record<string, unknown> }]>('contactEvent');
export const escalationResolvedSignal =
  defineSignal<[{ escalationId: string; resolution?: 'resolved' | 'unresolved'; note?: string }]>('escalationResolved');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');

type Activities = typeof activities;

// Activity options by node type: how long one attempt may take and how long to keep retrying
// through a provider outage. Business errors are non-retryable and come back as values.
const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;
const optionsByActivity: Record<EngineActivityName, ActivityOptions> = {
  sendMessage: { startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '6 hours', retry },
  placeCall: {
    startToCloseTimeout: '70 minutes',
    heartbeatTimeout: '2 minutes',
    scheduleToCloseTimeout: '3 hours',
    retry,
  },
  aiReply: { startToCloseTimeout: '2 minutes', scheduleToCloseTimeout: '30 minutes', retry },
  updateContact: { startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '1 hour', retry },
  openEscalation: { startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '1 hour', retry },
  httpRequest: {
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '1 hour',
    retry: { ...retry, maximumAttempts: 8 },
  },
  loadFlowVersion: { startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '10 minutes', retry },
};
// One proxy per activity, each with its own options.
const proxies = Object.fromEntries(
  Object.entries(optionsByActivity).map(([name, options]) => [name, proxyActivities<Activities>(options)]),
) as unknown as Record<EngineActivityName, Record<EngineActivityName, (input: unknown) => Promise<unknown>>>;
const bookkeeping = proxyActivities<Pick<Activities, 'recordRunFinished'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 50 },
});
// Recording the end of a run is one quick row update: a local activity saves a server round trip
// and two history events per journey. Introduced behind a patch so earlier histories replay.
const localBookkeeping = proxyLocalActivities<Pick<Activities, 'recordRunFinished'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 50 },
});
function recordRunFinished(input: Parameters<Activities['recordRunFinished']>[0]) {
  return patched('run-finished-local-activity')
    ? localBookkeeping.recordRunFinished(input)
    : bookkeeping.recordRunFinished(input);
}

/** Interprets a flow's plan for one contact: one journey. */
export async function runFlow(rawInput: RunFlowInput): Promise<RunState> {
  const input = RunFlowInputSchema.parse(rawInput);
  const plan: Plan = input.plan ?? legacyPlan(input.flow);
  const info = workflowInfo();
  // Date.now() inside a workflow is the deterministic time of the current workflow task.
  const state: RunState = input.state ?? initialState(plan, input.contact, Date.now());
  let cancelReason: string | null = null;

  setHandler(stateQuery, () => state);
  setHandler(inboundMessageSignal, (m) => {
    receiveEvent(state, RunEventInputSchema.parse({ kind: 'inbound-message', ...m }), Date.now());
  });
  setHandler(contactEventSignal, (e) => {
    receiveEvent(state, RunEventInputSchema.parse({ kind: 'contact-event', ...e }), Date.now());
  });
  setHandler(escalationResolvedSignal, (e) => {
    receiveEvent(state, RunEventInputSchema.parse({ kind: 'escalation-resolved', ...e }), Date.now());
  });
  setHandler(cancelSignal, (c) => {
    cancelReason = c?.reason ?? 'cancelled by request';
  });

  const effects: Effects = {
    now: () => Date.now(),
    async call<N extends EngineActivityName>(name: N, activityInput: ActivityInput<N>) {
      try {
        const value = await proxies[name][name](activityInput);
        return { ok: true, value } as CallResult<never>;
      } catch (err) {
        if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
        // Business errors, and a provider still down when the retry budget runs out, both take the
        // node's failure output: a journey never stalls on an outage.
        if (err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
          return { ok: false, type: err.cause.type ?? 'Failed', message: err.cause.message };
        }
        return { ok: false, type: 'RetriesExhausted', message: err.cause?.message ?? err.message };
      }
    },
    async sleepUntil(epochMs) {
      const remaining = epochMs - Date.now();
      if (remaining > 0 && (await condition(() => cancelReason !== null, remaining))) {
        throw new RunCancelled(cancelReason ?? 'cancelled');
      }
      if (cancelReason !== null) throw new RunCancelled(cancelReason);
    },
    async waitForEvent(match, deadline) {
      const found = () => state.inbox.find(match) ?? null;
      const remaining = deadline - Date.now();
      if (remaining > 0 && !found()) await condition(() => found() !== null || cancelReason !== null, remaining);
      if (cancelReason !== null) throw new RunCancelled(cancelReason);
      return found();
    },
    async runChild({ plan: childPlan, flowVersionId, key }) {
      const child = await executeChild(runFlow, {
        workflowId: key,
        args: [
          {
            tenantId: input.tenantId,
            runId: uuid4(),
            plan: childPlan,
            flowVersionId,
            contact: state.contact,
            trigger: { parentWorkflowId: info.workflowId },
          },
        ],
      });
      return { status: child.status, outcome: child.outcome };
    },
    shouldYield: () =>
      workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= input.continueAsNewAfterEvents,
  };

  const ctx = {
    tenantId: input.tenantId,
    runId: input.runId,
    workflowId: info.workflowId,
    plan,
    trigger: input.trigger,
  };
  try {
    if (cancelReason === null && (await interpret(ctx, state, effects)) === 'yield') {
      state.continuedAsNew++;
      return await continueAsNew<typeof runFlow>({ ...input, plan, flow: undefined, state });
    }
  } catch (err) {
    if (isCancellation(err)) {
      state.status = 'cancelled';
      state.outcome = 'cancelled';
      state.finishedAt = new Date(Date.now()).toISOString();
      await CancellationScope.nonCancellable(() =>
        recordRunFinished({
          tenantId: input.tenantId,
          runId: input.runId,
          status: 'cancelled',
          visits: state.visits,
          at: Date.now(),
        }),
      );
      throw err;
    }
    if (!(err instanceof ActivityFailure)) throw err; // a bug: fail the task so a fixed worker can retry it
    // An activity exhausted its retries (a long outage): the journey fails, visibly and recorded.
    state.status = 'failed';
    state.error = err.cause?.message ?? err.message;
    state.outcome = 'failed';
    state.finishedAt = new Date(Date.now()).toISOString();
  }
  if (cancelReason !== null && state.status !== 'cancelled' && state.finishedAt === null) {
    state.status = 'cancelled';
    state.outcome = 'cancelled';
    state.error = cancelReason;
    state.finishedAt = new Date(Date.now()).toISOString();
  }
  const finalStatus = state.status === 'cancelled' || state.status === 'failed' ? state.status : 'completed';
  await recordRunFinished({
    tenantId: input.tenantId,
    runId: input.runId,
    status: finalStatus,
    outcome: state.outcome,
    visits: state.visits,
    at: Date.now(),
  });
  return state;
}

/**
 * Issue-2 runs carried a flow document; they ran it as it stood (an unconnected output ended the
 * run), so they are planned without today's graph rules — refusing them would break their replay.
 */
function legacyPlan(flow: z.infer<typeof FlowSchema> | undefined): Plan {
  if (!flow) throw ApplicationFailure.create({ type: 'InvalidInput', message: 'plan is required', nonRetryable: true });
  return planWithoutGraphRules(flow);
}
