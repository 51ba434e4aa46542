// Business calendars as data: a zone, opening hours (split shifts), holidays and one-off closures.
// The arithmetic on them lives in business-hours.ts, which stays free of zod for the workflows.
import { z } from 'zod';
import { ClockTimeSchema, TimeZoneSchema } from './calendar';

const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Open on these ISO weekdays (1 = Monday … 7 = Sunday) from `start` to `end` (up to "24:00"). */
export const OpeningHoursSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    start: ClockTimeSchema,
    end: ClockTimeSchema,
  })
  .refine((h) => minutesOf(h.end) > minutesOf(h.start), {
    message: 'end must be after start on the same day (a night shift is two intervals: 22:00–24:00 and 00:00–06:00)',
    path: ['end'],
  });
export type OpeningHours = z.infer<typeof OpeningHoursSchema>;

const isRealDate = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** A whole local day closed: "2026-12-25", or every year with `yearly` and "12-25". */
export const HolidaySchema = z
  .object({
    date: z
      .string()
      .regex(/^(\d{4}-)?\d{2}-\d{2}$/, 'a date like "2026-12-25" (or "12-25" with yearly: true)')
      .refine((s) => {
        const [y, m, d] = s.length === 5 ? [2024, ...s.split('-').map(Number)] : s.split('-').map(Number);
        return isRealDate(y as number, m as number, d as number);
      }, 'not a date on the calendar'),
    name: z.string().max(200).optional(),
    yearly: z.boolean().default(false),
  })
  .refine((h) => h.yearly === (h.date.length === 5), {
    message: 'a yearly holiday is written "MM-DD"; a one-off one "YYYY-MM-DD"',
    path: ['date'],
  });
export type Holiday = z.infer<typeof HolidaySchema>;

/** A one-off closure between two instants (an offsite, an outage), whatever the hours say. */
export const ClosureSchema = z
  .object({
    from: z.string().datetime({ offset: true }),
    to: z.string().datetime({ offset: true }),
    reason: z.string().max(200).optional(),
  })
  .refine((c) => Date.parse(c.to) > Date.parse(c.from), { message: 'to must be after from', path: ['to'] });
export type Closure = z.infer<typeof ClosureSchema>;

export const BusinessCalendarSchema = z
  .object({
    timeZone: TimeZoneSchema,
    /** Several intervals a day make split shifts; they may touch but not overlap. */
    hours: z.array(OpeningHoursSchema).max(70),
    holidays: z.array(HolidaySchema).max(1_000).default([]),
    closures: z.array(ClosureSchema).max(1_000).default([]),
  })
  .superRefine((cal, ctx) => {
    for (let day = 1; day <= 7; day++) {
      const today = cal.hours
        .map((h, index) => ({ ...h, index }))
        .filter((h) => h.days.includes(day))
        .sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
      for (let i = 1; i < today.length; i++) {
        const prev = today[i - 1] as (typeof today)[number];
        const cur = today[i] as (typeof today)[number];
        if (minutesOf(cur.start) < minutesOf(prev.end)) {
          ctx.addIssue({
            code: 'custom',
            path: ['hours', cur.index],
            message: `${cur.start}–${cur.end} overlaps ${prev.start}–${prev.end} on ${DAY_NAMES[day]}`,
          });
        }
      }
    }
  });
export type BusinessCalendar = z.infer<typeof BusinessCalendarSchema>;
export type BusinessCalendarInput = z.input<typeof BusinessCalendarSchema>;
