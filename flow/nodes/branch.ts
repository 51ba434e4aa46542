import { z } from 'zod';
import { RuleSchema } from '../rules';
import { defineNode } from './descriptor';

export const BranchParamsSchema = z.object({
  /** Evaluated in order; the first rule that matches names the output taken. */
  rules: z
    .array(RuleSchema)
    .min(1)
    .max(50)
    .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, 'rule ids must be unique')
    .refine((rules) => rules.every((r) => r.id !== 'else'), '"else" is the name of the fallback output'),
});

export const branchNode = defineNode({
  type: 'branch',
  version: 1,
  label: 'Branch',
  description:
    'Go down the first path whose rule matches (fields, tags, replies, earlier outputs), else the “else” path.',
  category: 'logic',
  params: BranchParamsSchema,
  outputs: (p) => [...p.rules.map((r) => r.id), 'else'],
  outputFields: ['matched'],
  waits: false,
});
