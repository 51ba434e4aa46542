// What the escalation workflow does to the world: who a level's targets are right now, telling them
// (in-app, outbound webhook), recording every step of the ladder, and telling a journey waiting on
// the escalation how it ended. Every write is keyed, so a retried activity acts once.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Mailer } from '../../api/mailer';
import type { DispatchTarget } from '../../api/webhooks/dispatch';
import { dispatchEvent } from '../../api/webhooks/dispatch';
import type { EventType } from '../../api/webhooks/events';
import { type EscalationPolicy, EscalationPolicySchema, type EscalationTarget } from '../../flow/escalation';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import type { CampaignStarter } from '../campaigns/dispatch';
import { publishInbox } from '../channels/live';
import { uuidFromKey } from '../ids';
import type { OutboundDeps } from '../messaging/outbound';
import { deliverStaffNotice, type NoticeResult } from './staff-notices';
import { escalationWorkflowId } from './start';

/** A ladder for escalations opened without a policy: the team, in-app, until someone answers. */
export const DEFAULT_LADDER = (team: string): EscalationPolicy => ({
  name: 'default',
  levels: [{ targets: [{ type: 'team', team }], channels: ['in_app'], ackTimeoutMinutes: 7 * 24 * 60 }],
  repeat: 0,
});

export interface EscalationSetup {
  status: string;
  team: string;
  policy: EscalationPolicy;
  policyId: string | null;
  workflowId: string | null;
  assigneeId: string | null;
}

export type EscalationStep =
  | 'opened'
  | 'notified'
  | 'acknowledged'
  | 'escalated'
  | 'reassigned'
  | 'resolved'
  | 'exhausted'
  | 'ignored';

export interface RecordStepInput {
  tenantId: string;
  escalationId: string;
  key: string;
  kind: EscalationStep;
  level?: number;
  actorUserId?: string | null;
  at: number;
  detail?: Record<string, unknown>;
  /** Row changes made in the same transaction as the history entry. */
  patch?: {
    status?: 'open' | 'acknowledged' | 'resolved' | 'unresolved';
    level?: number;
    assigneeId?: string | null;
    team?: string;
    acknowledgedBy?: string | null;
    acknowledgedAt?: number | null;
    outcome?: 'resolved' | 'unresolved' | 'exhausted' | null;
    resolutionNote?: string | null;
    resolvedAt?: number | null;
  };
}

const WEBHOOK_EVENT: Partial<Record<EscalationStep, EventType>> = {
  opened: 'escalation.opened',
  acknowledged: 'escalation.acknowledged',
  escalated: 'escalation.escalated',
  reassigned: 'escalation.reassigned',
  resolved: 'escalation.resolved',
  exhausted: 'escalation.exhausted',
};

/** How many activity attempts a staff notice gets before it is recorded as undelivered. */
const STAFF_NOTICE_ATTEMPTS = 4;

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The activity attempt (1 outside an activity, as in unit tests). */
function attemptNumber(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

export function createEscalationActivities({
  db,
  events,
  starter,
  mailer,
  messaging,
}: {
  db: Db;
  events?: DispatchTarget;
  starter?: CampaignStarter;
  /** Email to agents; none: email notices are recorded as not delivered. */
  mailer?: Mailer;
  /** The tenant's channels, for SMS to agents. */
  messaging?: OutboundDeps;
}) {
  /** The users a target means at `at`: a member, a team's members, or the team's on-call member. */
  async function resolveTarget(tenantId: string, target: EscalationTarget, at: number): Promise<string[]> {
    if (target.type === 'user') {
      const m = await db.membership.findFirst({ where: { tenantId, userId: target.userId }, select: { userId: true } });
      return m ? [m.userId] : [];
    }
    if (target.type === 'team') {
      const members = await db.membership.findMany({
        where: { tenantId, teams: { has: target.team } },
        select: { userId: true },
        orderBy: { createdAt: 'asc' },
      });
      return members.map((m) => m.userId);
    }
    const shift = await db.onCallShift.findFirst({
      where: { tenantId, team: target.team, startsAt: { lte: new Date(at) }, endsAt: { gt: new Date(at) } },
      orderBy: { startsAt: 'desc' },
    });
    if (shift) return [shift.userId];
    // No rota entry covers now: the team's longest-standing member rather than nobody.
    const first = await db.membership.findFirst({
      where: { tenantId, teams: { has: target.team } },
      orderBy: { createdAt: 'asc' },
      select: { userId: true },
    });
    return first ? [first.userId] : [];
  }

  async function summary(escalationId: string) {
    return db.escalation.findUnique({
      where: { id: escalationId },
      select: {
        id: true,
        status: true,
        level: true,
        team: true,
        priority: true,
        note: true,
        source: true,
        assigneeId: true,
        conversationId: true,
        contactId: true,
        outcome: true,
        createdAt: true,
        resolvedAt: true,
      },
    });
  }

  /**
   * Emails and texts a level's members, recording on each history entry whether it arrived and, if
   * not, why. True when a failure may pass and this attempt is not yet the last worth making.
   */
  async function sendStaffNotices(
    input: { tenantId: string; escalationId: string; level: number },
    notices: Array<{ key: string; channel: 'email' | 'sms'; userId: string }>,
  ): Promise<boolean> {
    const [escalation, tenant, members] = await Promise.all([
      summary(input.escalationId),
      db.tenant.findUnique({ where: { id: input.tenantId }, select: { name: true } }),
      db.membership.findMany({
        where: { tenantId: input.tenantId, userId: { in: [...new Set(notices.map((n) => n.userId))] } },
        select: { userId: true, notifyPhone: true, user: { select: { email: true } } },
      }),
    ]);
    const byUser = new Map(members.map((m) => [m.userId, m]));
    const subject = `[${tenant?.name ?? 'Switchboard'}] ${escalation?.priority ?? 'normal'} escalation, level ${input.level + 1}: ${truncate(escalation?.note ?? 'a customer needs a person', 80)}`;
    const text = [
      `${tenant?.name ?? 'A tenant'} escalated a conversation to you (team ${escalation?.team ?? '?'}, level ${input.level + 1}).`,
      escalation?.note ? `Note: ${escalation.note}` : null,
      `Acknowledge it in the inbox: escalation ${input.escalationId}.`,
    ]
      .filter(Boolean)
      .join('\n');
    const lastAttempt = attemptNumber() >= STAFF_NOTICE_ATTEMPTS;
    let retry = false;
    for (const n of notices) {
      const member = byUser.get(n.userId);
      const to = n.channel === 'email' ? member?.user.email : member?.notifyPhone;
      const result: NoticeResult = to
        ? await deliverStaffNotice(
            { db, ...(mailer ? { mailer } : {}), ...(messaging ? { messaging } : {}) },
            {
              tenantId: input.tenantId,
              idempotencyKey: `staff:${n.key}`,
              workflowId: escalationWorkflowId(input.escalationId),
              channel: n.channel,
              to,
              subject,
              text: n.channel === 'sms' ? truncate(`${subject}. ${text}`, 300) : text,
            },
          )
        : {
            delivered: false,
            reason: n.channel === 'sms' ? 'the member has no notifyPhone' : 'the member has no email address',
            retryable: false,
          };
      if (!result.delivered && result.retryable && !lastAttempt) {
        retry = true;
        continue;
      }
      await db.escalationEvent.update({
        where: { idempotencyKey: n.key },
        data: {
          detail: toJson(
            result.delivered
              ? { channel: n.channel, userId: n.userId, delivered: true, to: result.to }
              : { channel: n.channel, userId: n.userId, delivered: false, reason: result.reason },
          ),
        },
      });
    }
    return retry;
  }

  return {
    async loadEscalation(input: { tenantId: string; escalationId: string }): Promise<EscalationSetup | null> {
      const row = await db.escalation.findFirst({
        where: { id: input.escalationId, tenantId: input.tenantId },
        include: { policy: true },
      });
      if (!row) return null;
      const parsed = row.policy ? EscalationPolicySchema.safeParse(row.policy.definition) : null;
      return {
        status: row.status,
        team: row.team,
        policy: parsed?.success ? parsed.data : DEFAULT_LADDER(row.team),
        policyId: row.policyId,
        workflowId: row.workflowId,
        assigneeId: row.assigneeId,
      };
    },

    /** Tells a level's targets on its channels; one history entry per target and channel. */
    async notifyEscalationLevel(input: {
      tenantId: string;
      escalationId: string;
      key: string;
      level: number;
      targets: EscalationTarget[];
      channels: string[];
      at: number;
    }): Promise<{ notified: string[] }> {
      const users = [
        ...new Set((await Promise.all(input.targets.map((t) => resolveTarget(input.tenantId, t, input.at)))).flat()),
      ];
      const rows: Prisma.EscalationEventCreateManyInput[] = [];
      const notices: Array<{ key: string; channel: 'email' | 'sms'; userId: string }> = [];
      for (const channel of input.channels) {
        if (channel === 'webhook') {
          rows.push({
            tenantId: input.tenantId,
            escalationId: input.escalationId,
            idempotencyKey: `${input.key}:webhook`,
            kind: 'notified',
            level: input.level,
            detail: toJson({ channel }),
            at: new Date(input.at),
          });
          continue;
        }
        for (const userId of users) {
          const key = `${input.key}:${channel}:${userId}`;
          if (channel === 'email' || channel === 'sms') notices.push({ key, channel, userId });
          rows.push({
            tenantId: input.tenantId,
            escalationId: input.escalationId,
            idempotencyKey: key,
            kind: 'notified',
            level: input.level,
            detail: toJson({ channel, userId, ...(channel === 'in_app' ? {} : { delivered: 'pending' }) }),
            at: new Date(input.at),
          });
        }
      }
      if (users.length === 0 && !input.channels.includes('webhook')) {
        rows.push({
          tenantId: input.tenantId,
          escalationId: input.escalationId,
          idempotencyKey: `${input.key}:nobody`,
          kind: 'notified',
          level: input.level,
          detail: toJson({ targets: input.targets, reason: 'no one matches this level’s targets' }),
          at: new Date(input.at),
        });
      }
      await db.escalationEvent.createMany({ data: rows, skipDuplicates: true });
      // Keyed by the step, so a retried attempt dispatches the same event, not a second one.
      if (input.channels.includes('webhook') && events) {
        const escalation = await summary(input.escalationId);
        await dispatchEvent(
          db,
          events,
          input.tenantId,
          'escalation.notified',
          { escalation, level: input.level, notified: users },
          { eventId: uuidFromKey(input.key) },
        );
      }
      const retry = notices.length > 0 ? await sendStaffNotices(input, notices) : false;
      await publishInbox(db, {
        tenantId: input.tenantId,
        type: 'escalation.updated',
        escalationId: input.escalationId,
      });
      if (retry) {
        // Sent notices are settled in the ledger; the retry tries only the ones that failed.
        throw ApplicationFailure.retryable('a staff notice failed for a reason that may pass', 'StaffNoticeRetry');
      }
      return { notified: users };
    },

    /** One step of the ladder: the row's new state and its history entry, together, once. */
    async recordEscalationStep(input: RecordStepInput): Promise<void> {
      const p = input.patch ?? {};
      const date = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));
      const recorded = await db.$transaction(async (tx) => {
        const existing = await tx.escalationEvent.findUnique({ where: { idempotencyKey: input.key } });
        if (existing) return false;
        await tx.escalationEvent.create({
          data: {
            tenantId: input.tenantId,
            escalationId: input.escalationId,
            idempotencyKey: input.key,
            kind: input.kind,
            level: input.level ?? null,
            actorUserId: input.actorUserId ?? null,
            detail: toJson(input.detail ?? {}),
            at: new Date(input.at),
          },
        });
        if (Object.keys(p).length > 0) {
          await tx.escalation.update({
            where: { id: input.escalationId },
            data: {
              ...(p.status !== undefined ? { status: p.status } : {}),
              ...(p.level !== undefined ? { level: p.level } : {}),
              ...(p.assigneeId !== undefined ? { assigneeId: p.assigneeId } : {}),
              ...(p.team !== undefined ? { team: p.team } : {}),
              ...(p.acknowledgedBy !== undefined ? { acknowledgedBy: p.acknowledgedBy } : {}),
              ...(p.acknowledgedAt !== undefined ? { acknowledgedAt: date(p.acknowledgedAt) } : {}),
              ...(p.outcome !== undefined ? { outcome: p.outcome } : {}),
              ...(p.resolutionNote !== undefined ? { resolutionNote: p.resolutionNote } : {}),
              ...(p.resolvedAt !== undefined ? { resolvedAt: date(p.resolvedAt) } : {}),
            },
          });
        }
        return true;
      });
      const type = WEBHOOK_EVENT[input.kind];
      if (recorded && type && events) {
        const escalation = await summary(input.escalationId);
        await dispatchEvent(
          db,
          events,
          input.tenantId,
          type,
          {
            escalation,
            step: {
              kind: input.kind,
              level: input.level ?? null,
              actorUserId: input.actorUserId ?? null,
              detail: input.detail ?? {},
            },
          },
          { eventId: uuidFromKey(input.key) },
        );
      }
      await publishInbox(db, {
        tenantId: input.tenantId,
        type: 'escalation.updated',
        escalationId: input.escalationId,
      });
    },

    /** The journey whose handoff opened the escalation learns how it ended (once: a signal is idempotent here). */
    async tellWaitingRun(input: {
      workflowId: string;
      escalationId: string;
      resolution: 'resolved' | 'unresolved';
      note?: string;
    }): Promise<void> {
      if (!starter) return;
      try {
        await starter.client.workflow.getHandle(input.workflowId).signal('escalationResolved', {
          escalationId: input.escalationId,
          resolution: input.resolution,
          ...(input.note ? { note: input.note } : {}),
        });
      } catch (err) {
        // The journey finished or timed out waiting: nobody left to tell.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}
