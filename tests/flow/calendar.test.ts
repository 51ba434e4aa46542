import { describe, expect, it } from 'vitest';
import {
  isInWindow,
  isValidTimeZone,
  nextInWindow,
  TimeZoneSchema,
  type Window,
  WindowSchema,
  zonedParts,
  zonedTimeToEpoch,
} from '../../flow/calendar';
import { prng } from './build';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const window = (start: string, end: string, days = [1, 2, 3, 4, 5, 6, 7]): Window => ({ days, start, end });
const weekdays = [1, 2, 3, 4, 5];

describe('zonedParts', () => {
  it('gives the wall-clock date, time and ISO weekday in a zone', () => {
    // Monday 5 January 2026, 15:00:07 UTC.
    const t = at('2026-01-05T15:00:07Z');
    expect(zonedParts(t, 'UTC')).toEqual({ year: 2026, month: 1, day: 5, hour: 15, minute: 0, second: 7, weekday: 1 });
    expect(zonedParts(t, 'America/New_York')).toMatchObject({ day: 5, hour: 10, minute: 0, weekday: 1 });
    expect(zonedParts(t, 'Asia/Kolkata')).toMatchObject({ day: 5, hour: 20, minute: 30, weekday: 1 });
    expect(zonedParts(t, 'Pacific/Kiritimati')).toMatchObject({ day: 6, hour: 5, weekday: 2 });
    expect(zonedParts(t, 'Pacific/Pago_Pago')).toMatchObject({ day: 5, hour: 4, weekday: 1 });
  });

  it('shows midnight as hour 0 and Sunday as weekday 7', () => {
    expect(zonedParts(at('2026-01-04T00:00:00Z'), 'UTC')).toMatchObject({ day: 4, hour: 0, minute: 0, weekday: 7 });
  });

  it('follows summer time', () => {
    expect(zonedParts(at('2026-07-01T12:00:00Z'), 'America/New_York').hour).toBe(8);
    expect(zonedParts(at('2026-07-01T12:00:00Z'), 'Europe/Paris').hour).toBe(14);
    expect(zonedParts(at('2026-01-01T12:00:00Z'), 'Europe/Paris').hour).toBe(13);
  });

  it('shows the clocks jumping at the DST changes of 2026', () => {
    const ny = (s: string) => zonedParts(at(s), 'America/New_York');
    expect(ny('2026-03-08T06:59:59Z')).toMatchObject({ hour: 1, minute: 59, second: 59 });
    expect(ny('2026-03-08T07:00:00Z')).toMatchObject({ hour: 3, minute: 0 });
    expect(ny('2026-11-01T05:59:00Z')).toMatchObject({ hour: 1, minute: 59 });
    expect(ny('2026-11-01T06:00:00Z')).toMatchObject({ hour: 1, minute: 0 });
    const paris = (s: string) => zonedParts(at(s), 'Europe/Paris');
    expect(paris('2026-03-29T00:59:00Z')).toMatchObject({ hour: 1, minute: 59 });
    expect(paris('2026-03-29T01:00:00Z')).toMatchObject({ hour: 3, minute: 0 });
    expect(paris('2026-10-25T00:59:00Z')).toMatchObject({ hour: 2, minute: 59 });
    expect(paris('2026-10-25T01:00:00Z')).toMatchObject({ hour: 2, minute: 0 });
  });
});

describe('zonedTimeToEpoch', () => {
  it('gives the instant of a wall-clock time', () => {
    expect(iso(zonedTimeToEpoch(2026, 1, 5, 9 * 60, 'UTC'))).toBe('2026-01-05T09:00:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 1, 5, 9 * 60, 'America/New_York'))).toBe('2026-01-05T14:00:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 7, 5, 9 * 60, 'America/New_York'))).toBe('2026-07-05T13:00:00.000Z');
  });

  it('handles the half-hour offset of Asia/Kolkata', () => {
    expect(iso(zonedTimeToEpoch(2026, 6, 1, 9 * 60, 'Asia/Kolkata'))).toBe('2026-06-01T03:30:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 6, 1, 2 * 60, 'Asia/Kolkata'))).toBe('2026-05-31T20:30:00.000Z');
  });

  it('rolls minutes past 24:00 into the next day', () => {
    expect(iso(zonedTimeToEpoch(2026, 12, 31, 24 * 60 + 30, 'UTC'))).toBe('2027-01-01T00:30:00.000Z');
  });

  it('maps a time skipped when the clocks go forward to the first instant after the gap', () => {
    // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT at 07:00Z.
    expect(iso(zonedTimeToEpoch(2026, 3, 8, 1 * 60 + 59, 'America/New_York'))).toBe('2026-03-08T06:59:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 3, 8, 2 * 60, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 3, 8, 2 * 60 + 30, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 3, 8, 3 * 60, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    // Paris, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(iso(zonedTimeToEpoch(2026, 3, 29, 2 * 60 + 30, 'Europe/Paris'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 3, 29, 3 * 60 + 15, 'Europe/Paris'))).toBe('2026-03-29T01:15:00.000Z');
  });

  it('maps a time repeated when the clocks go back to its first occurrence, east and west of UTC', () => {
    // New York, 1 November 2026: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:30 happens twice.
    expect(iso(zonedTimeToEpoch(2026, 11, 1, 90, 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 11, 1, 2 * 60, 'America/New_York'))).toBe('2026-11-01T07:00:00.000Z');
    // Paris, 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:30 happens twice.
    expect(iso(zonedTimeToEpoch(2026, 10, 25, 150, 'Europe/Paris'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedTimeToEpoch(2026, 10, 25, 3 * 60, 'Europe/Paris'))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('round-trips with zonedParts on ordinary days across 2026 and several zones', () => {
    const r = prng(11);
    const changeDays = new Set(['3-8', '11-1', '3-29', '10-25', '4-5', '10-4']);
    for (const tz of ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Sydney']) {
      for (let i = 0; i < 40; i++) {
        const month = 1 + r.int(12);
        const day = 1 + r.int(28);
        if (changeDays.has(`${month}-${day}`)) continue;
        const minutes = r.int(24 * 60);
        const p = zonedParts(zonedTimeToEpoch(2026, month, day, minutes, tz), tz);
        expect({ month: p.month, day: p.day, minutes: p.hour * 60 + p.minute, second: p.second }).toEqual({
          month,
          day,
          minutes,
          second: 0,
        });
      }
    }
  });
});

describe('isInWindow', () => {
  it('treats the start as inside and the end as outside', () => {
    const w = window('09:00', '17:00');
    expect(isInWindow(at('2026-01-05T08:59:59Z'), w, 'UTC')).toBe(false);
    expect(isInWindow(at('2026-01-05T09:00:00Z'), w, 'UTC')).toBe(true);
    expect(isInWindow(at('2026-01-05T16:59:59Z'), w, 'UTC')).toBe(true);
    expect(isInWindow(at('2026-01-05T17:00:00Z'), w, 'UTC')).toBe(false);
  });

  it('gives the hours after midnight of a wrapping window to the day it started on', () => {
    const friNights = window('22:00', '06:00', [5]);
    expect(isInWindow(at('2026-01-09T23:00:00Z'), friNights, 'UTC')).toBe(true); // Friday night
    expect(isInWindow(at('2026-01-10T05:59:00Z'), friNights, 'UTC')).toBe(true); // Saturday early
    expect(isInWindow(at('2026-01-10T06:00:00Z'), friNights, 'UTC')).toBe(false);
    expect(isInWindow(at('2026-01-09T03:00:00Z'), friNights, 'UTC')).toBe(false); // Friday early: Thursday's
  });
});

describe('nextInWindow', () => {
  const businessHours = window('09:00', '17:00', weekdays);

  it('returns the instant itself when it is inside the window', () => {
    const t = at('2026-01-05T10:17:23.456Z');
    expect(nextInWindow(t, businessHours, 'UTC')).toBe(t);
  });

  it('waits for the opening later the same day', () => {
    expect(iso(nextInWindow(at('2026-01-05T07:00:00Z'), businessHours, 'UTC'))).toBe('2026-01-05T09:00:00.000Z');
  });

  it('waits for the next day once the window has closed, the end being exclusive', () => {
    expect(iso(nextInWindow(at('2026-01-05T17:00:00Z'), businessHours, 'UTC'))).toBe('2026-01-06T09:00:00.000Z');
  });

  it('skips a weekend for a weekday-only window, in the contact’s zone', () => {
    // Friday 9 January 2026, 17:30 in New York → Monday 12 January, 09:00 EST.
    expect(iso(nextInWindow(at('2026-01-09T22:30:00Z'), businessHours, 'America/New_York'))).toBe(
      '2026-01-12T14:00:00.000Z',
    );
    // Saturday and Sunday too.
    expect(iso(nextInWindow(at('2026-01-10T15:00:00Z'), businessHours, 'America/New_York'))).toBe(
      '2026-01-12T14:00:00.000Z',
    );
    expect(iso(nextInWindow(at('2026-01-11T23:59:00Z'), businessHours, 'America/New_York'))).toBe(
      '2026-01-12T14:00:00.000Z',
    );
  });

  it('uses the contact’s date, not the UTC date, to pick the weekday', () => {
    // Saturday 10 January 2026, 01:00 UTC is still Friday 20:00 in New York: inside a 20:00–22:00 window.
    const t = at('2026-01-10T01:00:00Z');
    expect(nextInWindow(t, window('20:00', '22:00', weekdays), 'America/New_York')).toBe(t);
    expect(iso(nextInWindow(t, window('20:00', '22:00', weekdays), 'UTC'))).toBe('2026-01-12T20:00:00.000Z');
  });

  describe('a window that wraps past midnight (22:00–06:00)', () => {
    const nights = window('22:00', '06:00');

    it('is open late in the evening and early in the morning', () => {
      expect(nextInWindow(at('2026-01-05T23:30:00Z'), nights, 'UTC')).toBe(at('2026-01-05T23:30:00Z'));
      expect(nextInWindow(at('2026-01-06T03:00:00Z'), nights, 'UTC')).toBe(at('2026-01-06T03:00:00Z'));
    });

    it('opens at 22:00 when asked during the day or exactly at 06:00', () => {
      expect(iso(nextInWindow(at('2026-01-06T06:00:00Z'), nights, 'UTC'))).toBe('2026-01-06T22:00:00.000Z');
      expect(iso(nextInWindow(at('2026-01-06T21:59:30Z'), nights, 'UTC'))).toBe('2026-01-06T22:00:00.000Z');
    });

    it('on weekdays only, the Friday night runs into Saturday but Monday early is closed', () => {
      const weeknights = window('22:00', '06:00', weekdays);
      const saturdayEarly = at('2026-01-10T03:00:00Z');
      expect(nextInWindow(saturdayEarly, weeknights, 'UTC')).toBe(saturdayEarly);
      expect(iso(nextInWindow(at('2026-01-10T23:00:00Z'), weeknights, 'UTC'))).toBe('2026-01-12T22:00:00.000Z');
      expect(iso(nextInWindow(at('2026-01-12T03:00:00Z'), weeknights, 'UTC'))).toBe('2026-01-12T22:00:00.000Z');
    });

    it('follows a half-hour offset (Asia/Kolkata)', () => {
      // 12:00 UTC is 17:30 IST → 22:00 IST = 16:30 UTC.
      expect(iso(nextInWindow(at('2026-01-05T12:00:00Z'), nights, 'Asia/Kolkata'))).toBe('2026-01-05T16:30:00.000Z');
      // 00:15 UTC is 05:45 IST: still open.
      expect(nextInWindow(at('2026-01-06T00:15:00Z'), nights, 'Asia/Kolkata')).toBe(at('2026-01-06T00:15:00Z'));
      // 00:30 UTC is 06:00 IST: closed until 22:00 IST.
      expect(iso(nextInWindow(at('2026-01-06T00:30:00Z'), nights, 'Asia/Kolkata'))).toBe('2026-01-06T16:30:00.000Z');
    });
  });

  it('handles Asia/Kolkata business hours', () => {
    // 02:00 UTC is 07:30 IST → 09:00 IST = 03:30 UTC.
    expect(iso(nextInWindow(at('2026-01-05T02:00:00Z'), businessHours, 'Asia/Kolkata'))).toBe(
      '2026-01-05T03:30:00.000Z',
    );
  });

  it('treats a window whose end equals its start as always open, and 24:00 as the end of the day', () => {
    const t = at('2026-03-08T07:30:00Z');
    expect(nextInWindow(t, window('09:00', '09:00'), 'America/New_York')).toBe(t);
    const evening = window('20:00', '24:00');
    expect(nextInWindow(at('2026-01-05T23:59:00Z'), evening, 'UTC')).toBe(at('2026-01-05T23:59:00Z'));
    expect(iso(nextInWindow(at('2026-01-06T00:00:00Z'), evening, 'UTC'))).toBe('2026-01-06T20:00:00.000Z');
  });

  describe('across the DST changes of 2026', () => {
    const nineToFive = window('09:00', '17:00');

    it('America/New_York, 8 March: opens at 09:00 EDT, an hour earlier in UTC', () => {
      expect(iso(nextInWindow(at('2026-03-07T23:00:00Z'), nineToFive, 'America/New_York'))).toBe(
        '2026-03-08T13:00:00.000Z',
      );
      expect(iso(nextInWindow(at('2026-03-07T09:00:00Z'), nineToFive, 'America/New_York'))).toBe(
        '2026-03-07T14:00:00.000Z',
      );
    });

    it('America/New_York, 1 November: opens at 09:00 EST, an hour later in UTC', () => {
      expect(iso(nextInWindow(at('2026-10-31T22:00:00Z'), nineToFive, 'America/New_York'))).toBe(
        '2026-11-01T14:00:00.000Z',
      );
    });

    it('Europe/Paris, 29 March and 25 October', () => {
      expect(iso(nextInWindow(at('2026-03-28T20:00:00Z'), nineToFive, 'Europe/Paris'))).toBe(
        '2026-03-29T07:00:00.000Z',
      );
      expect(iso(nextInWindow(at('2026-10-24T20:00:00Z'), nineToFive, 'Europe/Paris'))).toBe(
        '2026-10-25T08:00:00.000Z',
      );
    });

    it('a 22:00–06:00 window over the spring-forward night is an hour shorter', () => {
      const nights = window('22:00', '06:00');
      // Saturday 7 March 22:00 EST = 8 March 03:00Z; closes Sunday 06:00 EDT = 10:00Z.
      expect(iso(nextInWindow(at('2026-03-07T20:00:00Z'), nights, 'America/New_York'))).toBe(
        '2026-03-08T03:00:00.000Z',
      );
      expect(nextInWindow(at('2026-03-08T09:59:00Z'), nights, 'America/New_York')).toBe(at('2026-03-08T09:59:00Z'));
      expect(iso(nextInWindow(at('2026-03-08T10:00:00Z'), nights, 'America/New_York'))).toBe(
        '2026-03-09T02:00:00.000Z',
      );
    });

    it('a window that starts inside the skipped hour opens when the clocks jump into it', () => {
      // 02:30–04:00 on 8 March in New York: 02:30 never happens; the window opens at 03:00 EDT.
      expect(iso(nextInWindow(at('2026-03-08T05:00:00Z'), window('02:30', '04:00'), 'America/New_York'))).toBe(
        '2026-03-08T07:00:00.000Z',
      );
      // Paris, 29 March: 02:15–05:00 opens at 03:00 CEST = 01:00Z.
      expect(iso(nextInWindow(at('2026-03-28T23:00:00Z'), window('02:15', '05:00'), 'Europe/Paris'))).toBe(
        '2026-03-29T01:00:00.000Z',
      );
    });

    it('a window that ends inside the skipped hour is closed once the clocks have jumped past its end', () => {
      // 01:00–02:30 on 8 March in New York: at 03:10 EDT it is closed until 01:00 EDT the next day.
      expect(iso(nextInWindow(at('2026-03-08T07:10:00Z'), window('01:00', '02:30'), 'America/New_York'))).toBe(
        '2026-03-09T05:00:00.000Z',
      );
    });

    it('the hour repeated when the clocks go back counts by the time the clock shows', () => {
      // 1 November in New York: 01:10 EST (06:10Z) shows 01:10, inside 00:00–01:30.
      const secondPass = at('2026-11-01T06:10:00Z');
      expect(nextInWindow(secondPass, window('00:00', '01:30'), 'America/New_York')).toBe(secondPass);
      // 01:00–01:30: closed at 01:45 EDT, open again when the clocks go back to 01:00 EST (06:00Z).
      expect(iso(nextInWindow(at('2026-11-01T05:45:00Z'), window('01:00', '01:30'), 'America/New_York'))).toBe(
        '2026-11-01T06:00:00.000Z',
      );
      // Paris, 25 October: 02:40–02:50 opens at 02:40 CEST, then again at 02:40 CET (01:40Z).
      expect(iso(nextInWindow(at('2026-10-25T00:00:00Z'), window('02:40', '02:50'), 'Europe/Paris'))).toBe(
        '2026-10-25T00:40:00.000Z',
      );
      expect(iso(nextInWindow(at('2026-10-25T00:55:00Z'), window('02:40', '02:50'), 'Europe/Paris'))).toBe(
        '2026-10-25T01:40:00.000Z',
      );
    });
  });

  it('refuses a window that can never open (24:00–00:00), in the schema and at run time', () => {
    expect(WindowSchema.safeParse(window('24:00', '00:00')).success).toBe(false);
    expect(() => nextInWindow(at('2026-01-05T00:00:00Z'), window('24:00', '00:00'), 'UTC')).toThrow(
      'the window never opens',
    );
  });

  // A minute-by-minute reference: wall-clock minutes only change inside-ness on minute boundaries.
  const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  function insideByWallClock(t: number, w: Window, tz: string): boolean {
    const p = zonedParts(t, tz);
    const now = p.hour * 60 + p.minute;
    const start = minutesOf(w.start);
    const end = minutesOf(w.end);
    if (end > start) return w.days.includes(p.weekday) && now >= start && now < end;
    const yesterday = p.weekday === 1 ? 7 : p.weekday - 1;
    return (w.days.includes(p.weekday) && now >= start) || (w.days.includes(yesterday) && now < end);
  }
  function checkAgainstBruteForce(from: number, w: Window, tz: string) {
    const result = nextInWindow(from, w, tz);
    const context = `${tz} ${iso(from)} ${JSON.stringify(w)} → ${iso(result)}`;
    expect(result, context).toBeGreaterThanOrEqual(from);
    expect(insideByWallClock(result, w, tz), `${context}: result is inside`).toBe(true);
    if (result > from) {
      expect(insideByWallClock(from, w, tz), `${context}: start instant is outside`).toBe(false);
      for (let t = Math.floor(from / 60_000) * 60_000 + 60_000; t < result; t += 60_000) {
        if (insideByWallClock(t, w, tz)) expect.fail(`${context}: ${iso(t)} is inside and earlier`);
      }
    }
  }

  const zones = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe'];
  const clock = (r: ReturnType<typeof prng>) => {
    const m = r.int(97) * 15;
    return m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  };
  const randomWindow = (r: ReturnType<typeof prng>): Window => {
    const named = [
      window('09:00', '17:00', weekdays),
      window('22:00', '06:00'),
      window('22:00', '06:00', weekdays),
      window('08:00', '21:00'),
      window('00:00', '01:30'),
      window('02:30', '04:00'),
    ];
    if (r.next() < 0.4) return r.pick(named);
    const days = [1, 2, 3, 4, 5, 6, 7].filter(() => r.next() < 0.6);
    const w = window(clock(r), clock(r), days.length ? days : [r.int(7) + 1]);
    return WindowSchema.safeParse(w).success ? w : window('09:00', '17:00', w.days);
  };

  it('matches a minute-by-minute search for random instants across 2026', () => {
    const r = prng(2026);
    const yearStart = at('2026-01-01T00:00:00Z');
    for (let i = 0; i < 160; i++) {
      const from = yearStart + r.int(365 * 24 * 60) * 60_000 + (r.next() < 0.5 ? r.int(60_000) : 0);
      checkAgainstBruteForce(from, randomWindow(r), r.pick(zones));
    }
  });

  it('matches a minute-by-minute search for random instants around the DST changes', () => {
    const r = prng(3);
    const changes: Array<[string, string]> = [
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Europe/Paris', '2026-03-29T01:00:00Z'],
      ['Europe/Paris', '2026-10-25T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], // a half-hour change
      ['America/St_Johns', '2026-03-08T05:30:00Z'],
    ];
    for (let i = 0; i < 160; i++) {
      const [tz, change] = r.pick(changes);
      const from = at(change) + (r.int(48 * 60) - 36 * 60) * 60_000 + (r.next() < 0.3 ? r.int(60_000) : 0);
      checkAgainstBruteForce(from, randomWindow(r), tz);
    }
  });
});

describe('time zones', () => {
  it('accepts IANA zones and refuses anything else', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(TimeZoneSchema.safeParse('Asia/Kolkata').success).toBe(true);
    expect(TimeZoneSchema.safeParse('Nowhere/Special').success).toBe(false);
  });

  it('WindowSchema defaults to every day and checks the clock times', () => {
    expect(WindowSchema.parse({ start: '09:00', end: '17:00' }).days).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(WindowSchema.safeParse({ start: '9:00', end: '17:00' }).success).toBe(false);
    expect(WindowSchema.safeParse({ start: '09:00', end: '24:01' }).success).toBe(false);
    expect(WindowSchema.safeParse({ days: [], start: '09:00', end: '17:00' }).success).toBe(false);
    expect(WindowSchema.safeParse({ days: [8], start: '09:00', end: '17:00' }).success).toBe(false);
  });
});
