import type { z } from 'zod';
import { type ActivityOutput, OpenEscalationInputSchema } from '../../flow/engine/contracts';
import type { Db } from '../../prisma/client';
import type { CampaignStarter } from '../campaigns/dispatch';
import { startEscalationLadder } from '../escalations/start';

export function createNotifyActivities({ db, starter }: { db: Db; starter?: CampaignStarter }) {
  return {
    /**
     * The handoff node's side effect: opens one escalation per idempotency key and starts its
     * ladder. Its resolution reaches the run as an `escalationResolved` signal.
     */
    async openEscalation(raw: z.input<typeof OpenEscalationInputSchema>): Promise<ActivityOutput<'openEscalation'>> {
      const input = OpenEscalationInputSchema.parse(raw);
      const row = await db.escalation.upsert({
        where: { idempotencyKey: input.idempotencyKey },
        create: {
          tenantId: input.tenantId,
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          runId: /^[0-9a-f-]{36}$/.test(input.runId) ? input.runId : null,
          contactId: /^[0-9a-f-]{36}$/.test(input.contactId) ? input.contactId : null,
          team: input.team,
          priority: input.priority,
          note: input.note,
        },
        update: {},
      });
      // Its ladder runs as its own workflow (one per escalation, however often this retries).
      if (starter) await startEscalationLadder(starter, input.tenantId, row.id);
      return { escalationId: row.id };
    },
  };
}
