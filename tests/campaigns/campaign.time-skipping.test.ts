// The campaign workflow on the Temporal time-skipping test server, with its real activities and a
// real PostgreSQL database: calling windows on each recipient's own clock (Kolkata, Los Angeles,
// Berlin), windows across DST changes, retries of a journey outcome, and a frequency cap shared by
// two campaigns. Days and months pass in seconds.
//
// How the clock is driven. The test server skips time whenever it is unlocked (while a client awaits
// a workflow result, or during env.sleep), even while an activity is running in real time: awaiting
// a campaign's result would let the clock race past a dispatch still talking to PostgreSQL (and time
// out its heartbeat). So these tests keep the clock locked and step it by hand: wait (in real time)
// until every campaign workflow is idle on a timer, then env.sleep exactly to the earliest timer,
// and again. Between steps the dispatcher, the journeys and PostgreSQL run at their own pace on a
// clock that does not jump.
//
// The test server's clock cannot be set: it starts near the real time and only moves forward. So
// every expectation is computed from it (env.currentTimeMs()), and campaigns are pinned to chosen
// local hours with `settings.startAt`. Local wall times are checked with Intl directly, not with the
// product's calendar code, and the journeys are a published flow `campaign trigger → end` whose end
// names the outcome: no provider is involved, so nothing depends on the real hour the suite runs.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Flow } from '../../flow';
import { toJson } from '../../prisma/json';
import { bundleWorkflows } from '../../worker/bundle';
import { type CampaignProgress, campaignWorkflowId, progressQuery } from '../../workflows/campaign';
import { buildTestApp, TASK_QUEUE } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { publish, seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { campaignAction, createCampaign } from './helpers';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;
  [env, database, bundle] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), bundleWorkflows()]);
  app = await buildTestApp(database, env);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities: createActivities({
      db: database.db,
      providers: null,
      calls: null,
      starter: { client: env.client, taskQueue: TASK_QUEUE },
    }),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await app?.close();
  await env?.teardown();
  await database?.drop();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far the workflow clock may run past a due time before the journey starts (real seconds of work). */
const SLACK = MINUTE;

// ---- Local wall clocks, straight from Intl ----

interface Local {
  weekday: number; // 1 = Monday … 7 = Sunday
  date: string; // YYYY-MM-DD
  minutes: number; // since local midnight
  offsetMinutes: number; // UTC offset
}
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formats = new Map<string, Intl.DateTimeFormat>();
function local(ms: number, zone: string): Local {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      timeZoneName: 'longOffset',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const m = /GMT(?:([+-])(\d\d):(\d\d))?/.exec(parts.timeZoneName ?? '');
  const offset = m?.[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return {
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    offsetMinutes: offset,
  };
}
const hm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const wall = (ms: number, zone: string) => {
  const l = local(ms, zone);
  return `${l.date} ${hm(l.minutes)} (${l.weekday})`;
};
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/**
 * The first instant at or after `from`, on the quarter-hour grid, whose local time in `zone` is in
 * [start, end) on one of `days` and inside 08:00–21:00: an independent oracle for the dispatcher.
 */
function firstLocalOpening(from: number, zone: string, days: number[], start: string, end: string): number {
  const open = (t: number) => {
    const l = local(t, zone);
    return (
      days.includes(l.weekday) &&
      l.minutes >= Math.max(minutesOf(start), 8 * 60) &&
      l.minutes < Math.min(minutesOf(end), 21 * 60)
    );
  };
  if (open(from)) return from;
  for (let t = Math.ceil(from / (15 * MINUTE)) * 15 * MINUTE; t < from + 15 * DAY; t += 15 * MINUTE)
    if (open(t)) return t;
  throw new Error('no opening within 15 days');
}

/** The first instant at or after `from` whose local time in `zone` is exactly `hhmm` (and on `days`). */
function nextLocalTime(from: number, zone: string, hhmm: string, days = [1, 2, 3, 4, 5, 6, 7]): number {
  const target = minutesOf(hhmm);
  for (let t = Math.ceil(from / (15 * MINUTE)) * 15 * MINUTE; t < from + 30 * DAY; t += 15 * MINUTE) {
    const l = local(t, zone);
    if (l.minutes === target && days.includes(l.weekday)) return t;
  }
  throw new Error(`no ${hhmm} in ${zone} within 30 days`);
}

/** Noon on the first Sunday after `from` on which `zone`'s clocks change in the given direction. */
function nextDstSunday(from: number, zone: string, direction: 'forward' | 'back'): number {
  for (let noon = nextLocalTime(from, zone, '12:00', [7]); noon < from + 400 * DAY; ) {
    const before = local(noon - DAY, zone).offsetMinutes;
    const after = local(noon, zone).offsetMinutes;
    if (direction === 'forward' ? after > before : after < before) return noon;
    noon = nextLocalTime(noon + HOUR, zone, '12:00', [7]);
  }
  throw new Error(`no DST change in ${zone} within 400 days`);
}

// ---- Fixtures ----

/** A flow a campaign can run: the campaign trigger straight to an end with `outcome`. */
function endFlow(outcome: string): Flow {
  return {
    name: `Ends ${outcome}`,
    version: 0,
    nodes: [
      { id: 'start', type: 'trigger', params: { source: 'campaign' } },
      { id: 'end', type: 'end', params: { outcome } },
    ],
    edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'end' }],
  };
}

async function tenantWithFlow(slug: string, outcome: string) {
  const t = await seedTenant(database.db, slug);
  const definition = endFlow(outcome);
  const flow = await database.db.flow.create({
    data: { tenantId: t.tenant.id, name: definition.name, definition: toJson(definition) },
  });
  await publish(database.db, t.tenant.id, flow.id, definition);
  return { tenantId: t.tenant.id, token: t.token, flowId: flow.id };
}

let phoneSeq = 0;
async function contact(tenantId: string, firstName: string, timeZone: string) {
  return database.db.contact.create({
    data: { tenantId, firstName, timeZone, phone: `+1415${String(3_000_000 + phoneSeq++).padStart(7, '0')}` },
  });
}

async function launch(
  t: { token: string; flowId: string },
  name: string,
  contactIds: string[],
  settings: Record<string, unknown>,
) {
  const id = await createCampaign(app, t.token, {
    name,
    audience: { contactIds },
    work: { kind: 'flow', flowId: t.flowId },
    settings,
  });
  const res = await campaignAction(app, t.token, id, 'launch');
  expect(res.statusCode, res.body).toBe(202);
  return id;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/**
 * Waits, in real time, until the campaign workflow is idle on a timer (its last history event starts
 * one) and answers when that timer fires; 'done' once the workflow has completed.
 */
async function nextWake(campaignId: string): Promise<number | 'done'> {
  const handle = env.client.workflow.getHandle(campaignWorkflowId(campaignId));
  const wake = await waitFor(
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const last = events[events.length - 1];
      if (last?.workflowExecutionCompletedEventAttributes) return 'done' as const;
      if (
        last?.workflowExecutionFailedEventAttributes ||
        last?.workflowExecutionTimedOutEventAttributes ||
        last?.workflowExecutionTerminatedEventAttributes
      )
        return 'broken' as const;
      if (!last?.timerStartedEventAttributes) return undefined;
      return ms(last.eventTime) + ms(last.timerStartedEventAttributes.startToFireTimeout);
    },
    `campaign ${campaignId} to wait on a timer`,
    30_000,
  );
  if (wake === 'broken') throw new Error(`the campaign workflow of ${campaignId} did not complete`);
  return wake;
}

/** Moves the test server's clock forward to `target` (timers due by then fire); then it is locked again. */
async function advanceTo(target: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(Math.ceil(target - now));
  else await new Promise((r) => setTimeout(r, 50)); // a timer already due: let it fire
}

/**
 * Runs the campaigns' clock forward one timer at a time until they complete or the next timer is
 * after `until` (then the clock stops at `until`).
 */
async function drive(campaignIds: string[], until = Number.POSITIVE_INFINITY): Promise<void> {
  for (let step = 0; step < 1_000; step++) {
    const wakes = await Promise.all(campaignIds.map(nextWake));
    const pending = wakes.filter((w): w is number => w !== 'done');
    if (pending.length === 0) return;
    const next = Math.min(...pending);
    if (next > until) {
      await advanceTo(until);
      return;
    }
    await advanceTo(next);
  }
  throw new Error('the campaigns took more than 1000 steps');
}

/** A completed campaign's final progress, by query (awaiting a result would unlock the clock). */
async function progressOf(campaignId: string): Promise<CampaignProgress> {
  return env.client.workflow.getHandle(campaignWorkflowId(campaignId)).query(progressQuery);
}

const recipients = (campaignId: string) =>
  database.db.campaignRecipient.findMany({ where: { campaignId }, orderBy: { seq: 'asc' } });
const recipientOf = async (campaignId: string, contactId: string) =>
  database.db.campaignRecipient.findFirstOrThrow({ where: { campaignId, contactId } });

// ---- The tests ----

describe('calling windows on each recipient’s own clock', () => {
  it('Kolkata, Los Angeles and Berlin each start inside their own weekday 09:00–17:00; the others wait', async () => {
    const t = await tenantWithFlow('ts-windows', 'done');
    const kolkata = await contact(t.tenantId, 'Priya', 'Asia/Kolkata');
    const la = await contact(t.tenantId, 'Dana', 'America/Los_Angeles');
    const berlin = await contact(t.tenantId, 'Jonas', 'Europe/Berlin');
    const zoneOf = { [kolkata.id]: 'Asia/Kolkata', [la.id]: 'America/Los_Angeles', [berlin.id]: 'Europe/Berlin' };

    // A weekday at 13:00 UTC: 18:30 in Kolkata (closed), 05:00 or 06:00 in Los Angeles (closed),
    // 14:00 or 15:00 in Berlin (open).
    const serverNow = await env.currentTimeMs();
    const startAt = nextLocalTime(serverNow + HOUR, 'UTC', '13:00', [1, 2, 3, 4, 5]);
    const window = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
    const expected = Object.fromEntries(
      Object.entries(zoneOf).map(([id, zone]) => [id, firstLocalOpening(startAt, zone, window.days, '09:00', '17:00')]),
    );
    expect(expected[berlin.id]).toBe(startAt);
    expect(expected[kolkata.id]).toBeGreaterThan(startAt);
    expect(expected[la.id]).toBeGreaterThan(startAt);

    const id = await launch(t, 'Around the world', [kolkata.id, la.id, berlin.id], {
      startAt: new Date(startAt).toISOString(),
      window,
    });
    // Nothing before the start.
    await drive([id], startAt - MINUTE);
    expect((await recipients(id)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);

    // At the start: Berlin is reached; Kolkata and Los Angeles wait for their own 09:00.
    await drive([id], startAt + 5 * MINUTE);
    for (const r of await recipients(id)) {
      if (r.contactId === berlin.id) {
        expect(r).toMatchObject({ status: 'completed', attempts: 1 });
        expect(r.startedAt?.getTime()).toBeGreaterThanOrEqual(startAt);
        expect(r.startedAt?.getTime()).toBeLessThan(startAt + SLACK);
        continue;
      }
      const zone = zoneOf[r.contactId] as string;
      expect(r, zone).toMatchObject({ status: 'deferred', reason: 'outside_window', attempts: 0, startedAt: null });
      expect(r.detail).toContain(zone);
      expect(r.nextAttemptAt?.toISOString(), zone).toBe(new Date(expected[r.contactId] as number).toISOString());
    }

    await drive([id]);
    expect(await progressOf(id)).toMatchObject({ status: 'completed', counts: { completed: 3 } });
    for (const r of await recipients(id)) {
      const zone = zoneOf[r.contactId] as string;
      const startedAt = r.startedAt?.getTime() as number;
      const when = local(startedAt, zone);
      expect(r, zone).toMatchObject({ status: 'completed', attempts: 1, outcome: 'done', reason: null });
      // Started at its own first opening, on its own clock: a weekday, 09:00–17:00 local.
      expect(startedAt, `${zone}: ${wall(startedAt, zone)}`).toBeGreaterThanOrEqual(expected[r.contactId] as number);
      expect(startedAt, `${zone}: ${wall(startedAt, zone)}`).toBeLessThan((expected[r.contactId] as number) + SLACK);
      expect(when.weekday, zone).toBeLessThanOrEqual(5);
      expect(when.minutes, zone).toBeGreaterThanOrEqual(9 * 60);
      expect(when.minutes, zone).toBeLessThan(17 * 60);
      if (r.contactId !== berlin.id) expect(hm(when.minutes), zone).toBe('09:00');
      // The journey's run started then too: the workflow clock, not the test machine's.
      const run = await database.db.run.findUniqueOrThrow({ where: { id: r.runId as string } });
      expect(run.startedAt.getTime()).toBe(startedAt);
      expect(run).toMatchObject({ status: 'completed', outcome: 'done' });
    }
    expect((await database.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe('completed');
  });
});

describe('a window across a DST change', () => {
  it('opens at 09:00 local on the change days in New York (spring forward) and Berlin (fall back)', async () => {
    const t = await tenantWithFlow('ts-dst', 'done');
    const ny = await contact(t.tenantId, 'Ava', 'America/New_York');
    const ny2 = await contact(t.tenantId, 'Eli', 'America/New_York');
    const berlin = await contact(t.tenantId, 'Lena', 'Europe/Berlin');
    const serverNow = await env.currentTimeMs();
    const nySunday = nextDstSunday(serverNow, 'America/New_York', 'forward');
    const berlinSunday = nextDstSunday(serverNow, 'Europe/Berlin', 'back');
    // Saturday noon, before each change.
    const nyStart = nextLocalTime(nySunday - 2 * DAY, 'America/New_York', '12:00', [6]);
    const berlinStart = nextLocalTime(berlinSunday - 2 * DAY, 'Europe/Berlin', '12:00', [6]);
    expect(wall(nyStart, 'America/New_York')).toMatch(/12:00 \(6\)$/);
    expect(wall(berlinStart, 'Europe/Berlin')).toMatch(/12:00 \(6\)$/);

    // A Sunday-only window, and (for the second New York contact) a weekday one: the Monday after.
    const sundays = { days: [7], start: '09:00', end: '17:00' };
    const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
    const nyCampaign = await launch(t, 'Spring forward', [ny.id], {
      startAt: new Date(nyStart).toISOString(),
      window: sundays,
    });
    const nyMonday = await launch(t, 'Spring forward, Monday', [ny2.id], {
      startAt: new Date(nyStart).toISOString(),
      window: weekdays,
    });
    const berlinCampaign = await launch(t, 'Fall back', [berlin.id], {
      startAt: new Date(berlinStart).toISOString(),
      window: sundays,
    });
    const all = [nyCampaign, nyMonday, berlinCampaign];

    // Saturday: the New York contacts wait, for Sunday 09:00 EDT and Monday 09:00 EDT.
    await drive(all, nyStart + 5 * MINUTE);
    const waiting = await recipientOf(nyCampaign, ny.id);
    expect(waiting).toMatchObject({ status: 'deferred', reason: 'outside_window' });
    expect(wall(waiting.nextAttemptAt?.getTime() as number, 'America/New_York')).toBe(
      `${local(nySunday, 'America/New_York').date} 09:00 (7)`,
    );

    await drive(all);
    for (const c of all) expect((await progressOf(c)).status).toBe('completed');

    const nyStarted = (await recipientOf(nyCampaign, ny.id)).startedAt?.getTime() as number;
    // 09:00 EDT on the Sunday the clocks went forward: 20 hours after Saturday noon EST, not 21.
    expect(wall(nyStarted, 'America/New_York')).toBe(`${local(nySunday, 'America/New_York').date} 09:00 (7)`);
    expect(local(nyStarted, 'America/New_York').offsetMinutes).toBe(-4 * 60);
    expect(nyStarted - nyStart).toBeGreaterThanOrEqual(20 * HOUR);
    expect(nyStarted - nyStart).toBeLessThan(20 * HOUR + SLACK);

    const mondayStarted = (await recipientOf(nyMonday, ny2.id)).startedAt?.getTime() as number;
    // 09:00 EDT the next day: 44 hours after Saturday noon EST.
    expect(wall(mondayStarted, 'America/New_York')).toBe(`${local(nySunday + DAY, 'America/New_York').date} 09:00 (1)`);
    expect(mondayStarted - nyStart).toBeGreaterThanOrEqual(44 * HOUR);
    expect(mondayStarted - nyStart).toBeLessThan(44 * HOUR + SLACK);

    const berlinStarted = (await recipientOf(berlinCampaign, berlin.id)).startedAt?.getTime() as number;
    // 09:00 CET on the Sunday the clocks went back: 22 hours after Saturday noon CEST, not 21.
    expect(wall(berlinStarted, 'Europe/Berlin')).toBe(`${local(berlinSunday, 'Europe/Berlin').date} 09:00 (7)`);
    expect(local(berlinStarted, 'Europe/Berlin').offsetMinutes).toBe(60);
    expect(berlinStarted - berlinStart).toBeGreaterThanOrEqual(22 * HOUR);
    expect(berlinStarted - berlinStart).toBeLessThan(22 * HOUR + SLACK);
  });
});

describe('retries', () => {
  it('a journey ending no-answer is tried again afterMinutes later, up to maxAttempts, then retries_exhausted', async () => {
    const t = await tenantWithFlow('ts-retries', 'no-answer');
    const utc = await contact(t.tenantId, 'Noor', 'UTC');
    const kolkata = await contact(t.tenantId, 'Arjun', 'Asia/Kolkata');
    // 15:00 UTC: mid-afternoon in UTC, 20:30 in Kolkata: its retry 45 minutes later (21:15) falls
    // outside the 8:00–21:00 guard and waits for 08:00 there.
    const serverNow = await env.currentTimeMs();
    const startAt = nextLocalTime(serverNow + HOUR, 'UTC', '15:00');
    const afterMinutes = 45;
    const id = await launch(t, 'Call back', [utc.id, kolkata.id], {
      startAt: new Date(startAt).toISOString(),
      retry: { outcomes: ['no-answer', 'busy'], afterMinutes, maxAttempts: 3 },
    });

    // After the first attempt: both wait for a retry, due afterMinutes after their journey ended.
    await drive([id], startAt + 10 * MINUTE);
    const first = await recipients(id);
    for (const r of first) {
      expect(r).toMatchObject({
        status: 'pending',
        attempts: 1,
        outcome: 'no-answer',
        reason: null,
        detail: 'attempt 1 ended no-answer; trying again',
      });
      const startedAt = r.startedAt?.getTime() as number;
      expect(startedAt).toBeGreaterThanOrEqual(startAt);
      expect(startedAt).toBeLessThan(startAt + SLACK);
      const due = r.nextAttemptAt?.getTime() as number;
      expect(due - startedAt).toBeGreaterThanOrEqual(afterMinutes * MINUTE);
      expect(due - startedAt).toBeLessThan(afterMinutes * MINUTE + SLACK);
    }

    // When Kolkata's retry falls due (21:15 there), it is deferred to the next 08:00.
    const kolkataRetry = first.find((r) => r.contactId === kolkata.id)?.nextAttemptAt?.getTime() as number;
    const kolkataMorning = firstLocalOpening(kolkataRetry, 'Asia/Kolkata', [1, 2, 3, 4, 5, 6, 7], '00:00', '24:00');
    expect(wall(kolkataMorning, 'Asia/Kolkata')).toMatch(/ 08:00 /);
    await drive([id], kolkataRetry + 5 * MINUTE);
    const deferred = await recipientOf(id, kolkata.id);
    expect(deferred).toMatchObject({ status: 'deferred', reason: 'outside_window', attempts: 1 });
    expect(deferred.nextAttemptAt?.toISOString()).toBe(new Date(kolkataMorning).toISOString());

    await drive([id]);
    expect(await progressOf(id)).toMatchObject({ status: 'completed', counts: { completed: 2 } });
    for (const r of await recipients(id)) {
      expect(r).toMatchObject({
        status: 'completed',
        attempts: 3,
        outcome: 'no-answer',
        reason: 'retries_exhausted',
        detail: 'no-answer after 3 attempts',
        nextAttemptAt: null,
      });
      const runs = await database.db.run.findMany({
        where: { tenantId: t.tenantId, contactId: r.contactId },
        orderBy: { startedAt: 'asc' },
      });
      expect(runs.map((run) => run.workflowId)).toEqual([1, 2, 3].map((n) => `campaign-${id}-${r.id}-${n}`));
      expect(runs.every((run) => run.outcome === 'no-answer' && run.status === 'completed')).toBe(true);
      const starts = runs.map((run) => run.startedAt.getTime());
      const touches = await database.db.campaignTouch.findMany({
        where: { recipientId: r.id },
        orderBy: { attempt: 'asc' },
      });
      expect(touches.map((x) => [x.attempt, x.at.getTime()])).toEqual(starts.map((s, i) => [i + 1, s]));
      const gap = (i: number) => (starts[i] as number) - (starts[i - 1] as number);
      if (r.contactId === utc.id) {
        // 15:00, 15:45, 16:30 UTC (give or take the seconds the work takes).
        for (const i of [1, 2]) {
          expect(gap(i)).toBeGreaterThanOrEqual(afterMinutes * MINUTE);
          expect(gap(i)).toBeLessThan(afterMinutes * MINUTE + SLACK);
        }
      } else {
        // 20:30, then 08:00 the next morning (the guard), then 08:45.
        expect(starts[1]).toBeGreaterThanOrEqual(kolkataMorning);
        expect(starts[1]).toBeLessThan(kolkataMorning + SLACK);
        expect(gap(2)).toBeGreaterThanOrEqual(afterMinutes * MINUTE);
        expect(gap(2)).toBeLessThan(afterMinutes * MINUTE + SLACK);
        expect(starts.map((s) => hm(local(s, 'Asia/Kolkata').minutes))).toEqual(['20:30', '08:00', '08:45']);
      }
    }
  });
});

describe('frequency caps across campaigns', () => {
  it('a second campaign defers contacts the first reached today (frequency_cap) and reaches them a day later', async () => {
    const t = await tenantWithFlow('ts-caps', 'done');
    const people = [await contact(t.tenantId, 'Ines', 'UTC'), await contact(t.tenantId, 'Omar', 'UTC')];
    const ids = people.map((p) => p.id);
    const serverNow = await env.currentTimeMs();
    const firstAt = nextLocalTime(serverNow + HOUR, 'UTC', '10:00');
    const secondAt = firstAt + HOUR;
    const settings = { frequencyCap: { perDay: 1 } };
    const first = await launch(t, 'Monday news', ids, { ...settings, startAt: new Date(firstAt).toISOString() });
    const second = await launch(t, 'Monday offer', ids, { ...settings, startAt: new Date(secondAt).toISOString() });

    await drive([first, second], firstAt + 5 * MINUTE);
    expect((await progressOf(first)).status).toBe('completed');
    const touched = new Map(
      (await database.db.campaignTouch.findMany({ where: { campaignId: first } })).map((x) => [
        x.contactId,
        x.at.getTime(),
      ]),
    );
    expect(touched.size).toBe(2);

    await drive([second], secondAt + 5 * MINUTE);
    for (const r of await recipients(second)) {
      expect(r).toMatchObject({ status: 'deferred', reason: 'frequency_cap', attempts: 0 });
      expect(r.nextAttemptAt?.getTime()).toBe((touched.get(r.contactId) as number) + DAY);
    }

    await drive([second]);
    expect((await progressOf(second)).status).toBe('completed');
    for (const r of await recipients(second)) {
      const startedAt = r.startedAt?.getTime() as number;
      const previous = touched.get(r.contactId) as number;
      expect(r).toMatchObject({ status: 'completed', attempts: 1 });
      expect(startedAt - previous).toBeGreaterThanOrEqual(DAY);
      expect(startedAt - previous).toBeLessThan(DAY + SLACK);
      expect(hm(local(startedAt, 'UTC').minutes)).toBe('10:00');
    }
    // Never two touches of one contact within a day.
    for (const contactId of ids) {
      const touches = await database.db.campaignTouch.findMany({ where: { contactId }, orderBy: { at: 'asc' } });
      expect(touches).toHaveLength(2);
      expect((touches[1]?.at.getTime() as number) - (touches[0]?.at.getTime() as number)).toBeGreaterThanOrEqual(DAY);
    }
  });
});
