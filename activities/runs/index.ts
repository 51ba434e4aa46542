import { z } from 'zod';
import { type DispatchTarget, dispatchEvent } from '../../api/webhooks/dispatch';
import type { Db } from '../../prisma/client';
import { settleCampaignRecipient } from '../campaigns/settle';

export const RecordRunFinishedInputSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  status: z.enum(['completed', 'failed', 'cancelled']),
  outcome: z.string().nullable().optional(),
  visits: z.record(z.string(), z.number().int()).optional(),
  /** The workflow's clock when the run ended (campaign retries are due from then). */
  at: z.number().optional(),
});

export function createRunActivities({ db, events }: { db: Db; events?: DispatchTarget }) {
  return {
    /**
     * Marks the run row finished and tells webhook subscribers (run.completed / failed /
     * cancelled). Idempotent: a retry writes the same values, and the event id is derived from the
     * run, so a retry finds its deliveries already there.
     */
    async recordRunFinished(raw: z.input<typeof RecordRunFinishedInputSchema>): Promise<void> {
      const input = RecordRunFinishedInputSchema.parse(raw);
      // Child journeys and recorded fixtures have no row: nothing to update.
      if (!/^[0-9a-f-]{36}$/i.test(input.runId)) return;
      await db.run.updateMany({
        where: { id: input.runId, tenantId: input.tenantId, finishedAt: null },
        data: {
          status: input.status,
          outcome: input.outcome ?? null,
          finishedAt: new Date(),
          ...(input.visits ? { visits: input.visits } : {}),
        },
      });
      await settleCampaignRecipient(db, {
        runId: input.runId,
        status: input.status,
        outcome: input.outcome ?? null,
        at: input.at ?? Date.now(),
      });
      if (!events) return;
      const run = await db.run.findFirst({ where: { id: input.runId, tenantId: input.tenantId } });
      if (!run) return;
      await dispatchEvent(
        db,
        events,
        input.tenantId,
        `run.${input.status}`,
        {
          run: {
            id: run.id,
            flowId: run.flowId,
            flowVersionId: run.flowVersionId,
            contactId: run.contactId,
            status: run.status,
            outcome: run.outcome,
            startedAt: run.startedAt.toISOString(),
            finishedAt: run.finishedAt?.toISOString() ?? null,
          },
        },
        { eventId: `run-${run.id}-finished` },
      );
    },
  };
}
