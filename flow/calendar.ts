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
export const WindowSchema = z.object({
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5, 6, 7]),
  start: ClockTimeSchema,
  end: ClockTimeSchema,
});
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

function offsetMs(epochMs: number, tz: string): number {
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
  const first = wall - offsetMs(wall, tz);
  const second = wall - offsetMs(first, tz);
  if (first === second) return first;
  // Offsets disagree around a transition: take the earlier valid instant that shows this wall time,
  // or, inside a gap, the later one (the moment the clocks jumped to).
  const candidates = [first, second].filter((t) => {
    const p = zonedParts(t, tz);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === wall;
  });
  return candidates.length ? Math.min(...candidates) : Math.max(first, second);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The earliest instant at or after `epochMs` that falls inside `window` in `tz` (within 15 days). */
export function nextInWindow(epochMs: number, window: Window, tz: string): number {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const wraps = end <= start;
  const today = zonedParts(epochMs, tz);
  const base = Date.UTC(today.year, today.month - 1, today.day);
  let best = Number.POSITIVE_INFINITY;
  for (let offset = -1; offset <= 15; offset++) {
    const d = new Date(base + offset * 86_400_000);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const weekday = ((d.getUTCDay() + 6) % 7) + 1;
    if (!window.days.includes(weekday)) continue;
    const from = zonedTimeToEpoch(y, m, day, start, tz);
    const to = wraps ? zonedTimeToEpoch(y, m, day, 24 * 60 + end, tz) : zonedTimeToEpoch(y, m, day, end, tz);
    if (epochMs >= from && epochMs < to) return epochMs;
    if (from >= epochMs && from < best) best = from;
  }
  if (!Number.isFinite(best)) throw new Error('the window never opens');
  return best;
}
