// What a business calendar means in practice, for admins checking one: the stretches it is open
// between two instants. Built only on business-hours.ts (nextOpen, businessTimeBetween), so the
// preview shows exactly the open time the SLA clocks will count.
import type { BusinessCalendar } from '../../flow/business-calendar';
import { businessTimeBetween, CalendarNeverOpensError, nextOpen } from '../../flow/business-hours';

export interface OpenInterval {
  from: number;
  to: number;
}

/** The longest span a preview covers (the search below costs a few days' arithmetic per interval). */
export const PREVIEW_MAX_DAYS = 31;
const MAX_INTERVALS = 1_000;

/**
 * The end of the open stretch beginning at `at` (open at `at`), or `limit` when it runs past it.
 * The calendar is open throughout [at, x] exactly when the open time between them is all of it:
 * gallop out to an instant where that fails, then bisect to the millisecond. Adjoining ranges (a
 * shift ending at 12:30 and the next starting at 12:30, or midnight in a 24-hour calendar) come
 * out as one stretch.
 */
function openUntil(cal: BusinessCalendar, at: number, limit: number): number {
  const openThrough = (x: number) => businessTimeBetween(cal, at, x) === x - at;
  let lo = at;
  let step = 15 * 60_000;
  let hi = Math.min(limit, at + step);
  while (openThrough(hi)) {
    if (hi === limit) return limit;
    lo = hi;
    step *= 2;
    hi = Math.min(limit, hi + step);
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (openThrough(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The open stretches between `from` and `to`, clipped to them, in order. */
export function openIntervals(
  cal: BusinessCalendar,
  from: number,
  to: number,
): { intervals: OpenInterval[]; truncated: boolean } {
  const intervals: OpenInterval[] = [];
  let t = from;
  while (t < to) {
    let start: number;
    try {
      start = nextOpen(cal, t);
    } catch (err) {
      if (err instanceof CalendarNeverOpensError) break;
      throw err;
    }
    if (start >= to) break;
    if (intervals.length === MAX_INTERVALS) return { intervals, truncated: true };
    const end = openUntil(cal, start, to);
    intervals.push({ from: start, to: end });
    t = end;
  }
  return { intervals, truncated: false };
}
