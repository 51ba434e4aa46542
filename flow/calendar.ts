import { z } from 'zod';

/** "09:00", "17:30", "24:00". */
export const ClockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time like "09:00"');

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
export const TimeZoneSchema = z.string().max(64).refine(isValidTimeZone, 'an IANA time zone such as Europe/Paris');

/** Days are ISO weekdays: 1 = Monday … 7 = Sunday. An end at or before the start wraps past midnight. */
export const WindowSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5, 6, 7]),
    start: ClockTimeSchema,
    end: ClockTimeSchema,
  })
  .refine((w) => !(w.start === '24:00' && w.end === '00:00'), 'a window from 24:00 to 00:00 never opens');
export type Window = z.infer<typeof WindowSchema>;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function zonedParts(epochMs: number, tz: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAY[parts.weekday ?? 'Mon'] ?? 1,
  };
}

const DAY_MS = 86_400_000;

/** The zone's UTC offset at an instant, in ms (whole seconds). */
export function offsetMs(epochMs: number, tz: string): number {
  const p = zonedParts(epochMs, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant a local wall-clock time occurs in `tz`. A time skipped by a DST change maps to the
 * first instant after the gap; an ambiguous one to its first occurrence.
 */
export function zonedTimeToEpoch(year: number, month: number, day: number, minutesOfDay: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutesOfDay);
  // With the offsets in force a day either side, the wall time shows at one instant, at two when the
  // clocks go back, or at none when they jump over it.
  const instants = [...new Set([wall - offsetMs(wall - DAY_MS, tz), wall - offsetMs(wall + DAY_MS, tz)])];
  const showing = instants.filter((t) => {
    const p = zonedParts(t, tz);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === wall;
  });
  if (showing.length) return Math.min(...showing);
  return transitionBetween(Math.min(...instants), Math.max(...instants), tz);
}

/** The first whole second after `lo`, up to `hi`, with `hi`'s UTC offset: the DST change between them. */
export function transitionBetween(lo: number, hi: number, tz: string): number {
  const target = offsetMs(hi, tz);
  let before = Math.floor(lo / 1000) * 1000;
  let after = hi;
  while (after - before > 1000) {
    const mid = before + Math.floor((after - before) / 2000) * 1000;
    if (offsetMs(mid, tz) === target) after = mid;
    else before = mid;
  }
  return after;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * True when the wall-clock time at `epochMs` in `tz` is inside `window`. A window that wraps past
 * midnight belongs to the day it starts on.
 */
export function isInWindow(epochMs: number, window: Window, tz: string): boolean {
  const p = zonedParts(epochMs, tz);
  const now = p.hour * 60 + p.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (end > start) return window.days.includes(p.weekday) && now >= start && now < end;
  const yesterday = p.weekday === 1 ? 7 : p.weekday - 1;
  return (window.days.includes(p.weekday) && now >= start) || (window.days.includes(yesterday) && now < end);
}

/**
 * The earliest instant at or after `epochMs` whose wall-clock time in `tz` is inside `window`
 * (within 15 days). Across a DST change the window follows the clock on the wall: it opens when the
 * clocks jump into it, and the hour repeated when they go back counts by the time it shows.
 */
export function nextInWindow(epochMs: number, window: Window, tz: string): number {
  if (isInWindow(epochMs, window, tz)) return epochMs;
  const start = minutesOf(window.start);
  const today = zonedParts(epochMs, tz);
  const base = Date.UTC(today.year, today.month - 1, today.day);
  let best = Number.POSITIVE_INFINITY;
  const consider = (t: number) => {
    if (t >= epochMs && t < best && isInWindow(t, window, tz)) best = t;
  };
  // The window can only open when the clock reaches its start (at each offset in force that day:
  // twice when the clocks go back) or when a DST change makes the clock jump into it.
  for (let offset = -1; offset <= 15 && base + (offset - 1) * DAY_MS < best; offset++) {
    const wall = base + offset * DAY_MS + start * 60_000;
    const before = offsetMs(wall - DAY_MS, tz);
    const after = offsetMs(wall + DAY_MS, tz);
    consider(wall - before);
    if (after !== before) {
      consider(wall - after);
      consider(transitionBetween(wall - DAY_MS, wall + DAY_MS, tz));
    }
  }
  if (!Number.isFinite(best)) throw new Error('the window never opens');
  return best;
}
