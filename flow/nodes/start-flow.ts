import { z } from 'zod';
import { defineNode } from './descriptor';

export const StartFlowParamsSchema = z.object({
  flowId: z.string().uuid(),
  /** A published version number, or the latest published version when absent. */
  version: z.number().int().positive().optional(),
});

export const startFlowNode = defineNode({
  type: 'start-flow',
  version: 1,
  label: 'Start flow',
  description: 'Run another published flow for the same contact as a child journey and continue when it ends.',
  category: 'flow',
  params: StartFlowParamsSchema,
  outputs: ['done'],
  activity: 'loadFlowVersion',
  outputFields: ['outcome', 'status'],
  waits: true,
});
