import { describe, expect, it } from 'vitest';
import {
  type BusinessCalendar,
  type BusinessCalendarInput,
  BusinessCalendarSchema,
} from '../../flow/business-calendar';
import {
  ALWAYS_OPEN,
  addBusinessMinutes,
  businessMinutesBetween,
  CalendarNeverOpensError,
  isOpen,
  nextOpen,
} from '../../flow/business-hours';
import { zonedParts } from '../../flow/calendar';
import { prng } from './build';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const cal = (input: BusinessCalendarInput): BusinessCalendar => BusinessCalendarSchema.parse(input);
const MIN = 60_000;
const weekdays = [1, 2, 3, 4, 5];

/** The definition, one minute at a time: open when the wall clock says so and nothing closes it. */
function openByWallClock(c: BusinessCalendar, t: number): boolean {
  if (c.closures.some((x) => t >= Date.parse(x.from) && t < Date.parse(x.to))) return false;
  const p = zonedParts(t, c.timeZone);
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  if (c.holidays.some((h) => (h.yearly ? h.date === date.slice(5) : h.date === date))) return false;
  const now = p.hour * 60 + p.minute;
  const mins = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  return c.hours.some((h) => h.days.includes(p.weekday) && now >= mins(h.start) && now < mins(h.end));
}
function bruteMinutesBetween(c: BusinessCalendar, from: number, to: number): number {
  let n = 0;
  for (let t = from; t < to; t += MIN) if (openByWallClock(c, t)) n++;
  return n;
}
function bruteAdd(c: BusinessCalendar, from: number, minutes: number): number {
  if (minutes <= 0) return from;
  let n = 0;
  for (let t = from; ; t += MIN) {
    if (openByWallClock(c, t) && ++n === minutes) return t + MIN;
  }
}

describe('the business calendar schema', () => {
  it('accepts split shifts that touch, holidays one-off and yearly, closures', () => {
    const c = cal({
      timeZone: 'Europe/Berlin',
      hours: [
        { days: weekdays, start: '09:00', end: '12:00' },
        { days: weekdays, start: '12:00', end: '13:00' },
        { days: weekdays, start: '14:00', end: '18:00' },
        { days: [6], start: '10:00', end: '24:00' },
      ],
      holidays: [
        { date: '2026-10-03', name: 'German Unity Day' },
        { date: '12-25', yearly: true },
      ],
      closures: [{ from: '2026-11-20T15:00:00+01:00', to: '2026-11-20T18:00:00+01:00', reason: 'offsite' }],
    });
    expect(c.holidays[0]?.yearly).toBe(false);
  });

  it('refuses overlapping intervals, naming both and the day', () => {
    const r = BusinessCalendarSchema.safeParse({
      timeZone: 'UTC',
      hours: [
        { days: [1, 2], start: '09:00', end: '13:00' },
        { days: [2], start: '12:00', end: '17:00' },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toEqual([
      expect.objectContaining({ path: ['hours', 1], message: '12:00–17:00 overlaps 09:00–13:00 on Tuesday' }),
    ]);
  });

  it('refuses holidays in the wrong format, impossible dates and a yearly flag that does not match', () => {
    for (const date of ['25/12/2026', '2026-13-01', '2026-02-30', '2026-1-5', 'Christmas']) {
      const r = BusinessCalendarSchema.safeParse({ timeZone: 'UTC', hours: [], holidays: [{ date }] });
      expect(r.success, date).toBe(false);
      expect(r.error?.issues[0]?.path, date).toEqual(['holidays', 0, 'date']);
    }
    expect(
      BusinessCalendarSchema.safeParse({ timeZone: 'UTC', hours: [], holidays: [{ date: '12-25' }] }).success,
    ).toBe(false);
    expect(
      BusinessCalendarSchema.safeParse({ timeZone: 'UTC', hours: [], holidays: [{ date: '02-29', yearly: true }] })
        .success,
    ).toBe(true);
  });

  it('refuses an interval that ends before it starts, an unknown zone and a closure backwards', () => {
    const r = BusinessCalendarSchema.safeParse({
      timeZone: 'Mars/Olympus',
      hours: [{ days: [1], start: '22:00', end: '06:00' }],
      closures: [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    });
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['closures.0.to', 'hours.0.end', 'timeZone']);
  });
});

describe('business time', () => {
  const nineToFive = cal({ timeZone: 'America/New_York', hours: [{ days: weekdays, start: '09:00', end: '17:00' }] });

  it('adds within a day, across a night and across a weekend', () => {
    // Monday 2 March 2026, 13:00 New York (EST, UTC-5).
    expect(iso(addBusinessMinutes(nineToFive, at('2026-03-02T18:00:00Z'), 240))).toBe('2026-03-02T22:00:00.000Z');
    expect(iso(addBusinessMinutes(nineToFive, at('2026-03-02T18:00:00Z'), 241))).toBe('2026-03-03T14:01:00.000Z');
    // Friday 16:00 + 2 h → Monday 10:00.
    expect(iso(addBusinessMinutes(nineToFive, at('2026-03-06T21:00:00Z'), 120))).toBe('2026-03-09T14:00:00.000Z');
    // Saturday: counting starts Monday 09:00 (after the clocks went forward, UTC-4).
    expect(iso(addBusinessMinutes(nineToFive, at('2026-03-07T15:00:00Z'), 60))).toBe('2026-03-09T14:00:00.000Z');
  });

  it('counts between instants, backwards as negative', () => {
    const from = at('2026-03-06T20:00:00Z'); // Friday 15:00 EST
    const to = at('2026-03-09T15:30:00Z'); // Monday 11:30 EDT
    expect(businessMinutesBetween(nineToFive, from, to)).toBe(120 + 150);
    expect(businessMinutesBetween(nineToFive, to, from)).toBe(-270);
    expect(businessMinutesBetween(nineToFive, from, from)).toBe(0);
  });

  it('skips holidays and closures', () => {
    const c = cal({
      timeZone: 'Asia/Kolkata',
      hours: [{ days: weekdays, start: '10:00', end: '18:00' }],
      holidays: [{ date: '2026-01-26', name: 'Republic Day' }],
      closures: [{ from: '2026-01-27T12:00:00+05:30', to: '2026-01-27T14:00:00+05:30' }],
    });
    // Friday 23 Jan 17:00 IST + 3 h: 1 h Friday, Monday is a holiday, Tuesday 10:00–12:00.
    expect(iso(addBusinessMinutes(c, at('2026-01-23T11:30:00Z'), 180))).toBe('2026-01-27T06:30:00.000Z');
    // + 4 h: the 12:00–14:00 closure pushes the last hour to 15:00.
    expect(iso(addBusinessMinutes(c, at('2026-01-23T11:30:00Z'), 240))).toBe('2026-01-27T09:30:00.000Z');
    expect(isOpen(c, at('2026-01-26T06:00:00Z'))).toBe(false);
    expect(iso(nextOpen(c, at('2026-01-26T06:00:00Z')))).toBe('2026-01-27T04:30:00.000Z');
  });

  it('follows the wall clock through DST: a skipped hour never counts, a repeated one counts twice', () => {
    const night = cal({ timeZone: 'Europe/Berlin', hours: [{ days: [7], start: '01:30', end: '03:30' }] });
    // 29 March 2026: 02:00 → 03:00. Open 01:30–02:00 and 03:00–03:30 by the wall: 60 minutes.
    expect(businessMinutesBetween(night, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(60);
    // 25 October 2026: 03:00 → 02:00. 01:30–02:00, 02:00–03:00 twice, 03:00–03:30: 180 minutes.
    expect(businessMinutesBetween(night, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(180);
  });

  it('treats around-the-clock as calendar time', () => {
    expect(addBusinessMinutes(ALWAYS_OPEN, at('2026-03-08T06:59:00Z'), 72 * 60)).toBe(
      at('2026-03-08T06:59:00Z') + 72 * 3_600_000,
    );
  });

  it('says so when a calendar never opens', () => {
    const closed = cal({ timeZone: 'UTC', hours: [] });
    expect(() => addBusinessMinutes(closed, at('2026-01-01T00:00:00Z'), 1)).toThrow(CalendarNeverOpensError);
    expect(businessMinutesBetween(closed, at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'))).toBe(0);
  });

  it('agrees with a brute-force minute counter on random calendars across DST, midnight, weekends and holidays', () => {
    const zones = [
      'UTC',
      'America/New_York',
      'America/Los_Angeles',
      'Europe/Berlin',
      'Europe/London',
      'Asia/Kolkata',
      'Asia/Kathmandu',
      'Australia/Sydney',
      'Australia/Lord_Howe', // a 30-minute DST change
      'America/Sao_Paulo',
      'Pacific/Chatham',
    ];
    // Around the 2026 DST changes of both hemispheres, and a quiet week.
    const anchors = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-06-15'];
    const r = prng(20261121);
    const clock = () => {
      const m = r.int(24 * 4) * 15;
      return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    };
    let checked = 0;
    for (let i = 0; i < 120; i++) {
      const timeZone = r.pick(zones);
      const hours: { days: number[]; start: string; end: string }[] = [];
      for (let k = 0; k < 1 + r.int(3); k++) {
        const a = clock();
        const b = clock();
        if (a === b) continue;
        const [start, end] = a < b ? [a, b] : [b, a];
        hours.push({
          days: [1, 2, 3, 4, 5, 6, 7].filter(() => r.next() < 0.7),
          start,
          end: r.next() < 0.2 ? '24:00' : end,
        });
      }
      const anchor = at(`${r.pick(anchors)}T00:00:00Z`);
      const holidays = r.next() < 0.5 ? [{ date: iso(anchor + (r.int(5) - 2) * 86_400_000).slice(0, 10) }] : [];
      const closureFrom = anchor + (r.int(96) - 48) * 15 * MIN;
      const closures =
        r.next() < 0.4 ? [{ from: iso(closureFrom), to: iso(closureFrom + (1 + r.int(40)) * 15 * MIN) }] : [];
      const parsed = BusinessCalendarSchema.safeParse({
        timeZone,
        hours: hours.filter((h) => h.days.length > 0),
        holidays,
        closures,
      });
      if (!parsed.success) continue; // overlapping random intervals: the schema's business
      const c = parsed.data;
      const from = anchor + (r.int(4 * 24 * 4) - 2 * 24 * 4) * 15 * MIN + r.int(15) * MIN;
      const to = from + r.int(5 * 24 * 60) * MIN;
      const label = JSON.stringify({ c, from: iso(from), to: iso(to) });
      expect(businessMinutesBetween(c, from, to), label).toBe(bruteMinutesBetween(c, from, to));
      const open = bruteMinutesBetween(c, from, to);
      if (open > 0) {
        const n = 1 + r.int(open);
        expect(iso(addBusinessMinutes(c, from, n)), `${label} +${n}`).toBe(iso(bruteAdd(c, from, n)));
      }
      expect(isOpen(c, from), label).toBe(openByWallClock(c, from));
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });
});
