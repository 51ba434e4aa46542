import { z } from 'zod';
import { defineNode } from './descriptor';

export const endNode = defineNode({
  type: 'end',
  version: 1,
  label: 'End',
  category: 'flow',
  params: z.object({ outcome: z.string().min(1).max(100).default('completed') }),
  outputs: [],
});
