import { z } from 'zod';
import { TimeZoneSchema, WindowSchema } from '../calendar';
import { DurationSchema } from '../duration';
import { defineNode } from './descriptor';

export const DelayParamsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('duration'), duration: DurationSchema }),
  z.object({
    mode: z.literal('until-window'),
    /** Continue once inside this window (e.g. business hours), in the contact's time zone. */
    window: WindowSchema,
    /** Used when the contact has no time zone. */
    fallbackTimeZone: TimeZoneSchema.default('UTC'),
  }),
  z.object({
    mode: z.literal('quiet-hours'),
    /** Do not continue between `start` and `end` (e.g. 21:00–08:00) in the contact's time zone. */
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like "21:00"'),
    end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like "08:00"'),
    fallbackTimeZone: TimeZoneSchema.default('UTC'),
  }),
]);

export const delayNode = defineNode({
  type: 'delay',
  version: 1,
  label: 'Delay',
  description:
    'Wait a duration, or until a window opens (business hours, outside quiet hours) in the contact’s time zone.',
  category: 'logic',
  params: DelayParamsSchema,
  outputs: ['next'],
  outputFields: ['until'],
  waits: true,
});
