// The conversationSla workflow on the time-skipping test server with its real activities and a
// real PostgreSQL: a 72-business-hour resolution target across a weekend and a holiday in
// New York, a warning at 75%, resolve during a warning, next-response clocks, and reopen.
//
// The test server's clock starts near the real time and only moves forward, so every expectation
// is computed from env.currentTimeMs() with the business-hours library (itself checked against a
// brute-force minute counter in tests/flow/business-hours.test.ts). Time moves only in env.sleep:
// the workflow is idle on its timer before each step, so nothing races the clock.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusinessCalendarInput, BusinessCalendarSchema } from '../../flow/business-calendar';
import { addBusinessMinutes, businessMinutesBetween } from '../../flow/business-hours';
import { type SlaPolicyInput, SlaPolicySchema } from '../../flow/sla';
import { toJson } from '../../prisma/json';
import {
  type ConversationSlaView,
  conversationSlaWorkflowId,
  type SlaSignalKind,
  slaQuery,
  slaSignal,
} from '../../workflows/conversation-sla';
import { TASK_QUEUE } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { waitFor } from '../helpers/processes';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let worker: TestWorker;

beforeAll(async () => {
  [env, database] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
  worker = await startTestWorker(env, database.db);
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await database?.drop();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let n = 0;
async function setup(policy: SlaPolicyInput, calendar?: BusinessCalendarInput) {
  const db = database.db;
  const { tenant } = await seedTenant(db, `sla-${++n}-${Date.now()}`);
  const channel = await db.channel.create({
    data: { tenantId: tenant.id, kind: 'sms', provider: 'sandbox', name: 'sms', config: toJson({}) },
  });
  const conversation = await db.conversation.create({
    data: { tenantId: tenant.id, channelId: channel.id, kind: 'sms', address: `+1415555${1000 + n}`, team: 'support' },
  });
  const cal = calendar ? BusinessCalendarSchema.parse(calendar) : null;
  if (cal) {
    await db.businessCalendar.create({
      data: { tenantId: tenant.id, name: 'support hours', team: 'support', definition: toJson(cal) },
    });
  }
  const parsed = SlaPolicySchema.parse(policy);
  const row = await db.slaPolicy.create({
    data: { tenantId: tenant.id, name: parsed.name, rank: parsed.rank, definition: toJson(parsed) },
  });
  const handle = () => env.client.workflow.getHandle(conversationSlaWorkflowId(conversation.id));
  const signal = async (kind: SlaSignalKind) => {
    await env.client.workflow.signalWithStart('conversationSla', {
      workflowId: conversationSlaWorkflowId(conversation.id),
      taskQueue: TASK_QUEUE,
      args: [{ tenantId: tenant.id, conversationId: conversation.id }],
      signal: slaSignal,
      signalArgs: [{ kind }],
    });
  };
  const records = () =>
    db.slaRecord.findMany({
      where: { conversationId: conversation.id },
      orderBy: [{ at: 'asc' }, { createdAt: 'asc' }],
    });
  /** The view once the workflow has taken in everything signalled so far and is idle on its timer. */
  const settled = (check: (v: ConversationSlaView) => boolean, what: string) =>
    waitFor(async () => {
      const v = await handle().query(slaQuery);
      return check(v) ? v : undefined;
    }, what);
  return { tenant, conversation, policyRow: row, calendar: cal, handle, signal, records, settled };
}

describe('conversationSla', () => {
  it('runs a 72-business-hour resolution target across a weekend and a holiday in New York, warning at 75%', async () => {
    const start = await env.currentTimeMs();
    // Weekdays 09:00–18:00 New York with a lunch hour (a split shift: 8 open hours a day), and the
    // next weekday after the start closed as a holiday (a one-off date, in the calendar's zone).
    const nyDate = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(t);
    const nyWeekday = (t: number) =>
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short' }).format(t);
    const holidays: string[] = [];
    for (let t = start + DAY; holidays.length < 1; t += DAY) {
      if (!['Sat', 'Sun'].includes(nyWeekday(t))) holidays.push(nyDate(t));
    }
    const s = await setup(
      { name: 'Standard', resolution: { minutes: 72 * 60 }, warnAt: [0.75] },
      {
        timeZone: 'America/New_York',
        hours: [
          { days: [1, 2, 3, 4, 5], start: '09:00', end: '12:30' },
          { days: [1, 2, 3, 4, 5], start: '13:30', end: '18:00' },
        ],
        holidays: holidays.map((date) => ({ date, name: 'Office closed' })),
      },
    );
    const cal = s.calendar as NonNullable<typeof s.calendar>;
    await s.signal('customer_message');
    const opened = await s.settled((v) => v.clocks.length === 1, 'the resolution clock');
    const openedAt = await env.currentTimeMs();
    const due = addBusinessMinutes(cal, start, 72 * 60);
    const warnAt = addBusinessMinutes(cal, start, 54 * 60);
    const clock = opened.clocks[0];
    expect(clock?.metric).toBe('resolution');
    // The workflow opened its clock at its own start: within the test's real seconds of `start`.
    expect(Math.abs((clock?.dueAt ?? 0) - due)).toBeLessThan(openedAt - start + MINUTE);
    // 72 business hours at 8 a day: nine working days, so at least two weekends and the holiday.
    expect(due - start).toBeGreaterThan(11 * DAY);
    expect(businessMinutesBetween(cal, start, due)).toBe(72 * 60);

    // Up to just before the warning: nothing recorded.
    await env.sleep(clock?.dueAt ? warnAt - (await env.currentTimeMs()) - HOUR : 0);
    expect(await s.records()).toEqual([]);
    // Past the warning.
    await env.sleep(2 * HOUR);
    await waitFor(async () => ((await s.records()).length === 1 ? true : undefined), 'the warning');
    const [warning] = await s.records();
    expect(warning).toMatchObject({
      metric: 'resolution',
      kind: 'warning',
      fraction: 0.75,
      team: 'support',
      channel: 'sms',
    });
    expect(Math.abs((warning?.at.getTime() ?? 0) - warnAt)).toBeLessThan(openedAt - start + MINUTE);
    expect(warning?.dueAt?.getTime()).toBe(clock?.dueAt);

    // Past the due time: one breach, at the due time, and the clock says so.
    await env.sleep((clock?.dueAt ?? 0) - (await env.currentTimeMs()) + HOUR);
    await waitFor(async () => ((await s.records()).length === 2 ? true : undefined), 'the breach');
    const breach = (await s.records())[1];
    expect(breach).toMatchObject({ metric: 'resolution', kind: 'breach' });
    expect(breach?.at.getTime()).toBe(clock?.dueAt);
    const after = await s.settled((v) => v.clocks[0]?.breached === true, 'breached in the view');
    expect(after.clocks[0]?.remainingMinutes).toBeLessThanOrEqual(0);

    // Resolved late: met, late.
    await s.signal('resolved');
    await waitFor(async () => ((await s.records()).length === 3 ? true : undefined), 'resolved');
    expect((await s.records())[2]).toMatchObject({ metric: 'resolution', kind: 'met', late: true });
  });

  it('resolve during a warning: the resolution is met on time, the first response stops, no breach follows', async () => {
    const s = await setup({
      name: 'Calendar time',
      firstResponse: { minutes: 60, clock: 'calendar' },
      resolution: { minutes: 240, clock: 'calendar' },
      warnAt: [0.5, 0.75],
    });
    await s.signal('customer_message');
    const v = await s.settled((x) => x.clocks.length === 2, 'two clocks');
    const firstDue = v.clocks.find((c) => c.metric === 'first_response')?.dueAt as number;
    // 50 minutes in: the first response has warned at 30 and 45 minutes.
    await env.sleep(firstDue - (await env.currentTimeMs()) - 10 * MINUTE);
    await waitFor(async () => ((await s.records()).length === 2 ? true : undefined), 'two warnings');
    expect((await s.records()).map((r) => [r.metric, r.kind, r.fraction])).toEqual([
      ['first_response', 'warning', 0.5],
      ['first_response', 'warning', 0.75],
    ]);
    await s.signal('resolved');
    await waitFor(async () => ((await s.records()).length === 4 ? true : undefined), 'resolved');
    expect(
      (await s.records())
        .slice(2)
        .map((r) => [r.metric, r.kind, r.late])
        .sort(),
    ).toEqual([
      ['first_response', 'stopped', false],
      ['resolution', 'met', false],
    ]);
    // Hours later: nothing more — no breach of a stopped clock.
    await env.sleep(6 * HOUR);
    expect(await s.records()).toHaveLength(4);
    const done = await s.settled((x) => x.resolved, 'resolved view');
    expect(done.clocks.map((c) => c.status).sort()).toEqual(['met', 'stopped']);
  });

  it('an agent reply meets first response; each customer message after it starts a next-response clock; reopen resumes resolution', async () => {
    const s = await setup({
      name: 'Chat',
      firstResponse: { minutes: 30, clock: 'calendar' },
      nextResponse: { minutes: 20, clock: 'calendar' },
      resolution: { minutes: 600, clock: 'calendar' },
      warnAt: [],
    });
    await s.signal('customer_message');
    const opened = await s.settled((x) => x.clocks.length === 2, 'opened');
    // The conversation row shows the soonest due clock, for the inbox to sort by and count down to.
    const row = () => database.db.conversation.findUniqueOrThrow({ where: { id: s.conversation.id } });
    const firstDue = opened.clocks.find((c) => c.metric === 'first_response')?.dueAt;
    await waitFor(async () => ((await row()).slaDueAt?.getTime() === firstDue ? true : undefined), 'due saved');
    expect((await row()).slaMetric).toBe('first_response');
    await env.sleep(10 * MINUTE);
    await s.signal('agent_reply');
    await s.settled((x) => x.clocks.some((c) => c.metric === 'first_response' && c.status === 'met'), 'met');
    // Another message from the agent's side changes nothing; the customer's next one opens a clock.
    await s.signal('customer_message');
    await s.signal('customer_message');
    const v = await s.settled((x) => x.clocks.some((c) => c.metric === 'next_response'), 'next response');
    expect(v.clocks.filter((c) => c.metric === 'next_response')).toHaveLength(1);
    // Nobody answers: it breaches 20 minutes later.
    await env.sleep(25 * MINUTE);
    await waitFor(
      async () =>
        (await s.records()).some((r) => r.metric === 'next_response' && r.kind === 'breach') ? true : undefined,
      'next-response breach',
    );
    await s.signal('agent_reply');
    await s.settled((x) => x.clocks.every((c) => c.metric === 'resolution' || c.status === 'met'), 'answered');
    // Resolved after some 35 minutes of its 600; reopened two hours later, it resumes where it stopped.
    await s.signal('resolved');
    const resolved = await s.settled((x) => x.resolved, 'resolved');
    await waitFor(async () => ((await row()).slaDueAt === null ? true : undefined), 'nothing due once resolved');
    expect((await row()).slaMetric).toBeNull();
    const spent = resolved.clocks.find((c) => c.metric === 'resolution')?.spentMinutes as number;
    expect(spent).toBeGreaterThanOrEqual(35);
    expect(spent).toBeLessThan(40);
    await env.sleep(2 * HOUR);
    await s.signal('reopened');
    const reopened = await s.settled((x) => !x.resolved, 'reopened');
    const resolution = reopened.clocks.find((c) => c.metric === 'resolution');
    expect(resolution?.status).toBe('running');
    expect(resolution?.remainingMinutes).toBe(600 - spent);
    expect(reopened.clocks.some((c) => c.metric === 'next_response' && c.status === 'running')).toBe(true);
    const soonest = Math.min(...reopened.clocks.flatMap((c) => (c.dueAt === null ? [] : [c.dueAt])));
    await waitFor(async () => ((await row()).slaDueAt?.getTime() === soonest ? true : undefined), 'due again');
    await recordHistory(env.client, conversationSlaWorkflowId(s.conversation.id), 'sla-reply-breach-resolve-reopen');
    const kinds = (await s.records()).map((r) => `${r.metric}:${r.kind}`);
    expect(kinds).toEqual(['first_response:met', 'next_response:breach', 'next_response:met', 'resolution:met']);
  });

  it('runs no clocks when no policy applies', async () => {
    const s = await setup({
      name: 'WhatsApp only',
      appliesTo: { channels: ['whatsapp'] },
      firstResponse: { minutes: 5 },
    });
    await s.signal('customer_message');
    const result = await s.handle().result();
    expect(result).toEqual({ policyId: null, clocks: [], resolved: false });
  });
});
