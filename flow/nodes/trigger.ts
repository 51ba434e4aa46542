import { z } from 'zod';
import { defineNode } from './descriptor';
import { ChannelSchema } from './send-message';

export const TriggerParamsSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('api') }),
  z.object({
    source: z.literal('inbound-message'),
    channel: ChannelSchema.optional(),
    /** Start only when the message's first word is one of these (case-insensitive). */
    keywords: z.array(z.string().min(1).max(40)).max(50).default([]),
  }),
  z.object({
    source: z.literal('contact-event'),
    event: z.enum(['tag-added', 'tag-removed', 'field-changed', 'lead-status-changed', 'contact-created']),
    /** The tag, field or status the event must concern; any when absent. */
    value: z.string().max(100).optional(),
  }),
  z.object({ source: z.literal('campaign') }),
  z.object({
    source: z.literal('schedule'),
    cron: z
      .string()
      .max(100)
      .regex(/^(\S+\s+){4}\S+$/, 'a five-field cron expression such as "0 9 * * 1-5"'),
    timeZone: z.string().max(64).default('UTC'),
  }),
]);

export const triggerNode = defineNode({
  type: 'trigger',
  version: 1,
  label: 'Trigger',
  description: 'How a journey starts: an API call, an inbound message, a contact event, a campaign or a schedule.',
  category: 'trigger',
  params: TriggerParamsSchema,
  outputs: ['next'],
  outputFields: ['text', 'channel', 'source'],
  waits: false,
});
