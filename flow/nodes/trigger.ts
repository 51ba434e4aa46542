import { z } from 'zod';
import { defineNode } from './descriptor';

export const triggerNode = defineNode({
  type: 'trigger',
  version: 1,
  label: 'Trigger',
  category: 'trigger',
  params: z.object({ source: z.enum(['api']).default('api') }),
  outputs: ['next'],
});
