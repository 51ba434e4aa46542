// What the conversationSla workflow needs from the database: which policy and calendar apply to a
// conversation, and a place to record what its clocks did.

import { type BusinessCalendar, BusinessCalendarSchema } from '../../flow/business-calendar';
import { ALWAYS_OPEN } from '../../flow/business-hours';
import { policyApplies, type SlaPolicy, SlaPolicySchema } from '../../flow/sla';
import type { SlaEvent } from '../../flow/sla-clocks';
import type { Db } from '../../prisma/client';
import { publishInbox } from '../channels/live';

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

export function createSlaActivities({ db }: { db: Db }) {
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
  };
}
