import { z } from 'zod';
import { DurationSchema } from '../duration';
import { defineNode } from './descriptor';

export const HandoffParamsSchema = z.object({
  team: z.string().min(1).max(100),
  slaPolicyId: z.string().max(64).optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
  note: z.string().max(2000).default(''),
  /** Wait for a person to resolve it; otherwise continue on `unresolved` at once. */
  waitForResolution: z.boolean().default(true),
  /** Give up waiting after this long and take `unresolved`. */
  timeout: DurationSchema.default('3d'),
});

export const handoffNode = defineNode({
  type: 'handoff',
  version: 1,
  label: 'Hand off',
  description: 'Open an escalation to a team under an SLA policy and, when asked, wait until a person resolves it.',
  category: 'people',
  params: HandoffParamsSchema,
  outputs: ['resolved', 'unresolved'],
  activity: 'openEscalation',
  outputFields: ['escalationId', 'resolution', 'note'],
  waits: true,
});
