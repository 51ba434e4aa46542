// Escalation policies: a ladder of levels, each notifying its targets on its channels and waiting
// for an acknowledgement before the next level is notified.
import { z } from 'zod';

export const EscalationTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: z.string().uuid() }),
  /** Every member of the tenant on the team (Membership.team). */
  z.object({ type: z.literal('team'), team: z.string().min(1).max(100) }),
  /** The team's on-call member now (the team's rota; its first member when none is set). */
  z.object({ type: z.literal('on_call'), team: z.string().min(1).max(100) }),
]);
export type EscalationTarget = z.infer<typeof EscalationTargetSchema>;

export const ESCALATION_CHANNELS = ['in_app', 'email', 'sms', 'webhook'] as const;
export type EscalationChannel = (typeof ESCALATION_CHANNELS)[number];

export const EscalationLevelSchema = z.object({
  targets: z.array(EscalationTargetSchema).min(1, 'a level needs at least one target'),
  channels: z.array(z.enum(ESCALATION_CHANNELS)).min(1, 'a level needs at least one channel').default(['in_app']),
  /** Minutes (calendar time) to wait for an acknowledgement before the next level. */
  ackTimeoutMinutes: z
    .number()
    .int('a timeout is a whole number of minutes')
    .positive('an acknowledgement timeout must be at least one minute')
    .max(7 * 24 * 60),
});
export type EscalationLevel = z.infer<typeof EscalationLevelSchema>;

export const EscalationPolicySchema = z.object({
  name: z.string().trim().min(1).max(200),
  levels: z.array(EscalationLevelSchema).min(1, 'a ladder needs at least one level').max(10),
  /** Times the whole ladder runs again after its last level goes unacknowledged. */
  repeat: z.number().int().min(0).max(5).default(0),
});
export type EscalationPolicy = z.infer<typeof EscalationPolicySchema>;
export type EscalationPolicyInput = z.input<typeof EscalationPolicySchema>;
