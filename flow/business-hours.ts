// Business hours: when a team is open, on the clock on its wall. SLA clocks run only while a
// calendar is open — "respond within 4 business hours" started at 16:00 on a Friday before a
// holiday Monday is due on Tuesday. Pure, deterministic and zod-free: the SLA workflow computes
// due times with it inside Temporal's sandbox, the API and analytics outside.
import type { BusinessCalendar } from './business-calendar';
import { offsetMs, transitionBetween, zonedParts } from './calendar';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Open around the clock: the calendar of a "calendar time" target. */
export const ALWAYS_OPEN: BusinessCalendar = {
  timeZone: 'UTC',
  hours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }],
  holidays: [],
  closures: [],
};

export class CalendarNeverOpensError extends Error {
  readonly code = 'calendar_never_opens';
  constructor(horizonDays: number) {
    super(`the calendar has no open time within ${horizonDays} days`);
  }
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** How far ahead an addition looks for open time before it gives up. */
const HORIZON_DAYS = 3 * 366;

type Range = [number, number];

/** A local date, as the UTC midnight of the same calendar date (for arithmetic only). */
const localDate = (epochMs: number, tz: string) => {
  const p = zonedParts(epochMs, tz);
  return Date.UTC(p.year, p.month - 1, p.day);
};

function isHoliday(cal: BusinessCalendar, date: number): boolean {
  const iso = new Date(date).toISOString().slice(0, 10);
  const monthDay = iso.slice(5);
  return cal.holidays.some((h) => (h.yearly ? h.date === monthDay : h.date === iso));
}

/**
 * The instants a local date is open, merged and sorted. Each stretch of the day with one UTC offset
 * is open where its wall clock is inside the hours: when the clocks go back, a repeated hour counts
 * twice, and an hour the clocks skip never counts — exactly what a clock on the wall shows.
 */
function openOnDate(cal: BusinessCalendar, date: number): Range[] {
  if (isHoliday(cal, date)) return [];
  const weekday = ((new Date(date).getUTCDay() + 6) % 7) + 1;
  const hours = cal.hours.filter((h) => h.days.includes(weekday));
  if (hours.length === 0) return [];
  // The local date lies within 14 hours either side of its UTC namesake; real zones change their
  // offset at most once in that span.
  const lo = date - 15 * 3_600_000;
  const hi = date + DAY_MS + 15 * 3_600_000;
  const early = offsetMs(lo, cal.timeZone);
  const late = offsetMs(hi, cal.timeZone);
  const stretches: { from: number; to: number; offset: number }[] =
    early === late
      ? [{ from: lo, to: hi, offset: early }]
      : (() => {
          const change = transitionBetween(lo, hi, cal.timeZone);
          return [
            { from: lo, to: change, offset: early },
            { from: change, to: hi, offset: late },
          ];
        })();
  const ranges: Range[] = [];
  for (const h of hours) {
    const wallStart = date + minutesOf(h.start) * MINUTE_MS;
    const wallEnd = date + minutesOf(h.end) * MINUTE_MS;
    for (const s of stretches) {
      const from = Math.max(s.from, wallStart - s.offset);
      const to = Math.min(s.to, wallEnd - s.offset);
      if (to > from) ranges.push([from, to]);
    }
  }
  return subtractClosures(cal, merge(ranges));
}

function merge(ranges: Range[]): Range[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function subtractClosures(cal: BusinessCalendar, ranges: Range[]): Range[] {
  if (cal.closures.length === 0 || ranges.length === 0) return ranges;
  let out = ranges;
  for (const c of cal.closures) {
    const from = Date.parse(c.from);
    const to = Date.parse(c.to);
    const next: Range[] = [];
    for (const [a, b] of out) {
      if (to <= a || from >= b) next.push([a, b]);
      else {
        if (from > a) next.push([a, from]);
        if (to < b) next.push([to, b]);
      }
    }
    out = next;
  }
  return out;
}

/** Open ranges of the local dates from the one containing `from`, in order. */
function* openRangesFrom(cal: BusinessCalendar, from: number, horizonDays = HORIZON_DAYS): Generator<Range> {
  // The day before too: a range of yesterday's date can run past `from` only if the zone's clocks
  // went back over midnight, which openOnDate handles by stretch.
  const first = localDate(from, cal.timeZone) - DAY_MS;
  for (let date = first; date <= first + horizonDays * DAY_MS; date += DAY_MS) {
    for (const r of openOnDate(cal, date)) if (r[1] > from) yield r;
  }
}

/** True while the calendar is open at `at`. */
export function isOpen(cal: BusinessCalendar, at: number): boolean {
  for (const [a, b] of openOnDate(cal, localDate(at, cal.timeZone))) if (at >= a && at < b) return true;
  for (const [a, b] of openOnDate(cal, localDate(at, cal.timeZone) - DAY_MS)) if (at >= a && at < b) return true;
  return false;
}

/** The first instant at or after `at` when the calendar is open. */
export function nextOpen(cal: BusinessCalendar, at: number): number {
  for (const [a] of openRangesFrom(cal, at)) return Math.max(a, at);
  throw new CalendarNeverOpensError(HORIZON_DAYS);
}

/**
 * The instant `ms` of open time after `from`: "add N business minutes to T". An instant inside a
 * closed stretch starts counting when the calendar opens; the result is the moment the last open
 * millisecond elapses (so 4 business hours from 13:00 with 9–17 hours is 17:00, not 09:00 next day).
 */
export function addBusinessTime(cal: BusinessCalendar, from: number, ms: number): number {
  if (ms <= 0) return from;
  let left = ms;
  for (const [a, b] of openRangesFrom(cal, from)) {
    const start = Math.max(a, from);
    if (b - start >= left) return start + left;
    left -= b - start;
  }
  throw new CalendarNeverOpensError(HORIZON_DAYS);
}

/** Open time between two instants, in ms (negative when `to` is before `from`). */
export function businessTimeBetween(cal: BusinessCalendar, from: number, to: number): number {
  if (to < from) return -businessTimeBetween(cal, to, from);
  let total = 0;
  const days = Math.ceil((to - from) / DAY_MS) + 2;
  for (const [a, b] of openRangesFrom(cal, from, days)) {
    if (a >= to) break;
    total += Math.min(b, to) - Math.max(a, from);
  }
  return total;
}

export const addBusinessMinutes = (cal: BusinessCalendar, from: number, minutes: number) =>
  addBusinessTime(cal, from, minutes * MINUTE_MS);
export const businessMinutesBetween = (cal: BusinessCalendar, from: number, to: number) =>
  businessTimeBetween(cal, from, to) / MINUTE_MS;
