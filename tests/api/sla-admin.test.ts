import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../api/auth/tokens';
import { auth, startApiTestServer, stopApiTestServer, TEST_JWT_SECRET } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

// The SLA configuration API: business calendars (with their preview), SLA policies, escalation
// ladders and on-call shifts — what each accepts, what it refuses and why, and tenant isolation.
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;
/** A member of tenant A, and a user who belongs to tenant B only. */
let memberId: string;
let strangerId: string;

type Issue = { path: string; message: string };
type ErrorBody = { error: { code: string; message: string; details?: unknown } };

const call = (method: string, url: string, payload?: unknown, token = a.token) =>
  app.inject({
    method: method as 'GET',
    url: `/v1${url}`,
    headers: auth(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function member(tenantId: string, role: string) {
  const user = await database.db.user.create({
    data: { email: `${role}-${randomUUID()}@sla.test`, name: role, passwordHash: 'x' },
  });
  await database.db.membership.create({ data: { tenantId, userId: user.id, role } });
  return user.id;
}

async function tokenFor(tenantId: string, role: string) {
  const userId = await member(tenantId, role);
  const session = await database.db.session.create({
    data: {
      tenantId,
      userId,
      familyId: randomUUID(),
      refreshHash: randomUUID(),
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  return signAccessToken(TEST_JWT_SECRET, { sub: userId, tid: tenantId, sid: session.id });
}

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, `sla-admin-a-${randomUUID()}`);
  b = await seedTenant(database.db, `sla-admin-b-${randomUUID()}`);
  memberId = await member(a.tenant.id, 'agent');
  strangerId = await member(b.tenant.id, 'agent');
});
afterAll(() => stopApiTestServer({ app, env, database }));

const WEEKDAYS = [1, 2, 3, 4, 5];
const parisOffice = {
  timeZone: 'Europe/Paris',
  hours: [
    { days: WEEKDAYS, start: '09:00', end: '12:30' },
    { days: WEEKDAYS, start: '12:30', end: '17:00' },
  ],
  holidays: [{ date: '2026-11-24', name: 'Offsite' }],
};

const issuesOf = (body: ErrorBody) => body.error.details as Issue[];

describe('business calendars', () => {
  it('are created, listed, read, replaced and deleted', async () => {
    const created = await call('POST', '/business-calendars', { name: 'Paris office', definition: parisOffice });
    expect(created.statusCode, created.body).toBe(201);
    const cal = created.json() as { id: string; name: string; team: string | null; definition: typeof parisOffice };
    expect(cal).toMatchObject({ name: 'Paris office', team: null });
    // Defaults are filled in: what is stored is what the SLA workflow will parse.
    expect(cal.definition).toEqual({
      ...parisOffice,
      holidays: [{ date: '2026-11-24', name: 'Offsite', yearly: false }],
      closures: [],
    });

    const list = (await call('GET', '/business-calendars')).json() as { items: { id: string }[] };
    expect(list.items.map((c) => c.id)).toContain(cal.id);
    expect((await call('GET', `/business-calendars/${cal.id}`)).json()).toMatchObject({ id: cal.id });

    const replaced = await call('PUT', `/business-calendars/${cal.id}`, {
      name: 'Paris support',
      team: 'support',
      definition: { timeZone: 'Europe/Paris', hours: [{ days: [6], start: '10:00', end: '14:00' }] },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({
      name: 'Paris support',
      team: 'support',
      definition: { hours: [{ days: [6], start: '10:00', end: '14:00' }], holidays: [] },
    });
    const byTeam = (await call('GET', '/business-calendars?team=support')).json() as { items: { id: string }[] };
    expect(byTeam.items.map((c) => c.id)).toEqual([cal.id]);

    const taken = await call('POST', '/business-calendars', { name: 'Paris support', definition: parisOffice });
    expect(taken.statusCode).toBe(409);
    expect((taken.json() as ErrorBody).error.code).toBe('name_taken');

    expect((await call('DELETE', `/business-calendars/${cal.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/business-calendars/${cal.id}`)).statusCode).toBe(404);
  });

  it('refuses overlapping intervals, naming both', async () => {
    const res = await call('POST', '/business-calendars', {
      name: 'Overlapping',
      definition: {
        timeZone: 'UTC',
        hours: [
          { days: [1, 2], start: '09:00', end: '13:00' },
          { days: [2], start: '12:00', end: '14:00' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    expect(issuesOf(body)).toEqual([
      { path: '/definition/hours/1', message: '12:00–14:00 overlaps 09:00–13:00 on Tuesday' },
    ]);
  });

  it('refuses a holiday that is not written YYYY-MM-DD, at its field', async () => {
    const res = await call('POST', '/business-calendars', {
      name: 'Bad holiday',
      definition: { ...parisOffice, holidays: [{ date: '25/12/2026' }] },
    });
    expect(res.statusCode).toBe(400);
    const issues = issuesOf(res.json() as ErrorBody);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.path === '/definition/holidays/0/date')).toBe(true);
    expect(issues[0]?.message).toContain('2026-12-25');
  });

  it('refuses an unknown time zone and a shift that ends before it starts', async () => {
    const zone = await call('POST', '/business-calendars', {
      name: 'Mars',
      definition: { ...parisOffice, timeZone: 'Mars/Olympus_Mons' },
    });
    expect(zone.statusCode).toBe(400);
    expect(issuesOf(zone.json() as ErrorBody)).toEqual([
      { path: '/definition/timeZone', message: 'an IANA time zone such as Europe/Paris' },
    ]);
    const backwards = await call('POST', '/business-calendars', {
      name: 'Backwards',
      definition: { timeZone: 'UTC', hours: [{ days: [1], start: '17:00', end: '09:00' }] },
    });
    expect(backwards.statusCode).toBe(400);
    expect(issuesOf(backwards.json() as ErrorBody)[0]?.path).toBe('/definition/hours/0/end');
  });

  it('previews the open stretches and business minutes between two instants, in the calendar’s zone', async () => {
    const cal = (
      await call('POST', '/business-calendars', { name: 'Paris preview', definition: parisOffice })
    ).json() as { id: string };
    // Monday 23 to Thursday 26 November 2026 (UTC): Paris is UTC+1, so 09:00–17:00 is 08:00–16:00Z;
    // the two shifts touch at 12:30 and read as one stretch; Tuesday is a holiday.
    const res = await call(
      'GET',
      `/business-calendars/${cal.id}/preview?from=2026-11-23T00:00:00Z&to=2026-11-26T00:00:00Z`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      calendarId: cal.id,
      timeZone: 'Europe/Paris',
      from: '2026-11-23T00:00:00.000Z',
      to: '2026-11-26T00:00:00.000Z',
      businessMinutes: 960,
      openAtFrom: false,
      intervals: [
        { from: '2026-11-23T08:00:00.000Z', to: '2026-11-23T16:00:00.000Z', minutes: 480 },
        { from: '2026-11-25T08:00:00.000Z', to: '2026-11-25T16:00:00.000Z', minutes: 480 },
      ],
      truncated: false,
    });
    // Clipped to the range.
    const clipped = (
      await call('GET', `/business-calendars/${cal.id}/preview?from=2026-11-23T10:00:00Z&to=2026-11-23T12:00:00Z`)
    ).json() as { businessMinutes: number; openAtFrom: boolean; intervals: unknown[] };
    expect(clipped).toMatchObject({ businessMinutes: 120, openAtFrom: true, intervals: [{ minutes: 120 }] });

    const backwards = await call(
      'GET',
      `/business-calendars/${cal.id}/preview?from=2026-11-26T00:00:00Z&to=2026-11-23T00:00:00Z`,
    );
    expect(backwards.statusCode).toBe(400);
    expect((backwards.json() as ErrorBody).error.code).toBe('invalid_range');
    const tooLong = await call(
      'GET',
      `/business-calendars/${cal.id}/preview?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`,
    );
    expect(tooLong.statusCode).toBe(400);
    // Without a range: from now, for a week.
    const week = (await call('GET', `/business-calendars/${cal.id}/preview`)).json() as { from: string; to: string };
    expect(Date.parse(week.to) - Date.parse(week.from)).toBe(7 * 86_400_000);
  });
});

describe('SLA policies', () => {
  it('are created with their calendar, listed by rank, replaced and deleted; rank and enabled are mirrored', async () => {
    const cal = (
      await call('POST', '/business-calendars', { name: 'Policy hours', definition: parisOffice })
    ).json() as { id: string };
    const urgent = await call('POST', '/sla-policies', {
      name: 'Urgent',
      appliesTo: { priorities: ['urgent'] },
      firstResponse: { minutes: 15 },
      resolution: { minutes: 240, clock: 'calendar' },
      calendarId: cal.id,
      rank: 10,
    });
    expect(urgent.statusCode, urgent.body).toBe(201);
    const policy = urgent.json() as { id: string };
    expect(policy).toMatchObject({
      name: 'Urgent',
      appliesTo: { channels: [], teams: [], tags: [], priorities: ['urgent'] },
      firstResponse: { minutes: 15, clock: 'business' },
      nextResponse: null,
      resolution: { minutes: 240, clock: 'calendar' },
      warnAt: [0.75],
      calendarId: cal.id,
      escalationPolicyId: null,
      rank: 10,
      enabled: true,
    });
    const standard = (
      await call('POST', '/sla-policies', { name: 'Standard', firstResponse: { minutes: 240 }, rank: 100 })
    ).json() as { id: string };

    const list = (await call('GET', '/sla-policies')).json() as { items: { id: string }[] };
    expect(list.items.map((p) => p.id)).toEqual([policy.id, standard.id]);
    expect((await call('GET', `/sla-policies/${policy.id}`)).json()).toMatchObject({ id: policy.id, rank: 10 });

    const replaced = await call('PUT', `/sla-policies/${policy.id}`, {
      name: 'Urgent (paused)',
      firstResponse: { minutes: 20 },
      rank: 500,
      enabled: false,
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ name: 'Urgent (paused)', rank: 500, enabled: false, calendarId: null });
    const row = await database.db.slaPolicy.findUniqueOrThrow({ where: { id: policy.id } });
    expect(row).toMatchObject({ name: 'Urgent (paused)', rank: 500, enabled: false });
    expect(row.definition).toMatchObject({ firstResponse: { minutes: 20, clock: 'business' }, resolution: null });
    const reordered = (await call('GET', '/sla-policies')).json() as { items: { id: string }[] };
    expect(reordered.items.map((p) => p.id)).toEqual([standard.id, policy.id]);

    const taken = await call('POST', '/sla-policies', { name: 'Standard', firstResponse: { minutes: 5 } });
    expect(taken.statusCode).toBe(409);
    expect((taken.json() as ErrorBody).error.code).toBe('name_taken');

    for (const id of [policy.id, standard.id])
      expect((await call('DELETE', `/sla-policies/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/sla-policies/${policy.id}`)).statusCode).toBe(404);
  });

  it.each([
    ['zero', 0],
    ['negative', -30],
  ])('refuses a %s target with a clear message', async (_what, minutes) => {
    const res = await call('POST', '/sla-policies', { name: `Bad ${minutes}`, firstResponse: { minutes } });
    expect(res.statusCode).toBe(400);
    expect(issuesOf(res.json() as ErrorBody)).toContainEqual({
      path: '/firstResponse/minutes',
      message: 'a target must be at least one minute',
    });
  });

  it('refuses a policy without any target', async () => {
    const res = await call('POST', '/sla-policies', { name: 'Empty' });
    expect(res.statusCode).toBe(400);
    expect(issuesOf(res.json() as ErrorBody)[0]?.message).toContain('at least one target');
  });

  it("refuses a calendar or an escalation policy that is not the tenant's", async () => {
    const unknownCalendar = await call('POST', '/sla-policies', {
      name: 'Ghost calendar',
      firstResponse: { minutes: 30 },
      calendarId: randomUUID(),
    });
    expect(unknownCalendar.statusCode).toBe(400);
    expect((unknownCalendar.json() as ErrorBody).error.code).toBe('unknown_calendar');

    const theirs = (
      await call('POST', '/business-calendars', { name: 'B hours', definition: parisOffice }, b.token)
    ).json() as { id: string };
    const foreign = await call('POST', '/sla-policies', {
      name: 'Foreign calendar',
      firstResponse: { minutes: 30 },
      calendarId: theirs.id,
    });
    expect(foreign.statusCode).toBe(400);
    expect((foreign.json() as ErrorBody).error.code).toBe('unknown_calendar');

    const unknownLadder = await call('POST', '/sla-policies', {
      name: 'Ghost ladder',
      firstResponse: { minutes: 30 },
      escalationPolicyId: randomUUID(),
    });
    expect(unknownLadder.statusCode).toBe(400);
    expect((unknownLadder.json() as ErrorBody).error.code).toBe('unknown_escalation_policy');
    expect(await database.db.slaPolicy.count({ where: { tenantId: a.tenant.id, name: { startsWith: 'G' } } })).toBe(0);
  });
});

describe('escalation policies', () => {
  const ladder = (name: string, userId: string) => ({
    name,
    levels: [
      { targets: [{ type: 'on_call', team: 'support' }], ackTimeoutMinutes: 10 },
      {
        targets: [
          { type: 'team', team: 'leads' },
          { type: 'user', userId },
        ],
        channels: ['email'],
        ackTimeoutMinutes: 30,
      },
    ],
  });

  it('are created, read, replaced and deleted', async () => {
    const created = await call('POST', '/escalation-policies', ladder('Support ladder', memberId));
    expect(created.statusCode, created.body).toBe(201);
    const policy = created.json() as { id: string };
    expect(policy).toMatchObject({
      name: 'Support ladder',
      repeat: 0,
      levels: [
        { targets: [{ type: 'on_call', team: 'support' }], channels: ['in_app'], ackTimeoutMinutes: 10 },
        {
          targets: [
            { type: 'team', team: 'leads' },
            { type: 'user', userId: memberId },
          ],
          channels: ['email'],
        },
      ],
    });
    const list = (await call('GET', '/escalation-policies')).json() as { items: { id: string }[] };
    expect(list.items.map((p) => p.id)).toContain(policy.id);

    const replaced = await call('PUT', `/escalation-policies/${policy.id}`, {
      ...ladder('Support ladder v2', memberId),
      repeat: 2,
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect((await call('GET', `/escalation-policies/${policy.id}`)).json()).toMatchObject({
      name: 'Support ladder v2',
      repeat: 2,
    });
    const taken = await call('POST', '/escalation-policies', ladder('Support ladder v2', memberId));
    expect(taken.statusCode).toBe(409);

    expect((await call('DELETE', `/escalation-policies/${policy.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/escalation-policies/${policy.id}`)).statusCode).toBe(404);
  });

  it('refuses a user target who is not a member of the tenant, at the target', async () => {
    for (const userId of [strangerId, randomUUID()]) {
      const res = await call('POST', '/escalation-policies', ladder(`Stranger ${userId}`, userId));
      expect(res.statusCode).toBe(400);
      const body = res.json() as ErrorBody;
      expect(body.error.code).toBe('not_a_member');
      expect(body.error.message).toContain(userId);
      expect(body.error.details).toEqual([
        { path: '/levels/1/targets/1/userId', message: 'not a member of this tenant' },
      ]);
    }
  });

  it('refuses a level without targets or with a zero acknowledgement timeout', async () => {
    const res = await call('POST', '/escalation-policies', {
      name: 'Broken',
      levels: [{ targets: [], ackTimeoutMinutes: 0 }],
    });
    expect(res.statusCode).toBe(400);
    const paths = issuesOf(res.json() as ErrorBody).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/levels/0/targets', '/levels/0/ackTimeoutMinutes']));
  });
});

describe('deleting what a policy uses', () => {
  it('answers 409 in_use for a calendar or a ladder an SLA policy names, and deletes them once it no longer does', async () => {
    const cal = (
      await call('POST', '/business-calendars', { name: 'In-use hours', definition: parisOffice })
    ).json() as { id: string };
    const ladder = (
      await call('POST', '/escalation-policies', {
        name: 'In-use ladder',
        levels: [{ targets: [{ type: 'team', team: 'support' }], ackTimeoutMinutes: 15 }],
      })
    ).json() as { id: string };
    const policy = (
      await call('POST', '/sla-policies', {
        name: 'Uses both',
        firstResponse: { minutes: 60 },
        calendarId: cal.id,
        escalationPolicyId: ladder.id,
      })
    ).json() as { id: string };

    for (const url of [`/business-calendars/${cal.id}`, `/escalation-policies/${ladder.id}`]) {
      const res = await call('DELETE', url);
      expect(res.statusCode).toBe(409);
      const body = res.json() as ErrorBody;
      expect(body.error.code).toBe('in_use');
      expect(body.error.message).toContain('"Uses both"');
      expect(body.error.details).toEqual({ policies: [{ id: policy.id, name: 'Uses both' }] });
    }
    expect((await call('GET', `/business-calendars/${cal.id}`)).statusCode).toBe(200);

    expect((await call('DELETE', `/sla-policies/${policy.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/business-calendars/${cal.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/escalation-policies/${ladder.id}`)).statusCode).toBe(204);
  });
});

describe('on-call shifts', () => {
  const hour = 3_600_000;
  const at = (h: number) => new Date(Date.now() + h * hour).toISOString();

  it('are created for members, listed by team (current and upcoming unless asked), and deleted', async () => {
    const now = await call('POST', '/on-call-shifts', {
      team: 'support',
      userId: memberId,
      startsAt: at(-1),
      endsAt: at(7),
    });
    expect(now.statusCode, now.body).toBe(201);
    const current = now.json() as { id: string; startsAt: string };
    expect(current).toMatchObject({ team: 'support', userId: memberId });
    const later = (
      await call('POST', '/on-call-shifts', { team: 'support', userId: memberId, startsAt: at(7), endsAt: at(15) })
    ).json() as { id: string };
    const past = (
      await call('POST', '/on-call-shifts', { team: 'support', userId: memberId, startsAt: at(-30), endsAt: at(-22) })
    ).json() as { id: string };
    const billing = (
      await call('POST', '/on-call-shifts', { team: 'billing', userId: memberId, startsAt: at(0), endsAt: at(8) })
    ).json() as { id: string };

    const support = (await call('GET', '/on-call-shifts?team=support')).json() as { items: { id: string }[] };
    expect(support.items.map((s) => s.id)).toEqual([current.id, later.id]);
    const history = (await call('GET', `/on-call-shifts?team=support&from=${encodeURIComponent(at(-48))}`)).json() as {
      items: { id: string }[];
    };
    expect(history.items.map((s) => s.id)).toEqual([past.id, current.id, later.id]);
    const all = (await call('GET', '/on-call-shifts')).json() as { items: { id: string }[] };
    expect(all.items.map((s) => s.id)).toEqual(expect.arrayContaining([current.id, later.id, billing.id]));

    expect((await call('DELETE', `/on-call-shifts/${later.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/on-call-shifts/${later.id}`)).statusCode).toBe(404);
  });

  it('refuses a shift that ends before it starts, and one for a user who is not a member', async () => {
    // One instant for both ends: two calls of at() can fall in different milliseconds.
    const instant = at(5);
    const backwards = await call('POST', '/on-call-shifts', {
      team: 'support',
      userId: memberId,
      startsAt: instant,
      endsAt: instant,
    });
    expect(backwards.statusCode).toBe(400);
    expect(issuesOf(backwards.json() as ErrorBody)).toEqual([
      { path: '/endsAt', message: 'endsAt must be after startsAt' },
    ]);
    const stranger = await call('POST', '/on-call-shifts', {
      team: 'support',
      userId: strangerId,
      startsAt: at(1),
      endsAt: at(2),
    });
    expect(stranger.statusCode).toBe(400);
    expect((stranger.json() as ErrorBody).error.code).toBe('not_a_member');
  });
});

describe('access', () => {
  it("answers 404 for another tenant's calendar, policy, ladder and shift, and lists only one's own", async () => {
    const cal = (await call('POST', '/business-calendars', { name: 'A private', definition: parisOffice })).json() as {
      id: string;
    };
    const policy = (
      await call('POST', '/sla-policies', { name: 'A private', firstResponse: { minutes: 30 } })
    ).json() as { id: string };
    const ladder = (
      await call('POST', '/escalation-policies', {
        name: 'A private',
        levels: [{ targets: [{ type: 'team', team: 'x' }], ackTimeoutMinutes: 5 }],
      })
    ).json() as { id: string };
    const shift = (
      await call('POST', '/on-call-shifts', {
        team: 'support',
        userId: memberId,
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).json() as { id: string };

    const asB = (method: string, url: string, payload?: unknown) => call(method, url, payload, b.token);
    for (const [method, url, payload] of [
      ['GET', `/business-calendars/${cal.id}`],
      ['GET', `/business-calendars/${cal.id}/preview`],
      ['PUT', `/business-calendars/${cal.id}`, { name: 'stolen', definition: parisOffice }],
      ['DELETE', `/business-calendars/${cal.id}`],
      ['GET', `/sla-policies/${policy.id}`],
      ['PUT', `/sla-policies/${policy.id}`, { name: 'stolen', firstResponse: { minutes: 1 } }],
      ['DELETE', `/sla-policies/${policy.id}`],
      ['GET', `/escalation-policies/${ladder.id}`],
      ['DELETE', `/escalation-policies/${ladder.id}`],
      ['DELETE', `/on-call-shifts/${shift.id}`],
    ] as const) {
      const res = await asB(method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    for (const url of ['/business-calendars', '/sla-policies', '/escalation-policies', '/on-call-shifts']) {
      const items = ((await asB('GET', url)).json() as { items: { id: string }[] }).items.map((i) => i.id);
      for (const id of [cal.id, policy.id, ladder.id, shift.id]) expect(items).not.toContain(id);
    }
    expect((await call('GET', `/business-calendars/${cal.id}`)).json()).toMatchObject({ name: 'A private' });
  });

  it('lets an agent read the SLA configuration but not change it', async () => {
    const agent = await tokenFor(a.tenant.id, 'agent');
    expect((await call('GET', '/sla-policies', undefined, agent)).statusCode).toBe(200);
    expect((await call('GET', '/business-calendars', undefined, agent)).statusCode).toBe(200);
    const write = await call('POST', '/sla-policies', { name: 'Agent', firstResponse: { minutes: 5 } }, agent);
    expect(write.statusCode).toBe(403);
    const admin = await tokenFor(a.tenant.id, 'admin');
    expect(
      (await call('POST', '/sla-policies', { name: 'Admin', firstResponse: { minutes: 5 } }, admin)).statusCode,
    ).toBe(201);
  });
});
