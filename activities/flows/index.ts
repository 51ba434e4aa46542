import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { PlanSchema } from '../../flow/compile';
import { type ActivityOutput, LoadFlowVersionInputSchema } from '../../flow/engine/contracts';
import type { Db } from '../../prisma/client';

export function createFlowActivities({ db }: { db: Db }) {
  return {
    /** The start-flow node's lookup: a published version's plan (the latest unless one is named). */
    async loadFlowVersion(raw: z.input<typeof LoadFlowVersionInputSchema>): Promise<ActivityOutput<'loadFlowVersion'>> {
      const input = LoadFlowVersionInputSchema.parse(raw);
      const version = await db.flowVersion.findFirst({
        where: { tenantId: input.tenantId, flowId: input.flowId, ...(input.version ? { version: input.version } : {}) },
        orderBy: { version: 'desc' },
      });
      if (!version) {
        throw ApplicationFailure.create({
          type: 'FlowNotPublished',
          message: `flow ${input.flowId} has no published version${input.version ? ` ${input.version}` : ''}`,
          nonRetryable: true,
        });
      }
      return { flowVersionId: version.id, version: version.version, plan: PlanSchema.parse(version.plan) };
    },
  };
}
