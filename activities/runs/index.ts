import { z } from 'zod';
import type { Db } from '../../prisma/client';

export const RecordRunFinishedInputSchema = z.object({
  tenantId: z.string().uuid(),
  runId: z.string().uuid(),
  status: z.enum(['completed', 'failed', 'cancelled']),
});

export function createRunActivities({ db }: { db: Db }) {
  return {
    /** Marks the run row finished. Idempotent: a retry writes the same values. */
    async recordRunFinished(raw: z.input<typeof RecordRunFinishedInputSchema>): Promise<void> {
      const input = RecordRunFinishedInputSchema.parse(raw);
      await db.run.updateMany({
        where: { id: input.runId, tenantId: input.tenantId },
        data: { status: input.status, finishedAt: new Date() },
      });
    },
  };
}
