import { z } from 'zod';
import { defineNode } from './descriptor';

export const EndParamsSchema = z.object({
  /** A label for how the journey ended: "goal-reached", "opted-out", … */
  outcome: z.string().min(1).max(100).default('completed'),
});

export const endNode = defineNode({
  type: 'end',
  version: 1,
  label: 'End',
  description: 'Finish the journey with an outcome label.',
  category: 'flow',
  params: EndParamsSchema,
  outputs: [],
  outputFields: ['outcome'],
  waits: false,
  terminal: true,
});
