import { z } from 'zod';
import type { Db } from '../../prisma/client';

export const RecordRunFinishedInputSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  status: z.enum(['completed', 'failed', 'cancelled']),
  outcome: z.string().nullable().optional(),
  visits: z.record(z.string(), z.number().int()).optional(),
});

export function createRunActivities({ db }: { db: Db }) {
  return {
    /** Marks the run row finished. Idempotent: a retry writes the same values. */
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
    },
  };
}
