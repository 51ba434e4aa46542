// The dashboards' period aggregates: campaigns and recipients, journey outcomes, reply intents and
// calls with cost by day. The rows the workers would write are written directly, so every number is known.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../prisma/json';
import { type ApiTestServer, auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';

let s: ApiTestServer;
let t: Awaited<ReturnType<typeof seedTenant>>;
beforeAll(async () => {
  s = await startApiTestServer();
  t = await seedTenant(s.database.db, `dashboards-${randomUUID()}`);
  const db = s.database.db;
  const tenantId = t.tenant.id;

  // Two campaigns in January (one completed, one running), one in March.
  const campaign = (status: string, launchedAt: Date | null, createdAt: Date) =>
    db.campaign.create({
      data: {
        tenantId,
        name: `c-${status}`,
        status,
        audience: toJson({ contactIds: [t.contact.id] }),
        work: toJson({ kind: 'flow', flowId: t.flow.id }),
        settings: toJson({}),
        launchedAt,
        createdAt,
      },
    });
  const done = await campaign('completed', new Date('2026-01-10T09:00:00Z'), new Date('2025-12-20T00:00:00Z'));
  const running = await campaign('running', new Date('2026-01-20T09:00:00Z'), new Date('2026-01-19T00:00:00Z'));
  await campaign('draft', null, new Date('2026-03-02T00:00:00Z'));
  const contacts = await Promise.all(
    Array.from({ length: 4 }, (_, i) => db.contact.create({ data: { tenantId, phone: `+1415555020${i}` } })),
  );
  const recipient = (campaignId: string, seq: number, status: string, outcome: string | null) =>
    db.campaignRecipient.create({
      data: { tenantId, campaignId, contactId: (contacts[seq] ?? t.contact).id, seq, status, outcome },
    });
  await recipient(done.id, 0, 'completed', 'answered');
  await recipient(done.id, 1, 'completed', 'answered');
  await recipient(done.id, 2, 'completed', 'voicemail');
  await recipient(done.id, 3, 'skipped', null);
  await recipient(running.id, 0, 'pending', null);

  // Calls: two campaign calls on 10 Jan (Twilio's negative prices), one direct call on 11 Jan, one
  // with a price that is not a number; 23:30 UTC on 11 Jan is 12 Jan in Auckland.
  const call = (startedAt: string, extra: Record<string, unknown>) =>
    db.call.create({
      data: { tenantId, direction: 'outbound', to: '+14155550123', startedAt: new Date(startedAt), ...extra },
    });
  await call('2026-01-10T09:05:00Z', {
    workflowId: `campaign-${done.id}-x-1`,
    cost: '-0.0140',
    costCurrency: 'USD',
    answeredAt: new Date('2026-01-10T09:05:10Z'),
    durationSeconds: 60,
  });
  await call('2026-01-10T09:06:00Z', { workflowId: `campaign-${done.id}-y-1`, cost: '-0.0260', costCurrency: 'USD' });
  await call('2026-01-11T23:30:00Z', {
    workflowId: 'run-direct',
    cost: '0.5',
    costCurrency: 'USD',
    durationSeconds: 30,
  });
  await call('2026-01-11T10:00:00Z', { cost: 'n/a', costCurrency: 'USD' });

  // Runs: three finished with outcomes, one failed without, one running; one in March.
  const run = (status: string, outcome: string | null, startedAt = '2026-01-15T10:00:00Z') =>
    db.run.create({
      data: {
        tenantId,
        flowId: t.flow.id,
        flowVersionId: t.flowVersion.id,
        contactId: t.contact.id,
        workflowId: `run-${randomUUID()}`,
        status,
        outcome,
        startedAt: new Date(startedAt),
        ...(status === 'running' ? {} : { finishedAt: new Date(startedAt) }),
      },
    });
  await run('completed', 'welcomed');
  await run('completed', 'welcomed');
  await run('completed', 'unreachable');
  await run('failed', null);
  await run('running', null);
  await run('completed', 'welcomed', '2026-03-05T10:00:00Z');

  // Replies: "Yes" twice, a reschedule, a stop, a question; one outbound message is not a reply.
  const channel = await db.channel.create({ data: { tenantId, kind: 'sms', provider: 'sandbox', name: 'sms' } });
  const conversation = await db.conversation.create({
    data: { tenantId, channelId: channel.id, kind: 'sms', address: '+14155550123' },
  });
  const message = (body: string, direction = 'inbound') =>
    db.message.create({
      data: {
        tenantId,
        conversationId: conversation.id,
        channelId: channel.id,
        direction,
        body,
        status: 'received',
        createdAt: new Date('2026-01-12T10:00:00Z'),
      },
    });
  for (const body of ['Yes', 'Yes', 'Can we do another time?', 'STOP', 'What are your hours?', 'Yes we are open'])
    await message(body, body === 'Yes we are open' ? 'outbound' : 'inbound');
}, 120_000);
afterAll(() => stopApiTestServer(s));

const JANUARY = 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z';
const get = async (url: string, token = t.token) => {
  const res = await s.app.inject({ method: 'GET', url: `/v1${url}`, headers: auth(token) });
  return { status: res.statusCode, body: res.json() };
};

describe('dashboard analytics', () => {
  it("counts a period's campaigns by status, their recipients by outcome and the campaign calls' cost", async () => {
    const { status, body } = await get(`/analytics/campaigns?${JANUARY}`);
    expect(status).toBe(200);
    expect(body.campaigns).toEqual({
      total: 2,
      byStatus: { draft: 0, scheduled: 0, running: 1, paused: 0, cancelling: 0, completed: 1, cancelled: 0 },
    });
    expect(body.recipients).toMatchObject({
      total: 5,
      byStatus: { completed: 3, skipped: 1, pending: 1, failed: 0 },
      byOutcome: [
        { outcome: 'answered', count: 2 },
        { outcome: 'voicemail', count: 1 },
      ],
    });
    // Magnitudes of the debits; the direct call is not a campaign's.
    expect(body.cost).toHaveLength(1);
    expect(body.cost[0]).toMatchObject({ currency: 'USD', calls: 2 });
    expect(body.cost[0].amount).toBeCloseTo(0.04, 6);
    // March holds only the draft, counted by when it was created.
    const march = await get('/analytics/campaigns?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z');
    expect(march.body.campaigns.byStatus).toMatchObject({ draft: 1, completed: 0 });
  });

  it('reads journey outcomes of the runs started in the period, running ones apart', async () => {
    const { body } = await get(`/analytics/outcomes?${JANUARY}`);
    expect(body.runs).toEqual({ total: 5, byStatus: { completed: 3, failed: 1, running: 1 } });
    expect(body.outcomes).toEqual([
      { outcome: 'welcomed', count: 2 },
      { outcome: 'unreachable', count: 1 },
      { outcome: null, count: 1 },
    ]);
    const other = await get(`/analytics/outcomes?${JANUARY}&flowId=${randomUUID()}`);
    expect(other.body.runs.total).toBe(0);
  });

  it("classifies customers' replies as the wait-for-reply node does", async () => {
    const { body } = await get(`/analytics/intents?${JANUARY}`);
    expect(body).toMatchObject({
      replies: 5,
      byIntent: { yes: 2, reschedule: 1, stop: 1, question: 1, no: 0, other: 0 },
      sampled: false,
    });
  });

  it('draws calls and cost by day on the chosen calendar, every day present', async () => {
    const utc = await get('/analytics/calls?from=2026-01-09T00:00:00Z&to=2026-01-13T00:00:00Z');
    expect(utc.status).toBe(200);
    expect(utc.body.currencies).toEqual(['USD']);
    expect(utc.body.days.map((d: { day: string }) => d.day)).toEqual([
      '2026-01-09',
      '2026-01-10',
      '2026-01-11',
      '2026-01-12',
    ]);
    const [, tenth, eleventh, twelfth] = utc.body.days;
    expect(tenth).toMatchObject({ calls: 2, answered: 1, durationSeconds: 60 });
    expect(tenth.cost.USD).toBeCloseTo(0.04, 6);
    // The unpriced call counts as a call, not as a cost.
    expect(eleventh).toMatchObject({ calls: 2, durationSeconds: 30, cost: { USD: 0.5 } });
    expect(twelfth).toMatchObject({ calls: 0, cost: {} });

    const auckland = await get(
      '/analytics/calls?from=2026-01-09T00:00:00Z&to=2026-01-13T00:00:00Z&timeZone=Pacific/Auckland',
    );
    const inAuckland = Object.fromEntries(
      auckland.body.days.map((d: { day: string; calls: number }) => [d.day, d.calls]),
    );
    expect(inAuckland).toMatchObject({ '2026-01-10': 2, '2026-01-11': 1, '2026-01-12': 1 });
  });

  it('refuses a backwards range, a series too long and an unknown zone; another tenant sees nothing', async () => {
    const backwards = await get('/analytics/outcomes?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(backwards).toMatchObject({ status: 400, body: { error: { code: 'invalid_range' } } });
    const long = await get('/analytics/calls?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(long).toMatchObject({ status: 400, body: { error: { code: 'range_too_long' } } });
    const zone = await get('/analytics/calls?timeZone=Mars/Base');
    expect(zone.status).toBe(400);
    const other = await seedTenant(s.database.db, `dashboards-other-${randomUUID()}`);
    expect((await get(`/analytics/campaigns?${JANUARY}`, other.token)).body.campaigns.total).toBe(0);
    expect((await get(`/analytics/intents?${JANUARY}`, other.token)).body.replies).toBe(0);
    expect((await get(`/analytics/outcomes?${JANUARY}`, other.token)).body.runs.total).toBe(0);
  });
});
