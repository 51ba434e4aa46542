import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { BusinessCalendar } from '../flow/business-calendar';
import type { SlaPolicy } from '../flow/sla';
import { SlaClocks, type SlaEvent, type SlaState } from '../flow/sla-clocks';

type Activities = typeof activities;

export type SlaSignalKind = 'customer_message' | 'agent_reply' | 'resolved' | 'reopened';

export interface ConversationSlaInput {
  tenantId: string;
  conversationId: string;
  /** Carried across continue-as-new. */
  carried?: {
    openedAt: number;
    policyId: string;
    policy: SlaPolicy;
    calendar: BusinessCalendar;
    state: SlaState;
    seq: number;
    pending: SlaSignalKind[];
    /** What the conversation row last showed as next due. */
    savedDue?: string;
  };
}

export type SlaClockView = ReturnType<SlaClocks['view']>;
export interface ConversationSlaView {
  policyId: string | null;
  clocks: SlaClockView;
  resolved: boolean;
}

export const slaSignal = defineSignal<[{ kind: SlaSignalKind }]>('sla');
export const slaQuery = defineQuery<ConversationSlaView>('sla');

/** The running clock due soonest: a breached clock still counts (it is the most overdue). */
function soonestDue(clocks: SlaClockView): { metric: string; dueAt: number } | null {
  let best: { metric: string; dueAt: number } | null = null;
  for (const c of clocks) {
    if (c.dueAt !== null && (best === null || c.dueAt < best.dueAt)) best = { metric: c.metric, dueAt: c.dueAt };
  }
  return best;
}

export const conversationSlaWorkflowId = (conversationId: string) => `sla-${conversationId}`;

const { loadSlaSetup, recordSlaEvents, openSlaEscalation, saveSlaDue } = proxyActivities<
  Pick<Activities, 'loadSlaSetup' | 'recordSlaEvents' | 'openSlaEscalation' | 'saveSlaDue'>
>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** A resolved conversation keeps its clocks this long for a reopen to resume them. */
const REOPEN_GRACE_MS = 7 * 86_400_000;
const CONTINUE_AS_NEW_EVENTS = 2_000;

/**
 * The SLA clocks of one conversation (workflow id `sla-<conversationId>`), started by its first
 * customer message. Clocks count business time on the policy's calendar and pause outside it; a
 * customer message starts next-response, an agent reply meets it, resolve stops them (resolution is
 * met), reopen resumes resolution where it stopped. Warnings and breaches are recorded as they fall
 * due — the workflow sleeps until exactly then. `sla` answers the due times.
 */
export async function conversationSla(input: ConversationSlaInput): Promise<ConversationSlaView> {
  const { tenantId, conversationId } = input;
  const pending: SlaSignalKind[] = [...(input.carried?.pending ?? [])];
  let clocks: SlaClocks | null = null;
  let policyId: string | null = input.carried?.policyId ?? null;
  const view = (): ConversationSlaView => ({
    policyId,
    clocks: clocks ? clocks.view(Date.now()) : [],
    resolved: clocks?.state.resolved ?? false,
  });
  setHandler(slaSignal, ({ kind }) => {
    pending.push(kind);
  });
  setHandler(slaQuery, view);

  let openedAt: number;
  let seq: number;
  if (input.carried) {
    clocks = new SlaClocks(input.carried.policy, input.carried.calendar, input.carried.state);
    openedAt = input.carried.openedAt;
    seq = input.carried.seq;
  } else {
    openedAt = Date.now();
    seq = 0;
    const setup = await loadSlaSetup({ tenantId, conversationId });
    if (!setup) return view(); // no policy applies: no clocks to run
    policyId = setup.policyId;
    clocks = SlaClocks.open(setup.policy, setup.calendar, openedAt);
    // The message that started us opened the clocks; it is not a second one.
    if (pending[0] === 'customer_message') pending.shift();
  }
  const sla = clocks;
  const activePolicy = policyId as string;

  const record = async (events: SlaEvent[]) => {
    if (events.length === 0) return;
    const keyed = events.map((e) => ({ ...e, key: `sla:${conversationId}:${openedAt}:${seq++}` }));
    await recordSlaEvents({ tenantId, conversationId, policyId: activePolicy, events: keyed });
    // A breach starts the policy's escalation ladder (when it names one).
    for (const e of keyed) {
      if (e.kind === 'breach' && sla.policy.escalationPolicyId) {
        await openSlaEscalation({
          tenantId,
          conversationId,
          policyId: activePolicy,
          metric: e.metric,
          dueAt: e.dueAt,
          key: `${e.key}:escalation`,
        });
      }
    }
  };

  // What the conversation row shows as next due; saved only when it moves. Histories from before
  // the row kept it take the old path on replay.
  const keepsDue = patched('sla-due-on-conversation');
  let savedDue: string | undefined = input.carried ? (input.carried.savedDue ?? undefined) : undefined;
  const saveDue = async () => {
    if (!keepsDue) return;
    const next = soonestDue(sla.view(Date.now()));
    const fingerprint = next ? `${next.metric}@${next.dueAt}` : 'none';
    if (fingerprint === savedDue) return;
    await saveSlaDue({ tenantId, conversationId, dueAt: next?.dueAt ?? null, metric: next?.metric ?? null });
    savedDue = fingerprint;
  };

  for (;;) {
    while (pending.length > 0) {
      const kind = pending.shift() as SlaSignalKind;
      const now = Date.now();
      await record(
        kind === 'customer_message'
          ? sla.customerMessage(now)
          : kind === 'agent_reply'
            ? sla.agentReply(now)
            : kind === 'resolved'
              ? sla.resolve(now)
              : sla.reopen(now),
      );
    }
    await saveDue();
    const deadline = sla.nextDeadline();
    if (deadline === null && sla.state.resolved) {
      // Resolved: done unless it reopens within the grace period.
      if (!(await condition(() => pending.length > 0, REOPEN_GRACE_MS))) return view();
      continue;
    }
    if (deadline === null) {
      await condition(() => pending.length > 0);
    } else if (!(await condition(() => pending.length > 0, Math.max(1, deadline - Date.now())))) {
      await record(sla.tick(Date.now()));
      await saveDue();
    }
    if (workflowInfo().historyLength > CONTINUE_AS_NEW_EVENTS || workflowInfo().continueAsNewSuggested) {
      await condition(() => true);
      return continueAsNew<typeof conversationSla>({
        tenantId,
        conversationId,
        carried: {
          openedAt,
          policyId: activePolicy,
          policy: sla.policy,
          calendar: sla.calendar,
          state: sla.state,
          seq,
          pending,
          ...(savedDue !== undefined ? { savedDue } : {}),
        },
      });
    }
  }
}
