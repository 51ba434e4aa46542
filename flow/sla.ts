// SLA policies: targets for first response, next response and resolution, in business or calendar
// time, with warnings before a breach. The clocks that run them are in sla-clocks.ts.
import { z } from 'zod';

export const SLA_METRICS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

export const SlaTargetSchema = z.object({
  minutes: z
    .number({ error: 'a target is a number of minutes' })
    .int('a target is a whole number of minutes')
    .positive('a target must be at least one minute')
    .max(366 * 24 * 60, 'a target is at most a year'),
  /** Business time stops outside the calendar's hours; calendar time always runs. */
  clock: z.enum(['business', 'calendar']).default('business'),
});
export type SlaTarget = z.infer<typeof SlaTargetSchema>;

export const SlaPolicySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Empty lists match everything; a conversation must match every non-empty one. */
    appliesTo: z
      .object({
        channels: z.array(z.string().min(1)).default([]),
        teams: z.array(z.string().min(1)).default([]),
        tags: z.array(z.string().min(1)).default([]),
        priorities: z.array(z.enum(['low', 'normal', 'high', 'urgent'])).default([]),
      })
      .default({ channels: [], teams: [], tags: [], priorities: [] }),
    firstResponse: SlaTargetSchema.nullable().default(null),
    nextResponse: SlaTargetSchema.nullable().default(null),
    resolution: SlaTargetSchema.nullable().default(null),
    /** Warn when this fraction of a target has elapsed (0.75 = at 75%). */
    warnAt: z
      .array(z.number().gt(0, 'a warning fraction is above 0').lt(1, 'a warning fraction is below 1 (1 is the breach)'))
      .max(5)
      .default([0.75]),
    /** The calendar business time follows; the tenant's default calendar when null. */
    calendarId: z.string().uuid().nullable().default(null),
    /** The ladder a breach starts; none when null. */
    escalationPolicyId: z.string().uuid().nullable().default(null),
    /** Lower goes first when several policies match a conversation. */
    rank: z.number().int().min(0).max(10_000).default(100),
    enabled: z.boolean().default(true),
  })
  .refine((p) => p.firstResponse || p.nextResponse || p.resolution, {
    message: 'a policy needs at least one target (firstResponse, nextResponse or resolution)',
    path: ['firstResponse'],
  });
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;
export type SlaPolicyInput = z.input<typeof SlaPolicySchema>;

export interface ConversationFacts {
  channel: string;
  team: string | null;
  tags: readonly string[];
  priority: string;
}

export function policyApplies(p: Pick<SlaPolicy, 'appliesTo' | 'enabled'>, c: ConversationFacts): boolean {
  const a = p.appliesTo;
  return (
    p.enabled &&
    (a.channels.length === 0 || a.channels.includes(c.channel)) &&
    (a.teams.length === 0 || (c.team !== null && a.teams.includes(c.team))) &&
    (a.tags.length === 0 || a.tags.some((t) => c.tags.includes(t))) &&
    (a.priorities.length === 0 || (a.priorities as readonly string[]).includes(c.priority))
  );
}
