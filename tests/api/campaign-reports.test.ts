import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../api/api-keys';
import { CampaignSettingsSchema } from '../../flow';
import type { Campaign } from '../../generated/prisma/client';
import { toJson } from '../../prisma/json';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

// The campaign reports read what the dispatcher and the journeys wrote: here those rows are
// written directly, so every number below is known.
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let base = '';
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;
let campaign: Campaign;
let otherTenantCampaign: Campaign;
/** Recipient ids by seq, and the run of each recipient's latest attempt. */
const recipientIds: string[] = [];
const latestRun = new Map<number, string>();
const recentTouches: Date[] = [];

const LAUNCHED_AT = new Date('2026-01-10T09:00:00.000Z');
const journeyId = (campaignId: string, recipientId: string, attempt: number) =>
  `campaign-${campaignId}-${recipientId}-${attempt}`;

async function createCampaign(tenant: typeof a, data: Partial<Campaign> = {}) {
  return database.db.campaign.create({
    data: {
      tenantId: tenant.tenant.id,
      name: data.name ?? 'Renewals',
      status: data.status ?? 'draft',
      audience: toJson({ contactIds: [tenant.contact.id] }),
      work: toJson({ kind: 'flow', flowId: tenant.flow.id }),
      settings: toJson(CampaignSettingsSchema.parse({})),
      flowVersionId: tenant.flowVersion.id,
      totalRecipients: data.totalRecipients ?? 0,
      launchedAt: data.launchedAt ?? null,
      finishedAt: data.finishedAt ?? null,
      workflowId: data.status && data.status !== 'draft' ? `campaign-${randomUUID()}` : null,
    },
  });
}

interface RecipientSpec {
  contactId: string;
  status: string;
  reason?: string;
  detail?: string;
  outcome?: string;
  nextAttemptAt?: Date;
  /** When each attempt started; the last one is the recipient's current run. */
  touches?: Date[];
  runStatus?: string;
  finishedAt?: Date;
}

/** A recipient with its runs and touches, as the dispatcher and journeys leave them. */
async function addRecipient(c: Campaign, seq: number, spec: RecipientSpec) {
  const id = randomUUID();
  const touches = spec.touches ?? [];
  const runs = touches.map((at, i) => ({
    id: randomUUID(),
    tenantId: c.tenantId,
    flowId: a.flow.id,
    flowVersionId: a.flowVersion.id,
    contactId: a.contact.id,
    workflowId: journeyId(c.id, id, i + 1),
    status: i === touches.length - 1 ? (spec.runStatus ?? 'completed') : 'completed',
    outcome: i === touches.length - 1 ? (spec.outcome ?? null) : 'no-answer',
    startedAt: at,
    finishedAt: i === touches.length - 1 && spec.runStatus === 'running' ? null : new Date(at.getTime() + 60_000),
  }));
  if (runs.length) await database.db.run.createMany({ data: runs });
  const last = runs[runs.length - 1];
  await database.db.campaignRecipient.create({
    data: {
      id,
      tenantId: c.tenantId,
      campaignId: c.id,
      contactId: spec.contactId,
      seq,
      status: spec.status,
      reason: spec.reason ?? null,
      detail: spec.detail ?? null,
      attempts: touches.length,
      outcome: spec.outcome ?? null,
      nextAttemptAt: spec.nextAttemptAt ?? null,
      runId: last?.id ?? null,
      workflowId: last?.workflowId ?? null,
      startedAt: touches[touches.length - 1] ?? null,
      finishedAt: spec.finishedAt ?? null,
    },
  });
  if (touches.length)
    await database.db.campaignTouch.createMany({
      data: touches.map((at, i) => ({
        tenantId: c.tenantId,
        contactId: spec.contactId,
        campaignId: c.id,
        recipientId: id,
        attempt: i + 1,
        at,
      })),
    });
  return { id, runs };
}

async function contact(firstName: string | null, lastName: string | null, phone: string, email: string | null) {
  return (await database.db.contact.create({ data: { tenantId: a.tenant.id, firstName, lastName, phone, email } })).id;
}

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, 'campaign-reports-a');
  b = await seedTenant(database.db, 'campaign-reports-b', { phone: '+14155550999' });
  campaign = await createCampaign(a, { status: 'running', launchedAt: LAUNCHED_AT, totalRecipients: 9 });
  otherTenantCampaign = await createCampaign(b, { status: 'running', launchedAt: LAUNCHED_AT, totalRecipients: 1 });

  const now = Date.now();
  recentTouches.push(new Date(now - 60_000), new Date(now - 120_000));
  const ada = await contact('Ada', 'Lovelace', '+14155550101', 'ada@example.com');
  const specs: RecipientSpec[] = [
    {
      contactId: a.contact.id,
      status: 'completed',
      outcome: 'answered',
      touches: [new Date('2026-01-10T09:15:00.000Z')],
      finishedAt: new Date('2026-01-10T09:16:00.000Z'),
    },
    {
      contactId: ada,
      status: 'completed',
      outcome: 'voicemail',
      touches: [new Date('2026-01-10T09:40:00.000Z'), new Date('2026-01-10T13:05:00.000Z')],
      finishedAt: new Date('2026-01-10T13:06:00.000Z'),
    },
    {
      contactId: await contact('Bob', null, '+14155550102', null),
      status: 'skipped',
      reason: 'dnc',
      detail: 'the contact is on the do-not-contact list',
      finishedAt: LAUNCHED_AT,
    },
    {
      contactId: await contact('=HYPERLINK("x")', null, '+14155550103', '=cmd@example.com'),
      status: 'skipped',
      reason: 'no_consent',
      detail: 'no marketing consent for sms',
      finishedAt: LAUNCHED_AT,
    },
    {
      contactId: await contact('Di', 'Deferred', '+14155550104', null),
      status: 'deferred',
      reason: 'outside_window',
      detail: 'outside the calling window',
      nextAttemptAt: new Date(now + 3_600_000),
    },
    {
      contactId: await contact('Ed', 'Running', '+14155550105', null),
      status: 'running',
      runStatus: 'running',
      touches: [recentTouches[0] as Date],
    },
    { contactId: await contact('Flo', 'Pending', '+14155550106', null), status: 'pending' },
    {
      // Waiting to retry: it has an outcome, but its journey is not over.
      contactId: await contact('Gus', 'Retry', '+14155550107', null),
      status: 'deferred',
      outcome: 'no-answer',
      nextAttemptAt: new Date(now + 3_600_000),
      touches: [recentTouches[1] as Date],
    },
    {
      contactId: await contact('Hal', 'Failed', '+14155550108', null),
      status: 'failed',
      reason: 'journey_failed',
      detail: 'the journey failed',
      runStatus: 'failed',
      touches: [new Date('2026-01-10T13:20:00.000Z')],
      finishedAt: new Date('2026-01-10T13:21:00.000Z'),
    },
  ];
  for (const [seq, spec] of specs.entries()) {
    const r = await addRecipient(campaign, seq, spec);
    recipientIds.push(r.id);
    const last = r.runs[r.runs.length - 1];
    if (last) latestRun.set(seq, last.id);
  }
  const wf = (seq: number, attempt: number) => journeyId(campaign.id, recipientIds[seq] as string, attempt);
  const call = (tenantId: string, workflowId: string | null, cost: string | null, costCurrency: string | null) => ({
    tenantId,
    direction: 'outbound',
    to: '+14155550101',
    status: 'completed',
    workflowId,
    cost,
    costCurrency,
  });
  await database.db.call.createMany({
    data: [
      // Both attempts of the second recipient count, not only the latest.
      call(a.tenant.id, wf(1, 1), '0.0140', 'USD'),
      call(a.tenant.id, wf(1, 2), '0.0260', 'USD'),
      call(a.tenant.id, wf(0, 1), '0.0100', 'EUR'),
      // Not priced yet.
      call(a.tenant.id, wf(5, 1), null, null),
      // Not this campaign's.
      call(a.tenant.id, `run-${randomUUID()}`, '9.0000', 'USD'),
      call(a.tenant.id, null, '9.0000', 'USD'),
      // Another tenant's, whatever its workflow id says.
      call(b.tenant.id, wf(0, 1), '7.0000', 'USD'),
    ],
  });
  // Another tenant's recipient must not leak into A's numbers.
  await database.db.campaignRecipient.create({
    data: {
      tenantId: b.tenant.id,
      campaignId: otherTenantCampaign.id,
      contactId: b.contact.id,
      seq: 0,
      status: 'completed',
      attempts: 1,
      outcome: 'answered',
    },
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => stopApiTestServer({ app, env, database }));

const get = (url: string, token = a.token) => app.inject({ url: `/v1${url}`, headers: auth(token) });

describe('campaign stats', () => {
  it('counts recipients by status, outcome, reason and hour, with the funnel, attempts, cost, rate and ETA', async () => {
    const res = await get(`/campaigns/${campaign.id}/stats`);
    expect(res.statusCode).toBe(200);
    const stats = res.json();
    const recentHours = new Map<string, number>();
    for (const at of recentTouches) {
      const hour = `${at.toISOString().slice(0, 13)}:00:00.000Z`;
      recentHours.set(hour, (recentHours.get(hour) ?? 0) + 1);
    }
    expect(stats).toMatchObject({
      campaignId: campaign.id,
      status: 'running',
      recipients: 9,
      totals: {
        pending: 1,
        deferred: 2,
        starting: 0,
        running: 1,
        completed: 2,
        failed: 1,
        skipped: 2,
        cancelled: 0,
      },
      started: 5,
      open: 3,
      byOutcome: { answered: 1, voicemail: 1, 'no-answer': 1 },
      byReason: [
        { status: 'deferred', reason: 'outside_window', count: 1 },
        { status: 'failed', reason: 'journey_failed', count: 1 },
        { status: 'skipped', reason: 'dnc', count: 1 },
        { status: 'skipped', reason: 'no_consent', count: 1 },
      ],
      byHour: [
        { hour: '2026-01-10T09:00:00.000Z', started: 2 },
        { hour: '2026-01-10T13:00:00.000Z', started: 2 },
        ...[...recentHours].map(([hour, started]) => ({ hour, started })),
      ],
      funnel: { audience: 9, started: 5, finished: 3, outcomes: { answered: 1, voicemail: 1 } },
      attempts: 6,
      cost: [
        { currency: 'EUR', amount: '0.0100', calls: 1 },
        { currency: 'USD', amount: '0.0400', calls: 2 },
      ],
      rate: { windowMinutes: 5, started: 2, perMinute: 0.4 },
      // 3 open recipients at 0.4 starts a minute.
      eta: { seconds: 450 },
    });
    expect(Object.keys(stats.byOutcome)).toHaveLength(3);
    const etaAt = Date.parse(stats.eta.at);
    expect(Math.abs(etaAt - (Date.parse(stats.generatedAt) + 450_000))).toBeLessThan(1000);
  });

  it('answers zeros and no ETA for a draft, and the single call cost in one currency', async () => {
    const draft = await createCampaign(a);
    const res = await get(`/campaigns/${draft.id}/stats`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'draft',
      recipients: 0,
      started: 0,
      open: 0,
      byOutcome: {},
      byReason: [],
      byHour: [],
      funnel: { audience: 0, started: 0, finished: 0, outcomes: {} },
      attempts: 0,
      cost: [],
      rate: { started: 0, perMinute: 0 },
      eta: null,
    });

    const single = await createCampaign(a, { status: 'completed', launchedAt: new Date(Date.now() - 600_000) });
    const r = await addRecipient(single, 0, {
      contactId: a.contact.id,
      status: 'completed',
      outcome: 'answered',
      touches: [new Date(Date.now() - 500_000)],
    });
    await database.db.call.create({
      data: {
        tenantId: a.tenant.id,
        direction: 'outbound',
        to: '+14155550123',
        status: 'completed',
        workflowId: r.runs[0]?.workflowId as string,
        cost: '0.0140',
        costCurrency: 'USD',
      },
    });
    const stats = (await get(`/campaigns/${single.id}/stats`)).json();
    expect(stats.cost).toEqual([{ currency: 'USD', amount: '0.0140', calls: 1 }]);
    expect(stats.funnel).toEqual({ audience: 1, started: 1, finished: 1, outcomes: { answered: 1 } });
    // Not running: no ETA.
    expect(stats.eta).toBeNull();
  });
});

describe('campaign recipients', () => {
  it('pages through the recipients in snapshot order with the journey of each', async () => {
    const seen: { seq: number }[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const res = await get(
        `/campaigns/${campaign.id}/recipients?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { seq: number }[]; nextCursor: string | null };
      pages.push(body.items.length);
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([4, 4, 1]);
    expect(seen.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);

    const ada = seen[1];
    expect(ada).toEqual({
      id: recipientIds[1],
      contactId: expect.any(String),
      contact: { name: 'Ada Lovelace', phone: '+14155550101', email: 'ada@example.com' },
      seq: 1,
      status: 'completed',
      reason: null,
      detail: null,
      attempts: 2,
      outcome: 'voicemail',
      nextAttemptAt: null,
      runId: latestRun.get(1),
      workflowId: journeyId(campaign.id, recipientIds[1] as string, 2),
      run: {
        status: 'completed',
        outcome: 'voicemail',
        startedAt: '2026-01-10T13:05:00.000Z',
        finishedAt: '2026-01-10T13:06:00.000Z',
      },
      startedAt: '2026-01-10T13:05:00.000Z',
      finishedAt: '2026-01-10T13:06:00.000Z',
    });
    expect(seen[6]).toMatchObject({ status: 'pending', attempts: 0, runId: null, run: null, startedAt: null });
    expect(seen[5]).toMatchObject({ status: 'running', run: { status: 'running', finishedAt: null } });
  });

  it('filters by status, reason and outcome', async () => {
    const seqs = async (query: string) => {
      const res = await get(`/campaigns/${campaign.id}/recipients?${query}`);
      expect(res.statusCode).toBe(200);
      return (res.json() as { items: { seq: number }[] }).items.map((r) => r.seq);
    };
    expect(await seqs('status=skipped')).toEqual([2, 3]);
    expect(await seqs('reason=dnc')).toEqual([2]);
    expect(await seqs('status=deferred')).toEqual([4, 7]);
    expect(await seqs('status=deferred&reason=outside_window')).toEqual([4]);
    expect(await seqs('outcome=no-answer')).toEqual([7]);
    expect(await seqs('status=cancelled')).toEqual([]);
    const skipped = (await get(`/campaigns/${campaign.id}/recipients?reason=dnc`)).json().items[0];
    expect(skipped).toMatchObject({
      status: 'skipped',
      reason: 'dnc',
      detail: 'the contact is on the do-not-contact list',
      contact: { name: 'Bob', phone: '+14155550102', email: null },
    });
  });

  it('refuses unknown filters and cursors it never gave', async () => {
    expect((await get(`/campaigns/${campaign.id}/recipients?status=bogus`)).statusCode).toBe(400);
    expect((await get(`/campaigns/${campaign.id}/recipients?reason=bogus`)).statusCode).toBe(400);
    const bad = await get(`/campaigns/${campaign.id}/recipients?cursor=not-a-cursor`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_cursor');
  });
});

describe('campaign results export', () => {
  it('streams every recipient as CSV, with formula-looking cells defused, and audits the download', async () => {
    const res = await get(`/campaigns/${campaign.id}/results.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="campaign-${campaign.id}-results-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(9);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'contactId',
      'name',
      'phone',
      'email',
      'status',
      'reason',
      'detail',
      'attempts',
      'outcome',
      'startedAt',
      'finishedAt',
    ]);
    expect(rows[0]).toEqual({
      contactId: a.contact.id,
      name: 'Grace',
      phone: '+14155550123',
      email: 'grace@example.com',
      status: 'completed',
      reason: '',
      detail: '',
      attempts: '1',
      outcome: 'answered',
      startedAt: '2026-01-10T09:15:00.000Z',
      finishedAt: '2026-01-10T09:16:00.000Z',
    });
    expect(rows[2]).toMatchObject({
      name: 'Bob',
      status: 'skipped',
      reason: 'dnc',
      detail: 'the contact is on the do-not-contact list',
      attempts: '0',
      startedAt: '',
    });
    expect(rows[3]).toMatchObject({ name: `'=HYPERLINK("x")`, email: `'=cmd@example.com`, reason: 'no_consent' });
    expect(rows.map((r) => r.status)).toEqual([
      'completed',
      'completed',
      'skipped',
      'skipped',
      'deferred',
      'running',
      'pending',
      'deferred',
      'failed',
    ]);
    const audit = await database.db.auditLog.findMany({
      where: { tenantId: a.tenant.id, action: 'campaign.exported', targetId: campaign.id },
    });
    expect(audit).toHaveLength(1);
  });

  it('pages through a large campaign without losing or repeating a recipient', async () => {
    const big = await createCampaign(a, { status: 'running', launchedAt: LAUNCHED_AT });
    const count = 2_345;
    await database.db.campaignRecipient.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        tenantId: a.tenant.id,
        campaignId: big.id,
        // Contacts no longer there: the row is still exported, with empty contact cells.
        contactId: randomUUID(),
        seq: i * 2,
        status: i % 3 === 0 ? 'completed' : 'pending',
      })),
    });
    const res = await get(`/campaigns/${big.id}/results.csv`);
    expect(res.statusCode).toBe(200);
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((r) => r.contactId)).size).toBe(count);
    expect(rows.filter((r) => r.status === 'completed')).toHaveLength(Math.ceil(count / 3));
    expect(rows[0]).toMatchObject({ name: '', phone: '', email: '' });
  });
});

/** Reads a Server-Sent Events stream until `enough` says so or it ends. */
async function readStream(url: string, enough: (events: { event: string; data: unknown }[]) => boolean) {
  const controller = new AbortController();
  const res = await fetch(`${base}/v1${url}`, { headers: auth(a.token), signal: controller.signal });
  const events: { event: string; data: unknown }[] = [];
  let text = '';
  let ended = false;
  if (res.status === 200) {
    const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const decoder = new TextDecoder();
    let buffer = '';
    const timeout = setTimeout(() => controller.abort(), 20_000);
    try {
      while (!enough(events)) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        const chunk = decoder.decode(value, { stream: true });
        text += chunk;
        buffer += chunk;
        let split = buffer.indexOf('\n\n');
        while (split >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          split = buffer.indexOf('\n\n');
        }
      }
    } finally {
      clearTimeout(timeout);
      controller.abort();
    }
  }
  return { res, events, text, ended };
}

describe('campaign live progress', () => {
  it('sends the progress at once, over a held-open Server-Sent Events stream', async () => {
    const { res, events, text, ended } = await readStream(`/campaigns/${campaign.id}/stream`, (e) => e.length >= 1);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(text).toMatch(/^retry: \d+\n/);
    expect(ended).toBe(false);
    expect(events[0]).toMatchObject({
      event: 'progress',
      data: {
        campaignId: campaign.id,
        status: 'running',
        recipients: 9,
        totals: { pending: 1, deferred: 2, running: 1, completed: 2, failed: 1, skipped: 2, cancelled: 0 },
        started: 5,
        open: 3,
      },
    });
  });

  it('follows the campaign every second and ends with `finished` once it is cancelled', async () => {
    const live = await createCampaign(a, { status: 'running', launchedAt: LAUNCHED_AT });
    const r = await addRecipient(live, 0, { contactId: a.contact.id, status: 'pending' });
    let changed = false;
    const { events, ended } = await readStream(`/campaigns/${live.id}/stream`, (e) => {
      const last = e[e.length - 1];
      if (last && !changed) {
        changed = true;
        // Once the first progress is in: the recipient starts, then the campaign is cancelled.
        void (async () => {
          await database.db.campaignRecipient.update({ where: { id: r.id }, data: { status: 'running', attempts: 1 } });
          await new Promise((done) => setTimeout(done, 1500));
          await database.db.campaign.update({
            where: { id: live.id },
            data: { status: 'cancelled', finishedAt: new Date('2026-01-11T00:00:00.000Z') },
          });
        })();
      }
      return false; // read to the end
    });
    expect(ended).toBe(true);
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as Record<string, unknown>);
    expect(progress[0]).toMatchObject({ status: 'running', started: 0, open: 1, totals: { pending: 1 } });
    expect(progress.some((p) => p.started === 1 && (p.totals as { running: number }).running === 1)).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ status: 'cancelled' });
    expect(events[events.length - 1]).toEqual({
      event: 'finished',
      data: { campaignId: live.id, status: 'cancelled', finishedAt: '2026-01-11T00:00:00.000Z' },
    });
  });

  it('ends at once, after one progress and `finished`, for a campaign already over', async () => {
    const done = await createCampaign(a, {
      status: 'completed',
      launchedAt: LAUNCHED_AT,
      finishedAt: new Date('2026-01-10T18:00:00.000Z'),
    });
    const { events, ended } = await readStream(`/campaigns/${done.id}/stream`, () => false);
    expect(ended).toBe(true);
    expect(events.map((e) => e.event)).toEqual(['progress', 'finished']);
    expect(events[1]?.data).toEqual({
      campaignId: done.id,
      status: 'completed',
      finishedAt: '2026-01-10T18:00:00.000Z',
    });
  });
});

describe('campaign reports and access', () => {
  it("answers 404 for another tenant's campaign, on every report", async () => {
    for (const path of ['stats', 'recipients', 'results.csv', 'stream']) {
      const res = await get(`/campaigns/${otherTenantCampaign.id}/${path}`);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      expect(res.body).not.toContain(otherTenantCampaign.id);
    }
    const missing = await get(`/campaigns/${randomUUID()}/stats`);
    expect(missing.statusCode).toBe(404);
    // The other tenant reads its own.
    const own = await get(`/campaigns/${otherTenantCampaign.id}/stats`, b.token);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ recipients: 1, totals: { completed: 1 }, byOutcome: { answered: 1 } });
    // No audit entry for a refused export.
    expect(
      await database.db.auditLog.count({ where: { action: 'campaign.exported', targetId: otherTenantCampaign.id } }),
    ).toBe(0);
  });

  it('answers 403 to a key without campaigns.read', async () => {
    const key = generateApiKey();
    await database.db.apiKey.create({
      data: { tenantId: a.tenant.id, name: 'flows only', prefix: key.prefix, hash: key.hash, scopes: ['flows.read'] },
    });
    for (const path of ['stats', 'recipients', 'results.csv', 'stream']) {
      const res = await get(`/campaigns/${campaign.id}/${path}`, key.token);
      expect(res.statusCode, path).toBe(403);
    }
  });
});
