// The pure rules of flow/campaign.ts: when a recipient may be reached (the campaign's window ∩ the
// 8:00–21:00 guard on the recipient's own clock, across zones and DST changes), whether a window
// ever opens, the pace's token arithmetic, and the flows single-action campaigns generate.
import { describe, expect, it } from 'vitest';
import {
  type CampaignSettings,
  CampaignSettingsSchema,
  compileFlow,
  nextOpening,
  paceBudget,
  singleActionFlow,
  windowEverOpens,
} from '../../flow';
import { isInWindow, type Window, zonedParts } from '../../flow/calendar';
import { prng } from '../flow/build';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const DAY = 86_400_000;
const QUARTER = 15 * 60_000;
const GUARD = { start: '08:00', end: '21:00' };
const weekdays = [1, 2, 3, 4, 5];

type Rules = Pick<CampaignSettings, 'window' | 'guard'>;
const rules = (window: Window | null, guard = GUARD): Rules => ({ window, guard });
const win = (start: string, end: string, days = [1, 2, 3, 4, 5, 6, 7]): Window => ({ days, start, end });
const opening = (when: string, r: Rules, zone: string) => iso(nextOpening(at(when), r, zone));

/** Local wall clock "YYYY-MM-DD HH:MM (weekday)" of an instant in a zone. */
function wall(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)} (${p.weekday})`;
}

describe('nextOpening: the window ∩ the 8:00–21:00 guard on the recipient’s clock', () => {
  it('Asia/Kolkata (+5:30): weekdays 09:00–17:00 open at 03:30 UTC', () => {
    const r = rules(win('09:00', '17:00', weekdays));
    // Monday 5 January 2026, 05:30 IST.
    expect(opening('2026-01-05T00:00:00Z', r, 'Asia/Kolkata')).toBe('2026-01-05T03:30:00.000Z');
    // Inside: now.
    expect(opening('2026-01-05T05:00:00Z', r, 'Asia/Kolkata')).toBe('2026-01-05T05:00:00.000Z');
    // Friday 17:00 IST is closing time: Monday 09:00 IST.
    expect(opening('2026-01-09T11:30:00Z', r, 'Asia/Kolkata')).toBe('2026-01-12T03:30:00.000Z');
    // The last minute of Friday's window is still in it.
    expect(opening('2026-01-09T11:29:00Z', r, 'Asia/Kolkata')).toBe('2026-01-09T11:29:00.000Z');
  });

  it('Asia/Kolkata: the guard trims a window that starts before 08:00 or ends after 21:00', () => {
    // 07:00–10:00 opens at 08:00 IST (02:30 UTC), not 07:00.
    expect(opening('2026-01-05T00:00:00Z', rules(win('07:00', '10:00')), 'Asia/Kolkata')).toBe(
      '2026-01-05T02:30:00.000Z',
    );
    // 20:00–23:00 is 20:00–21:00; at 21:30 IST the next opening is tomorrow's 20:00 IST.
    expect(opening('2026-01-05T16:00:00Z', rules(win('20:00', '23:00')), 'Asia/Kolkata')).toBe(
      '2026-01-06T14:30:00.000Z',
    );
    // No window: the guard alone. 06:00 IST → 08:00 IST.
    expect(opening('2026-01-05T00:30:00Z', rules(null), 'Asia/Kolkata')).toBe('2026-01-05T02:30:00.000Z');
  });

  it('America/Los_Angeles: after Friday’s window the next opening is Monday 09:00 PST', () => {
    const r = rules(win('09:00', '17:00', weekdays));
    // Friday 9 January 2026, 18:00 PST = Saturday 02:00 UTC.
    expect(opening('2026-01-10T02:00:00Z', r, 'America/Los_Angeles')).toBe('2026-01-12T17:00:00.000Z');
    // In summer (PDT, −7) 09:00 is 16:00 UTC.
    expect(opening('2026-07-06T10:00:00Z', r, 'America/Los_Angeles')).toBe('2026-07-06T16:00:00.000Z');
  });

  it('one instant, two zones: each recipient’s own clock decides', () => {
    const r = rules(win('09:00', '17:00', weekdays));
    // Tuesday 6 January 2026, 13:00 UTC: 18:30 in Kolkata (closed), 05:00 in Los Angeles (closed).
    const t = at('2026-01-06T13:00:00Z');
    const kolkata = nextOpening(t, r, 'Asia/Kolkata') as number;
    const la = nextOpening(t, r, 'America/Los_Angeles') as number;
    expect(wall(kolkata, 'Asia/Kolkata')).toBe('2026-01-07 09:00 (3)');
    expect(wall(la, 'America/Los_Angeles')).toBe('2026-01-06 09:00 (2)');
    expect(la).toBeLessThan(kolkata);
  });

  it('Australia/Lord_Howe (a 30-minute DST shift) follows the wall clock', () => {
    // Summer (+11): 09:00 on Monday 5 January 2026 is 22:00 UTC the day before.
    const r = rules(win('09:00', '17:00', weekdays));
    expect(opening('2026-01-04T12:00:00Z', r, 'Australia/Lord_Howe')).toBe('2026-01-04T22:00:00.000Z');
    // Winter (+10:30): 09:00 on Monday 6 July 2026 is 22:30 UTC the day before.
    expect(opening('2026-07-05T12:00:00Z', r, 'Australia/Lord_Howe')).toBe('2026-07-05T22:30:00.000Z');
    const allDay = { start: '00:00', end: '24:00' };
    // Sunday 4 October 2026 the clocks jump from 02:00 to 02:30 (15:30 UTC Saturday): a window of
    // 02:00–03:00 opens at the jump, showing 02:30 …
    expect(opening('2026-10-03T12:00:00Z', rules(win('02:00', '03:00', [7]), allDay), 'Australia/Lord_Howe')).toBe(
      '2026-10-03T15:30:00.000Z',
    );
    // … and one of 02:00–02:30 does not exist that day: the next Sunday's, at +11.
    expect(opening('2026-10-03T12:00:00Z', rules(win('02:00', '02:30', [7]), allDay), 'Australia/Lord_Howe')).toBe(
      '2026-10-10T15:00:00.000Z',
    );
    // Sunday 5 April 2026 they go back from 02:00 to 01:30: 01:30 first shows at +11 (14:30 UTC).
    expect(opening('2026-04-04T12:00:00Z', rules(win('01:30', '02:00', [7]), allDay), 'Australia/Lord_Howe')).toBe(
      '2026-04-04T14:30:00.000Z',
    );
  });

  it('America/New_York, spring forward (8 March 2026): 09:00 EDT the next morning, 23 hours later', () => {
    const r = rules(win('09:00', '17:00', [7]));
    // Saturday 7 March, 09:00 EST = 14:00 UTC; Sunday 09:00 EDT = 13:00 UTC.
    expect(opening('2026-03-07T14:00:00Z', rules(win('09:00', '17:00', [6, 7])), 'America/New_York')).toBe(
      '2026-03-07T14:00:00.000Z',
    );
    expect(opening('2026-03-07T17:00:00Z', r, 'America/New_York')).toBe('2026-03-08T13:00:00.000Z');
    // The following Monday, a weekday window: 09:00 EDT.
    expect(opening('2026-03-08T18:00:00Z', rules(win('09:00', '17:00', weekdays)), 'America/New_York')).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    // The guard follows the clock too: 08:00 EDT is 12:00 UTC on the Sunday.
    expect(opening('2026-03-08T05:00:00Z', rules(null), 'America/New_York')).toBe('2026-03-08T12:00:00.000Z');
    // A window in the skipped hour (with the guard lifted) opens when the clocks jump: 03:00 EDT.
    const allDay = { start: '00:00', end: '24:00' };
    expect(opening('2026-03-08T05:00:00Z', rules(win('02:00', '04:00', [7]), allDay), 'America/New_York')).toBe(
      '2026-03-08T07:00:00.000Z',
    );
  });

  it('America/New_York, fall back (1 November 2026): 09:00 EST the next morning, 25 hours later', () => {
    const r = rules(win('09:00', '17:00', [7]));
    expect(opening('2026-10-31T17:00:00Z', r, 'America/New_York')).toBe('2026-11-01T14:00:00.000Z');
    // 20:30 EST on the Sunday is still inside the guard; 21:00 EST is not.
    expect(opening('2026-11-02T01:30:00Z', rules(null), 'America/New_York')).toBe('2026-11-02T01:30:00.000Z');
    expect(opening('2026-11-02T02:00:00Z', rules(null), 'America/New_York')).toBe('2026-11-02T13:00:00.000Z');
    // The repeated hour 01:00–02:00 first shows at 01:00 EDT (05:00 UTC).
    const allDay = { start: '00:00', end: '24:00' };
    expect(opening('2026-11-01T03:00:00Z', rules(win('01:00', '02:00', [7]), allDay), 'America/New_York')).toBe(
      '2026-11-01T05:00:00.000Z',
    );
  });

  it('Europe/Berlin, spring forward (29 March 2026) and fall back (25 October 2026)', () => {
    const r = rules(win('09:00', '17:00', [7]));
    // 09:00 CEST = 07:00 UTC on the spring-forward Sunday; 09:00 CET = 08:00 UTC on the fall-back one.
    expect(opening('2026-03-28T12:00:00Z', r, 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z');
    expect(opening('2026-10-24T12:00:00Z', r, 'Europe/Berlin')).toBe('2026-10-25T08:00:00.000Z');
    // The guard on those days: 08:00 local.
    expect(opening('2026-03-29T00:00:00Z', rules(null), 'Europe/Berlin')).toBe('2026-03-29T06:00:00.000Z');
    expect(opening('2026-10-25T00:00:00Z', rules(null), 'Europe/Berlin')).toBe('2026-10-25T07:00:00.000Z');
  });

  it('windows that wrap past midnight open only where they meet the guard', () => {
    // Friday 19:00 → 02:00 is, with the guard, Friday 19:00–21:00.
    const friday = rules(win('19:00', '02:00', [5]));
    // Saturday 01:00 UTC is in the window (it wraps) but not the guard: next Friday 19:00.
    expect(opening('2026-01-10T01:00:00Z', friday, 'UTC')).toBe('2026-01-16T19:00:00.000Z');
    expect(opening('2026-01-09T20:59:00Z', friday, 'UTC')).toBe('2026-01-09T20:59:00.000Z');
    // Monday 22:00 → 09:00 is, with the guard, Tuesday 08:00–09:00 (the night belongs to Monday).
    const night = rules(win('22:00', '09:00', [1]));
    expect(opening('2026-01-05T12:00:00Z', night, 'UTC')).toBe('2026-01-06T08:00:00.000Z');
    expect(opening('2026-01-06T08:30:00Z', night, 'UTC')).toBe('2026-01-06T08:30:00.000Z');
    // Monday morning is the tail of Sunday's night, not a window day's: the Tuesday.
    expect(opening('2026-01-05T08:30:00Z', night, 'UTC')).toBe('2026-01-06T08:00:00.000Z');
    // In Kolkata: Tuesday 08:00 IST.
    expect(opening('2026-01-05T12:00:00Z', night, 'Asia/Kolkata')).toBe('2026-01-06T02:30:00.000Z');
  });

  it('null when the window never meets the guard', () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/Los_Angeles', 'Australia/Lord_Howe', 'America/New_York'])
      expect(nextOpening(at('2026-03-07T12:00:00Z'), rules(win('22:00', '23:00')), zone)).toBeNull();
  });

  it('agrees with a brute-force scan, for random windows, guards, zones and instants (2 years)', () => {
    const zones = [
      'UTC',
      'Asia/Kolkata',
      'America/Los_Angeles',
      'Australia/Lord_Howe',
      'America/New_York',
      'Europe/Berlin',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Pacific/Chatham',
    ];
    // Every zone's offsets and DST changes fall on whole quarters of an hour (UTC), and so do these
    // windows' edges: membership can only change on that grid, so scanning it is exact.
    const clock = (r: ReturnType<typeof prng>) => {
      const m = r.int(97) * 15;
      return m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    };
    const brute = (t0: number, s: Rules, zone: string) => {
      const guard = { days: [1, 2, 3, 4, 5, 6, 7], ...s.guard };
      const open = (t: number) => isInWindow(t, guard, zone) && (!s.window || isInWindow(t, s.window, zone));
      if (open(t0)) return t0;
      for (let t = Math.floor(t0 / QUARTER) * QUARTER + QUARTER; t <= t0 + 14 * DAY; t += QUARTER)
        if (open(t)) return t;
      return null;
    };
    const r = prng(2027);
    for (let i = 0; i < 150; i++) {
      const zone = r.pick(zones);
      const days = [1, 2, 3, 4, 5, 6, 7].filter(() => r.next() < 0.6);
      if (days.length === 0) days.push(1 + r.int(7));
      const start = clock(r);
      const window = r.next() < 0.15 ? null : win(start === '24:00' ? '23:00' : start, clock(r), days);
      let guard = { start: clock(r), end: clock(r) };
      if (guard.start === '24:00' || !(guard.start < guard.end || guard.end === '24:00')) guard = GUARD;
      const s = rules(window, guard);
      const t0 = Date.UTC(2026, 0, 1) + Math.floor((r.next() * 730 * DAY) / 60_000) * 60_000;
      const got = nextOpening(t0, s, zone);
      const label = JSON.stringify({ zone, s, t0: iso(t0) });
      expect(iso(got), label).toBe(iso(brute(t0, s, zone)));
      // Whether a window ever opens does not depend on the zone or the day.
      expect(windowEverOpens(s), label).toBe(got !== null);
      if (got !== null) {
        expect(got).toBeGreaterThanOrEqual(t0);
        expect(isInWindow(got, { days: [1, 2, 3, 4, 5, 6, 7], ...s.guard }, zone)).toBe(true);
        if (s.window) expect(isInWindow(got, s.window, zone)).toBe(true);
      }
    }
  });

  it('with the default guard, the opening is always between 08:00 and 21:00 local', () => {
    const r = prng(99);
    const zones = ['Asia/Kolkata', 'America/Los_Angeles', 'Australia/Lord_Howe', 'America/New_York', 'Europe/Berlin'];
    for (let i = 0; i < 200; i++) {
      const zone = r.pick(zones);
      const t0 = Date.UTC(2026, 0, 1) + Math.floor(r.next() * 730 * 96) * QUARTER;
      const got = nextOpening(t0, rules(win('06:00', '23:30', [1 + r.int(7)])), zone);
      expect(got).not.toBeNull();
      const p = zonedParts(got as number, zone);
      const minutes = p.hour * 60 + p.minute;
      expect(minutes).toBeGreaterThanOrEqual(8 * 60);
      expect(minutes).toBeLessThan(21 * 60);
    }
  });
});

describe('windowEverOpens', () => {
  it('is false for windows wholly outside 08:00–21:00', () => {
    expect(windowEverOpens(rules(win('22:00', '23:00')))).toBe(false);
    expect(windowEverOpens(rules(win('21:00', '22:00')))).toBe(false); // touches the guard's end
    expect(windowEverOpens(rules(win('05:00', '08:00')))).toBe(false); // touches its start
    expect(windowEverOpens(rules(win('21:30', '07:59', weekdays)))).toBe(false); // wraps, through the night
    expect(windowEverOpens(rules(win('10:00', '11:00'), { start: '09:00', end: '10:00' }))).toBe(false);
  });

  it('is true when they overlap, even by a minute', () => {
    expect(windowEverOpens(rules(null))).toBe(true);
    expect(windowEverOpens(rules(win('09:00', '17:00', [7])))).toBe(true);
    expect(windowEverOpens(rules(win('20:59', '23:00')))).toBe(true);
    expect(windowEverOpens(rules(win('20:00', '08:00', [3])))).toBe(true); // wraps: 20:00–21:00
    expect(windowEverOpens(rules(win('22:00', '09:00', [5])))).toBe(true); // Saturday 08:00–09:00
    expect(windowEverOpens(rules(win('00:00', '00:00')))).toBe(true); // all day
    expect(windowEverOpens(rules(win('22:00', '23:00'), { start: '00:00', end: '24:00' }))).toBe(true);
  });
});

describe('CampaignSettingsSchema', () => {
  it('fills in the defaults: guard 08:00–21:00, UTC, no pace, one attempt', () => {
    expect(CampaignSettingsSchema.parse({})).toEqual({
      startAt: null,
      endBy: null,
      window: null,
      guard: { start: '08:00', end: '21:00' },
      defaultTimeZone: 'UTC',
      pacePerMinute: null,
      maxConcurrent: null,
      frequencyCap: { perDay: null, perWeek: null },
      retry: { outcomes: [], afterMinutes: 240, maxAttempts: 1 },
      providerRatePerSecond: null,
    });
  });

  it('refuses a pace of zero, an end before the start, a guard that never opens, a bad zone', () => {
    const issue = (input: unknown) => {
      const r = CampaignSettingsSchema.safeParse(input);
      return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issue({ pacePerMinute: 0 })).toEqual(['pacePerMinute: a pace of zero never starts anyone']);
    expect(issue({ pacePerMinute: -5 })).not.toBeNull();
    expect(issue({ startAt: '2026-01-02T00:00:00Z', endBy: '2026-01-01T00:00:00Z' })).toEqual([
      'endBy: endBy must be after startAt',
    ]);
    expect(issue({ guard: { start: '21:00', end: '08:00' } })).toEqual(['guard: the guard must end after it starts']);
    expect(issue({ defaultTimeZone: 'Mars/Olympus_Mons' })).not.toBeNull();
    expect(issue({ window: { start: '9:00', end: '17:00' } })).not.toBeNull();
    expect(issue({ retry: { maxAttempts: 0 } })).not.toBeNull();
    expect(issue({ pacePerMinute: 0.5, guard: { start: '00:00', end: '24:00' } })).toBeNull();
  });
});

describe('paceBudget', () => {
  it('no pace: a full burst, always', () => {
    expect(paceBudget({ tokens: 0, at: 0 }, 5_000, null, 500)).toEqual({ tokens: 500, at: 5_000 });
  });

  it('refills at the pace, capped at the burst', () => {
    expect(paceBudget({ tokens: 0, at: 0 }, 2_000, 60, 5)).toEqual({ tokens: 2, at: 2_000 });
    expect(paceBudget({ tokens: 0, at: 0 }, 30_000, 60, 5)).toEqual({ tokens: 5, at: 30_000 });
    expect(paceBudget({ tokens: 0, at: 0 }, 30_000, 1, 1)).toEqual({ tokens: 0.5, at: 30_000 });
    expect(paceBudget({ tokens: 4.5, at: 0 }, 60_000, 1, 5).tokens).toBe(5);
    // Nothing elapsed: nothing earned.
    expect(paceBudget({ tokens: 1.25, at: 7 }, 7, 600, 50)).toEqual({ tokens: 1.25, at: 7 });
  });

  it('earns the same in one step as in many (below the cap), never beyond the burst, never less', () => {
    const r = prng(7);
    for (let i = 0; i < 200; i++) {
      const pace = 1 + r.int(600);
      const burst = Math.max(1, pace / 12);
      let state = { tokens: 0, at: 0 };
      let t = 0;
      const steps = 1 + r.int(20);
      for (let s = 0; s < steps; s++) {
        t += r.int(3_000);
        const next = paceBudget(state, t, pace, burst);
        expect(next.tokens).toBeGreaterThanOrEqual(state.tokens - 1e-9);
        expect(next.tokens).toBeLessThanOrEqual(burst + 1e-9);
        state = next;
      }
      expect(state.tokens).toBeCloseTo(Math.min(burst, (t / 60_000) * pace), 6);
    }
  });

  it('waking when the next token is due, as the workflow does, the Nth start at N/min comes at one minute', () => {
    for (const pace of [1, 7, 60, 100, 1_000]) {
      const burst = Math.max(1, pace / 12);
      let state = { tokens: 0, at: 0 };
      let started = 0;
      let t = 0;
      while (started < pace) {
        state = paceBudget(state, t, pace, burst);
        const spend = Math.min(pace - started, Math.floor(state.tokens));
        started += spend;
        state = { tokens: state.tokens - spend, at: state.at };
        // The workflow's sleep until the next whole token (at least 50 ms).
        if (started < pace) t += Math.max(50, ((1 - (state.tokens % 1)) * 60_000) / pace);
      }
      expect(t).toBeGreaterThanOrEqual(60_000 - 1e-6);
      expect(t).toBeLessThanOrEqual(60_000 + 50);
    }
  });
});

describe('singleActionFlow', () => {
  const compiles = (flow: ReturnType<typeof singleActionFlow>) => {
    const compiled = compileFlow(flow);
    expect(compiled.ok, JSON.stringify(compiled.ok ? null : compiled.issues)).toBe(true);
    if (!compiled.ok) throw new Error('unreachable');
    return compiled.plan;
  };

  it('a message: campaign trigger → send → sent / failed', () => {
    const plan = compiles(
      singleActionFlow('Campaign: sms', { kind: 'message', channel: 'sms', text: 'Hi {{contact.firstName}}' }),
    );
    expect(plan.start).toBe('start');
    expect(plan.nodes.start).toMatchObject({ type: 'trigger', params: { source: 'campaign' }, next: { next: 'send' } });
    expect(plan.nodes.send).toMatchObject({
      type: 'send-message',
      params: { channel: 'sms', text: 'Hi {{contact.firstName}}', purpose: 'marketing' },
      next: { sent: 'sent', failed: 'failed' },
    });
    expect(plan.nodes.sent).toMatchObject({ type: 'end', params: { outcome: 'sent' } });
    expect(plan.nodes.failed).toMatchObject({ type: 'end', params: { outcome: 'failed' } });
  });

  it('an email with a subject, and a WhatsApp template, keep them', () => {
    const email = compiles(
      singleActionFlow('Campaign: email', { kind: 'message', channel: 'email', text: 'Body', subject: 'Renewal' }),
    );
    expect(email.nodes.send?.params).toMatchObject({ channel: 'email', subject: 'Renewal' });
    const wa = compiles(
      singleActionFlow('Campaign: wa', {
        kind: 'message',
        channel: 'whatsapp',
        text: 'Hello',
        template: { name: 'renewal', language: 'en', variables: ['{{contact.firstName}}'] },
      }),
    );
    expect(wa.nodes.send?.params).toMatchObject({
      template: { name: 'renewal', language: 'en', variables: ['{{contact.firstName}}'] },
    });
  });

  it('a call: one end per call outcome, each named for it', () => {
    const plan = compiles(
      singleActionFlow('Campaign: call', {
        kind: 'call',
        firstMessage: 'Hi, this is Switchboard',
        script: ['Is now a good time?'],
        voicemailMessage: 'Call us back',
        voiceAgentId: '0b7e2b1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b',
      }),
    );
    expect(plan.nodes.call).toMatchObject({
      type: 'place-call',
      params: {
        firstMessage: 'Hi, this is Switchboard',
        script: ['Is now a good time?'],
        voicemailMessage: 'Call us back',
        voiceAgentId: '0b7e2b1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b',
      },
    });
    const outcomes = ['answered', 'voicemail', 'no-answer', 'busy', 'failed'];
    expect(plan.nodes.call?.next).toEqual(Object.fromEntries(outcomes.map((o) => [o, o])));
    for (const o of outcomes) expect(plan.nodes[o]).toMatchObject({ type: 'end', params: { outcome: o } });
  });

  it('the same work makes the same plan (a stable checksum)', () => {
    const work = { kind: 'call' as const, firstMessage: 'Hi', script: [] };
    expect(compiles(singleActionFlow('C', work)).checksum).toBe(compiles(singleActionFlow('C', work)).checksum);
  });
});
