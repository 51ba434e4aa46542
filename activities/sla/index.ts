// What the conversationSla workflow needs from the database: which policy and calendar apply to a
// conversation, and a place to record what its clocks did.

import { type BusinessCalendar, BusinessCalendarSchema } from '../../flow/business-calendar';
import { ALWAYS_OPEN } from '../../flow/business-hours';
import { policyApplies, type SlaPolicy, SlaPolicySchema } from '../../flow/sla';
import type { SlaEvent } from '../../flow/sla-clocks';
import type { Db } from '../../prisma/client';
import type { CampaignStarter } from '../campaigns/dispatch';
import { publishInbox } from '../channels/live';
import { startEscalationLadder } from '../escalations/start';

export interface SlaSetup {
  policyId: string;
  policy: SlaPolicy;
  calendarId: string | null;
  calendar: BusinessCalendar;
}

/** The calendar a policy runs on: its own, else the team's, else the tenant's default, else always open. */
export async function calendarFor(
  db: Db,
  tenantId: string,
  policy: Pick<SlaPolicy, 'calendarId'>,
  team: string | null,
): Promise<{ id: string | null; calendar: BusinessCalendar }> {
  const row =
    (policy.calendarId ? await db.businessCalendar.findFirst({ where: { id: policy.calendarId, tenantId } }) : null) ??
    (team ? await db.businessCalendar.findFirst({ where: { tenantId, team }, orderBy: { createdAt: 'asc' } }) : null) ??
    (await db.businessCalendar.findFirst({ where: { tenantId, team: null }, orderBy: { createdAt: 'asc' } }));
  return row
    ? { id: row.id, calendar: BusinessCalendarSchema.parse(row.definition) }
    : { id: null, calendar: ALWAYS_OPEN };
}

export function createSlaActivities({ db, starter }: { db: Db; starter?: CampaignStarter }) {
  return {
    /** The first enabled policy (by rank) matching the conversation, or null: no clocks then. */
    async loadSlaSetup(input: { tenantId: string; conversationId: string }): Promise<SlaSetup | null> {
      const conversation = await db.conversation.findFirst({
        where: { id: input.conversationId, tenantId: input.tenantId },
      });
      if (!conversation) return null;
      const policies = await db.slaPolicy.findMany({
        where: { tenantId: input.tenantId, enabled: true },
        orderBy: [{ rank: 'asc' }, { createdAt: 'asc' }],
      });
      const facts = {
        channel: conversation.kind,
        team: conversation.team,
        tags: conversation.tags,
        priority: conversation.priority,
      };
      for (const row of policies) {
        const policy = SlaPolicySchema.safeParse(row.definition);
        if (!policy.success || !policyApplies(policy.data, facts)) continue;
        const { id, calendar } = await calendarFor(db, input.tenantId, policy.data, conversation.team);
        return { policyId: row.id, policy: policy.data, calendarId: id, calendar };
      }
      return null;
    },

    /**
     * A breach opens an escalation on the policy's ladder (once per breach key) and starts it.
     * Null when the policy names no ladder.
     */
    async openSlaEscalation(input: {
      tenantId: string;
      conversationId: string;
      policyId: string;
      metric: string;
      dueAt: number;
      key: string;
    }): Promise<{ escalationId: string } | null> {
      const [policyRow, conversation] = await Promise.all([
        db.slaPolicy.findFirst({ where: { id: input.policyId, tenantId: input.tenantId } }),
        db.conversation.findFirst({ where: { id: input.conversationId, tenantId: input.tenantId } }),
      ]);
      const policy = policyRow ? SlaPolicySchema.safeParse(policyRow.definition) : null;
      const ladderId = policy?.success ? policy.data.escalationPolicyId : null;
      if (!ladderId || !conversation) return null;
      const ladder = await db.escalationPolicy.findFirst({ where: { id: ladderId, tenantId: input.tenantId } });
      const row = await db.escalation.upsert({
        where: { idempotencyKey: input.key },
        create: {
          tenantId: input.tenantId,
          idempotencyKey: input.key,
          conversationId: conversation.id,
          contactId: conversation.contactId,
          policyId: ladder?.id ?? null,
          team: conversation.team ?? 'unassigned',
          priority: conversation.priority,
          source: 'sla_breach',
          note: `${input.metric.replace('_', ' ')} target of "${policyRow?.name}" breached (due ${new Date(input.dueAt).toISOString()})`,
        },
        update: {},
      });
      if (starter) await startEscalationLadder(starter, input.tenantId, row.id);
      return { escalationId: row.id };
    },

    /** Records clock events once each (keyed), and tells live inboxes. */
    async recordSlaEvents(input: {
      tenantId: string;
      conversationId: string;
      policyId: string;
      events: (SlaEvent & { key: string })[];
    }): Promise<void> {
      if (input.events.length === 0) return;
      const conversation = await db.conversation.findFirst({
        where: { id: input.conversationId, tenantId: input.tenantId },
        select: { team: true, assigneeId: true, kind: true },
      });
      if (!conversation) return; // deleted: nothing left to account for
      await db.slaRecord.createMany({
        data: input.events.map((e) => ({
          tenantId: input.tenantId,
          conversationId: input.conversationId,
          policyId: input.policyId,
          idempotencyKey: e.key,
          metric: e.metric,
          kind: e.kind,
          fraction: e.kind === 'warning' ? e.fraction : null,
          dueAt: 'dueAt' in e ? new Date(e.dueAt) : null,
          at: new Date(e.at),
          late: e.kind === 'met' ? e.late : false,
          elapsedSeconds: e.kind === 'met' ? Math.round(e.elapsedMs / 1000) : null,
          team: conversation.team,
          assigneeId: conversation.assigneeId,
          channel: conversation.kind,
        })),
        skipDuplicates: true,
      });
      await publishInbox(db, {
        tenantId: input.tenantId,
        type: 'conversation.updated',
        conversationId: input.conversationId,
      });
    },

    /** The conversation's next SLA due time, for the inbox to sort by and count down to. */
    async saveSlaDue(input: {
      tenantId: string;
      conversationId: string;
      dueAt: number | null;
      metric: string | null;
    }): Promise<void> {
      const { count } = await db.conversation.updateMany({
        where: { id: input.conversationId, tenantId: input.tenantId },
        data: { slaDueAt: input.dueAt === null ? null : new Date(input.dueAt), slaMetric: input.metric },
      });
      if (count === 0) return;
      await publishInbox(db, {
        tenantId: input.tenantId,
        type: 'conversation.updated',
        conversationId: input.conversationId,
      });
    },
  };
}
