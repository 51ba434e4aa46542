// SLA analytics over recorded clock events: compliance by policy / team / agent / channel,
// percentiles (PostgreSQL's percentile_cont: linear between ranks), a heatmap on a zone's clock,
// the breaches with reasons as JSON and CSV, and bad ranges refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../prisma/json';
import { type ApiTestServer, auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';

let s: ApiTestServer;
beforeAll(async () => {
  s = await startApiTestServer();
});
afterAll(() => stopApiTestServer(s));

/** percentile_cont over sorted values, as PostgreSQL computes it. */
function percentile(sorted: number[], p: number): number {
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

describe('SLA analytics', () => {
  it('reports compliance, p50/p95/p99, a heatmap and the breaches', async () => {
    const db = s.database.db;
    const { tenant, token, contact } = await seedTenant(db, `analytics-${randomUUID()}`);
    const channel = await db.channel.create({
      data: { tenantId: tenant.id, kind: 'sms', provider: 'sandbox', name: 'sms' },
    });
    const user = await db.user.create({
      data: { email: `agent-${randomUUID()}@a.test`, name: 'Ada', passwordHash: 'x' },
    });
    await db.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: 'agent', teams: ['billing'] } });
    const policy = await db.slaPolicy.create({
      data: {
        tenantId: tenant.id,
        name: 'Standard',
        definition: toJson({ name: 'Standard', firstResponse: { minutes: 30, clock: 'business' }, resolution: null }),
      },
    });
    const conversation = await db.conversation.create({
      data: {
        tenantId: tenant.id,
        channelId: channel.id,
        kind: 'sms',
        address: contact.phone ?? '+1',
        team: 'billing',
      },
    });
    // 40 first responses in a skewed spread (seconds), 10 of them late after a breach, 3 breaches
    // still unanswered — all on Mondays at 14:xx UTC (09:xx in New York in January).
    const base = Date.parse('2026-01-05T14:00:00Z');
    const elapsed = Array.from({ length: 40 }, (_, i) => (i < 30 ? 60 + i * 20 : 1_800 + (i - 30) * 600));
    let k = 0;
    const record = (kind: string, at: number, extra: Record<string, unknown> = {}) =>
      db.slaRecord.create({
        data: {
          tenantId: tenant.id,
          conversationId: conversation.id,
          policyId: policy.id,
          idempotencyKey: `t-${randomUUID()}-${k++}`,
          metric: 'first_response',
          kind,
          at: new Date(at),
          dueAt: new Date(at),
          team: 'billing',
          assigneeId: user.id,
          channel: 'sms',
          ...extra,
        },
      });
    for (const [i, e] of elapsed.entries()) {
      const late = i >= 30;
      if (late) await record('breach', base + i * 60_000);
      await record('met', base + i * 60_000 + 1, { late, elapsedSeconds: e });
    }
    for (let i = 0; i < 3; i++) await record('breach', base + (50 + i) * 60_000);

    const q = 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z';
    const res = await s.app.inject({
      method: 'GET',
      url: `/v1/analytics/sla?${q}&groupBy=team&timeZone=America/New_York`,
      headers: auth(token),
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    const sorted = [...elapsed].sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    expect(report.overall).toMatchObject({
      onTime: 30,
      breaches: 13,
      compliance: round((30 / 43) * 100),
      times: {
        first_response: {
          count: 40,
          p50: round(percentile(sorted, 0.5)),
          p95: round(percentile(sorted, 0.95)),
          p99: round(percentile(sorted, 0.99)),
        },
        resolution: { count: 0, p50: null },
      },
    });
    // Not an average: the mean is far above the median here.
    const mean = elapsed.reduce((a, b) => a + b, 0) / elapsed.length;
    expect(report.overall.times.first_response.p50).toBeLessThan(mean);
    expect(report.groups).toEqual([
      expect.objectContaining({ key: 'billing', label: 'billing', onTime: 30, late: 10, breachedOpen: 3 }),
    ]);
    // Monday 09:xx in New York.
    expect(report.heatmap.timeZone).toBe('America/New_York');
    expect(report.heatmap.cells).toEqual([{ weekday: 1, hour: 9, breaches: 13, met: 40 }]);

    const byAgent = (
      await s.app.inject({ method: 'GET', url: `/v1/analytics/sla?${q}&groupBy=agent`, headers: auth(token) })
    ).json();
    expect(byAgent.groups[0]).toMatchObject({ key: user.id, label: 'Ada' });
    const byPolicy = (
      await s.app.inject({ method: 'GET', url: `/v1/analytics/sla?${q}&groupBy=policy`, headers: auth(token) })
    ).json();
    expect(byPolicy.groups[0]).toMatchObject({ key: policy.id, label: 'Standard' });

    const breaches = (
      await s.app.inject({ method: 'GET', url: `/v1/analytics/sla/breaches?${q}`, headers: auth(token) })
    ).json();
    expect(breaches.items).toHaveLength(13);
    expect(breaches.items[0]).toMatchObject({
      metric: 'first_response',
      policy: 'Standard',
      metLateAt: null,
      reason: 'no first reply within 30 business minutes (team billing)',
    });
    expect(breaches.items.filter((b: { metLateAt: string | null }) => b.metLateAt !== null)).toHaveLength(10);

    const csv = await s.app.inject({ method: 'GET', url: `/v1/analytics/sla/breaches.csv?${q}`, headers: auth(token) });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split(/\r?\n/);
    expect(lines[0]).toBe('id,conversationId,policy,metric,dueAt,at,team,assigneeId,channel,metLateAt,reason');
    expect(lines).toHaveLength(14);

    // Another tenant sees none of it; a backwards range and an unknown zone are 400s.
    const other = await seedTenant(db, `analytics-other-${randomUUID()}`);
    const theirs = (
      await s.app.inject({ method: 'GET', url: `/v1/analytics/sla?${q}`, headers: auth(other.token) })
    ).json();
    expect(theirs.overall).toMatchObject({ onTime: 0, breaches: 0, compliance: null });
    const backwards = await s.app.inject({
      method: 'GET',
      url: '/v1/analytics/sla?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      headers: auth(token),
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.code).toBe('invalid_range');
    const zone = await s.app.inject({
      method: 'GET',
      url: '/v1/analytics/sla?timeZone=Mars/Base',
      headers: auth(token),
    });
    expect(zone.statusCode).toBe(400);
  });
});
