import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { EscalationPolicy, EscalationTarget } from '../flow/escalation';

type Activities = typeof activities;

export interface EscalationInput {
  tenantId: string;
  escalationId: string;
}

export interface AcknowledgeRequest {
  userId: string;
}
export interface ReassignRequest {
  byUserId?: string;
  /** A member, or a team (its members are notified), or both. */
  userId?: string;
  team?: string;
  note?: string;
}
export interface ResolveRequest {
  byUserId?: string;
  resolution?: 'resolved' | 'unresolved';
  note?: string;
}

export interface EscalationView {
  escalationId: string;
  status: 'open' | 'acknowledged' | 'resolved' | 'unresolved';
  /** The ladder level notified last (0-based), and how many the ladder has (with repeats). */
  level: number;
  levels: number;
  acknowledgedBy: string | null;
  assigneeId: string | null;
  team: string;
  /** When the current level gives up waiting for an acknowledgement (null once acknowledged). */
  ackDueAt: number | null;
  exhausted: boolean;
  outcome: 'resolved' | 'unresolved' | null;
}

export const acknowledgeUpdate = defineUpdate<EscalationView, [AcknowledgeRequest]>('acknowledge');
export const reassignUpdate = defineUpdate<EscalationView, [ReassignRequest]>('reassign');
export const resolveUpdate = defineUpdate<EscalationView, [ResolveRequest]>('resolve');
export const acknowledgeSignal = defineSignal<[AcknowledgeRequest]>('acknowledge');
export const reassignSignal = defineSignal<[ReassignRequest]>('reassign');
export const resolveSignal = defineSignal<[ResolveRequest]>('resolve');
export const escalationQuery = defineQuery<EscalationView>('escalation');

const { loadEscalation, notifyEscalationLevel, recordEscalationStep, tellWaitingRun } = proxyActivities<
  Pick<Activities, 'loadEscalation' | 'notifyEscalationLevel' | 'recordEscalationStep' | 'tellWaitingRun'>
>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The error an update for a finished escalation gets (a signal is recorded as ignored instead). */
export const ESCALATION_CLOSED = 'escalation_closed';

/**
 * One escalation (workflow id `escalation-<id>`): notifies its policy's ladder level by level,
 * waiting at each for an acknowledgement until the level's timeout, then the next level (the whole
 * ladder `repeat` more times). Acknowledge, reassign and resolve arrive as updates (answered with
 * the new state, or refused with `escalation_closed` once resolved) or as signals (a late signal is
 * recorded as ignored). A reassignment notifies the new owner and restarts the current level's
 * timeout. The outcome is recorded, and a journey waiting in a handoff node is told.
 */
export async function escalation(input: EscalationInput): Promise<EscalationView> {
  const { tenantId, escalationId } = input;
  const setup = await loadEscalation({ tenantId, escalationId });
  if (!setup) throw ApplicationFailure.nonRetryable(`escalation ${escalationId} does not exist`, 'not_found');
  const policy: EscalationPolicy = setup.policy;
  const rounds = policy.repeat + 1;
  const ladder = Array.from({ length: rounds }, () => policy.levels).flat();

  const view: EscalationView = {
    escalationId,
    status: setup.status === 'resolved' || setup.status === 'unresolved' ? setup.status : 'open',
    level: 0,
    levels: ladder.length,
    acknowledgedBy: null,
    assigneeId: setup.assigneeId,
    team: setup.team,
    ackDueAt: null,
    exhausted: false,
    outcome: null,
  };
  const closed = () => view.status === 'resolved' || view.status === 'unresolved';
  // Functions, not inline comparisons: handlers change the status while the loop awaits.
  const acknowledged = () => view.status === 'acknowledged';
  let step = 0;
  const key = (what: string) => `escalation:${escalationId}:${step++}:${what}`;
  // Work from handlers, done in order by the main loop so history entries keep their order.
  const inbox: Array<
    | { kind: 'acknowledge'; req: AcknowledgeRequest; at: number }
    | { kind: 'reassign'; req: ReassignRequest; at: number }
    | { kind: 'resolve'; req: ResolveRequest; at: number }
    | { kind: 'ignored'; what: string; at: number }
  > = [];

  const refuseWhenClosed = () => {
    if (closed()) {
      throw ApplicationFailure.nonRetryable(`the escalation is already ${view.status}`, ESCALATION_CLOSED);
    }
  };
  const acknowledge = (req: AcknowledgeRequest) => {
    if (closed()) return void inbox.push({ kind: 'ignored', what: 'acknowledge', at: Date.now() });
    if (view.status === 'acknowledged' && view.acknowledgedBy === req.userId) return; // twice: once
    view.status = 'acknowledged';
    view.acknowledgedBy = req.userId;
    view.assigneeId = req.userId;
    view.ackDueAt = null;
    inbox.push({ kind: 'acknowledge', req, at: Date.now() });
  };
  const reassign = (req: ReassignRequest) => {
    if (closed()) return void inbox.push({ kind: 'ignored', what: 'reassign', at: Date.now() });
    view.status = 'open';
    view.acknowledgedBy = null;
    view.assigneeId = req.userId ?? null;
    if (req.team) view.team = req.team;
    inbox.push({ kind: 'reassign', req, at: Date.now() });
  };
  const resolve = (req: ResolveRequest) => {
    if (closed()) return void inbox.push({ kind: 'ignored', what: 'resolve', at: Date.now() });
    view.status = req.resolution ?? 'resolved';
    view.outcome = view.status;
    view.ackDueAt = null;
    inbox.push({ kind: 'resolve', req, at: Date.now() });
  };
  const afterProcessing = async () => {
    await condition(() => inbox.length === 0);
    return { ...view };
  };
  setHandler(
    acknowledgeUpdate,
    async (req) => {
      acknowledge(req);
      return afterProcessing();
    },
    {
      validator: (req) => {
        refuseWhenClosed();
        if (!req?.userId) throw new Error('acknowledge needs the userId of who acknowledges');
      },
    },
  );
  setHandler(
    reassignUpdate,
    async (req) => {
      reassign(req);
      return afterProcessing();
    },
    {
      validator: (req) => {
        refuseWhenClosed();
        if (!req?.userId && !req?.team) throw new Error('reassign needs a userId or a team');
      },
    },
  );
  setHandler(
    resolveUpdate,
    async (req) => {
      resolve(req);
      return afterProcessing();
    },
    {
      validator: (req) => {
        refuseWhenClosed();
        if (req?.resolution && !['resolved', 'unresolved'].includes(req.resolution)) {
          throw new Error('resolution is "resolved" or "unresolved"');
        }
      },
    },
  );
  setHandler(acknowledgeSignal, acknowledge);
  setHandler(reassignSignal, reassign);
  setHandler(resolveSignal, resolve);
  setHandler(escalationQuery, () => ({ ...view }));

  const drain = async () => {
    while (inbox.length > 0) {
      const item = inbox[0] as (typeof inbox)[number];
      if (item.kind === 'acknowledge') {
        await recordEscalationStep({
          tenantId,
          escalationId,
          key: key('acknowledged'),
          kind: 'acknowledged',
          level: view.level,
          actorUserId: item.req.userId,
          at: item.at,
          patch: {
            status: 'acknowledged',
            acknowledgedBy: item.req.userId,
            acknowledgedAt: item.at,
            assigneeId: item.req.userId,
          },
        });
      } else if (item.kind === 'reassign') {
        await recordEscalationStep({
          tenantId,
          escalationId,
          key: key('reassigned'),
          kind: 'reassigned',
          level: view.level,
          actorUserId: item.req.byUserId ?? null,
          at: item.at,
          detail: { userId: item.req.userId ?? null, team: item.req.team ?? null, note: item.req.note ?? null },
          patch: {
            status: 'open',
            acknowledgedBy: null,
            acknowledgedAt: null,
            assigneeId: item.req.userId ?? null,
            ...(item.req.team ? { team: item.req.team } : {}),
          },
        });
        const targets: EscalationTarget[] = [
          ...(item.req.userId ? [{ type: 'user' as const, userId: item.req.userId }] : []),
          ...(!item.req.userId && item.req.team ? [{ type: 'team' as const, team: item.req.team }] : []),
        ];
        await notifyEscalationLevel({
          tenantId,
          escalationId,
          key: key('notify-reassigned'),
          level: view.level,
          targets,
          channels: ['in_app'],
          at: item.at,
        });
      } else if (item.kind === 'resolve') {
        const resolution = item.req.resolution ?? 'resolved';
        await recordEscalationStep({
          tenantId,
          escalationId,
          key: key('resolved'),
          kind: 'resolved',
          level: view.level,
          actorUserId: item.req.byUserId ?? null,
          at: item.at,
          detail: { resolution, note: item.req.note ?? null },
          patch: {
            status: resolution,
            outcome: resolution,
            resolutionNote: item.req.note ?? null,
            resolvedAt: item.at,
          },
        });
        if (setup.workflowId) {
          await tellWaitingRun({
            workflowId: setup.workflowId,
            escalationId,
            resolution,
            ...(item.req.note ? { note: item.req.note } : {}),
          });
        }
      } else {
        await recordEscalationStep({
          tenantId,
          escalationId,
          key: key(`ignored-${item.what}`),
          kind: 'ignored',
          at: item.at,
          detail: { request: item.what, reason: `the escalation was already ${view.status}` },
        });
      }
      inbox.shift();
    }
  };

  if (closed()) return { ...view };
  await recordEscalationStep({
    tenantId,
    escalationId,
    key: key('opened'),
    kind: 'opened',
    level: 0,
    at: Date.now(),
    detail: { policy: policy.name, levels: ladder.length },
  });

  // Up the ladder while nobody acknowledges. A reassignment keeps the level but gives its new
  // owner a fresh timeout (the rung is not notified again: the new owner was).
  let level = 0;
  let notifyRung = true;
  while (level < ladder.length && !closed() && !acknowledged()) {
    const rung = ladder[level] as EscalationPolicy['levels'][number];
    view.level = level;
    if (notifyRung) {
      if (level > 0) {
        await recordEscalationStep({
          tenantId,
          escalationId,
          key: key('escalated'),
          kind: 'escalated',
          level,
          at: Date.now(),
          detail: { reason: 'not acknowledged in time' },
          patch: { level },
        });
      }
      await notifyEscalationLevel({
        tenantId,
        escalationId,
        key: key(`notify-${level}`),
        level,
        targets: rung.targets,
        channels: rung.channels,
        at: Date.now(),
      });
      notifyRung = false;
    }
    await drain();
    if (acknowledged() || closed()) break;
    view.ackDueAt = Date.now() + rung.ackTimeoutMinutes * 60_000;
    const answered = await condition(
      () => inbox.length > 0 || acknowledged() || closed(),
      rung.ackTimeoutMinutes * 60_000,
    );
    await drain();
    if (!answered) {
      level++;
      notifyRung = true;
    }
  }
  view.ackDueAt = null;
  if (!closed() && !acknowledged()) {
    view.exhausted = true;
    await recordEscalationStep({
      tenantId,
      escalationId,
      key: key('exhausted'),
      kind: 'exhausted',
      level: view.level,
      at: Date.now(),
      detail: { reason: `no level of "${policy.name}" acknowledged it` },
      patch: { outcome: 'exhausted' },
    });
  }
  // Acknowledged (or nobody answered): it stays open until someone resolves it; reassignments and
  // acknowledgements are still recorded.
  while (!closed()) {
    await condition(() => inbox.length > 0);
    await drain();
  }
  await drain();
  return { ...view };
}
