import { z } from 'zod';

/** Every event a webhook subscription can receive. Names are public and permanent. */
export const EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'contact.merged',
  'run.started',
  'run.completed',
  'run.failed',
  'run.cancelled',
  'campaign.launched',
  'campaign.paused',
  'campaign.resumed',
  'campaign.completed',
  'campaign.cancelled',
  'escalation.opened',
  'escalation.notified',
  'escalation.acknowledged',
  'escalation.escalated',
  'escalation.reassigned',
  'escalation.resolved',
  'escalation.exhausted',
  'webhook.test',
] as const;

export const EventTypeSchema = z.enum(EVENT_TYPES).meta({ id: 'WebhookEventType' });
export type EventType = z.infer<typeof EventTypeSchema>;

const CATEGORIES = new Set(EVENT_TYPES.map((t) => t.split('.')[0]));

/** A subscription pattern: an event type, a category wildcard (`contact.*`), or `*` (everything). */
export function isEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if ((EVENT_TYPES as readonly string[]).includes(pattern)) return true;
  const m = /^([a-z]+)\.\*$/.exec(pattern);
  return m !== null && CATEGORIES.has(m[1] ?? '');
}

export const EventPatternSchema = z
  .string()
  .refine(isEventPattern, {
    message: `an event type (${EVENT_TYPES.join(', ')}), a category wildcard such as "contact.*", or "*"`,
  })
  .meta({ id: 'WebhookEventPattern' });

/** True when one of the patterns selects the event type. */
export function matchesEvent(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** The JSON body every delivery POSTs. `id` is the event's id, shared by all its deliveries. */
export interface WebhookPayload {
  id: string;
  type: EventType;
  createdAt: string;
  tenantId: string;
  data: Record<string, unknown>;
}
