import { z } from 'zod';
import { defineNode } from './descriptor';

export const SplitParamsSchema = z.object({
  arms: z
    .array(
      z.object({
        id: z
          .string()
          .min(1)
          .max(40)
          .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" and "-"'),
        label: z.string().max(100).optional(),
        percent: z.number().min(0).max(100),
      }),
    )
    .min(2)
    .max(10)
    .refine((arms) => new Set(arms.map((a) => a.id)).size === arms.length, 'arm ids must be unique')
    .refine((arms) => Math.abs(arms.reduce((s, a) => s + a.percent, 0) - 100) < 1e-9, 'percentages must add up to 100'),
});

export const splitNode = defineNode({
  type: 'split',
  version: 1,
  label: 'A/B split',
  description: 'Send each journey down one arm at random, by percentage; the same run always gets the same arm.',
  category: 'logic',
  params: SplitParamsSchema,
  outputs: (p) => p.arms.map((a) => a.id),
  outputFields: ['arm'],
  waits: false,
});
