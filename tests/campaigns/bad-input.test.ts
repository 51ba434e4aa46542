// Campaigns refused through the API (real PostgreSQL, a Temporal dev server): an unpublished flow,
// an empty audience, a window that never opens, a pace of zero, a CSV audience of bad numbers, a
// second launch, an edit after launch, Temporal failing mid-launch. Every refusal answers the error
// shape `{ error: { code, message } }`, and after every refused launch nothing is half-launched:
// the campaign is still a draft, with no recipients and no `campaign-<id>` workflow.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { campaignWorkflowId } from '../../workflows/campaign';
import {
  auth,
  startApiTestServer,
  stopApiTestServer,
  TASK_QUEUE,
  TEST_ENCRYPTION_KEY,
  TEST_JWT_SECRET,
} from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { campaignAction, createCampaign } from './helpers';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let t: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  t = await seedTenant(database.db, 'campaign-bad-input');
});
afterAll(() => stopApiTestServer({ app, env, database }));

type Res = { statusCode: number; body: string; json(): unknown };

function expectError(res: Res, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  return res.json() as { error: { code: string; message: string; details?: unknown } };
}

const post = (url: string, payload?: object, target = app) =>
  target.inject({ method: 'POST', url, headers: auth(t.token), ...(payload ? { payload } : {}) });

/** A draft whose launch should go through on everything but what the test breaks. */
const draft = (overrides: Record<string, unknown> = {}) =>
  createCampaign(app, t.token, {
    name: 'Renewals',
    audience: { contactIds: [t.contact.id] },
    work: { kind: 'flow', flowId: t.flow.id },
    ...overrides,
  });

/** Nothing half-launched: a draft as it was, no recipients, no workflow. */
async function expectUntouchedDraft(id: string) {
  const campaign = await database.db.campaign.findUniqueOrThrow({ where: { id } });
  expect(campaign).toMatchObject({
    status: 'draft',
    workflowId: null,
    flowVersionId: null,
    totalRecipients: 0,
    launchedAt: null,
  });
  expect(await database.db.campaignRecipient.count({ where: { campaignId: id } })).toBe(0);
  expect(await database.db.campaignTouch.count({ where: { campaignId: id } })).toBe(0);
  await expect(env.client.workflow.getHandle(campaignWorkflowId(id)).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
  const got = await app.inject({ url: `/v1/campaigns/${id}`, headers: auth(t.token) });
  expect(got.json()).toMatchObject({ status: 'draft', totalRecipients: 0, recipients: {} });
}

function multipart(filename: string, content: string) {
  const boundary = `----switchboard${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

interface Job {
  id: string;
  status: string;
  processedRows: number;
  createdRows: number;
  errorRows: number;
}

/** Uploads a CSV, starts the import with the suggested mapping and waits for it to finish. */
async function importCsv(filename: string, content: string): Promise<Job> {
  const { payload, headers } = multipart(filename, content);
  const up = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    payload,
    headers: { ...headers, ...auth(t.token) },
  });
  expect(up.statusCode, up.body).toBe(201);
  const { id, suggestedMapping } = up.json() as { id: string; suggestedMapping: Record<string, string> };
  const started = await post(`/v1/imports/${id}/start`, { mapping: suggestedMapping });
  expect(started.statusCode, started.body).toBe(202);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await app.inject({ url: `/v1/imports/${id}`, headers: auth(t.token) })).json() as Job;
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('refused launches leave a draft', () => {
  it('a flow never published: 422 flow_not_published', async () => {
    const created = await post('/v1/flows', { name: 'Never published' });
    expect(created.statusCode, created.body).toBe(201);
    const id = await draft({ work: { kind: 'flow', flowId: (created.json() as { id: string }).id } });
    const body = expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'flow_not_published');
    expect(body.error.message).toMatch(/never been published/);
    await expectUntouchedDraft(id);
  });

  it('a published flow without the version asked for: 422 flow_not_published', async () => {
    const id = await draft({ work: { kind: 'flow', flowId: t.flow.id, version: 7 } });
    const body = expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'flow_not_published');
    expect(body.error.message).toMatch(/no published version 7/);
    await expectUntouchedDraft(id);
  });

  it('a flow that does not exist: 422 flow_not_found', async () => {
    const id = await draft({ work: { kind: 'flow', flowId: '00000000-0000-4000-8000-000000000000' } });
    expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'flow_not_found');
    await expectUntouchedDraft(id);
  });

  it('an empty audience: 422 empty_audience (unknown ids, deleted contacts, a segment matching no one)', async () => {
    const unknown = await draft({ audience: { contactIds: ['00000000-0000-4000-8000-000000000001'] } });
    expectError(await campaignAction(app, t.token, unknown, 'launch'), 422, 'empty_audience');
    await expectUntouchedDraft(unknown);

    const gone = await database.db.contact.create({
      data: { tenantId: t.tenant.id, firstName: 'Gone', phone: '+14155550999', deletedAt: new Date() },
    });
    const deleted = await draft({ audience: { contactIds: [gone.id] } });
    expectError(await campaignAction(app, t.token, deleted, 'launch'), 422, 'empty_audience');
    await expectUntouchedDraft(deleted);

    const segment = await post('/v1/segments', {
      name: 'nobody',
      filter: { match: 'all', conditions: [{ type: 'tag', op: 'has', value: 'no-one-has-this-tag' }] },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    const nobody = await draft({ audience: { segmentId: (segment.json() as { id: string }).id } });
    const count = await app.inject({ url: `/v1/campaigns/${nobody}/audience-count`, headers: auth(t.token) });
    expect(count.json()).toEqual({ count: 0 });
    expectError(await campaignAction(app, t.token, nobody, 'launch'), 422, 'empty_audience');
    await expectUntouchedDraft(nobody);
  });

  it('a window that never opens: 422 window_never_opens at create, at edit, and at launch', async () => {
    const never = { window: { days: [1, 2, 3, 4, 5], start: '22:00', end: '23:00' } };
    const res = await post('/v1/campaigns', {
      name: 'Night owls',
      audience: { contactIds: [t.contact.id] },
      work: { kind: 'flow', flowId: t.flow.id },
      settings: never,
    });
    const body = expectError(res, 422, 'window_never_opens');
    expect(body.error.message).toMatch(/08:00–21:00/);
    expect(await database.db.campaign.count({ where: { name: 'Night owls' } })).toBe(0);

    // A window that only meets a narrowed guard outside it: also refused.
    const narrowed = await post('/v1/campaigns', {
      name: 'Narrowed',
      audience: { contactIds: [t.contact.id] },
      work: { kind: 'flow', flowId: t.flow.id },
      settings: { window: { start: '10:00', end: '11:00' }, guard: { start: '12:00', end: '18:00' } },
    });
    expectError(narrowed, 422, 'window_never_opens');

    const id = await draft();
    const edit = await app.inject({
      method: 'PATCH',
      url: `/v1/campaigns/${id}`,
      headers: auth(t.token),
      payload: { settings: never },
    });
    expectError(edit, 422, 'window_never_opens');
    // Settings stored before the rule (or written by hand): launch refuses them too.
    await database.db.campaign.update({
      where: { id },
      data: { settings: { ...never, guard: { start: '08:00', end: '21:00' } } },
    });
    expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'window_never_opens');
    await expectUntouchedDraft(id);
  });

  it('a pace of zero: 400 at create and at edit, with the error shape', async () => {
    for (const pacePerMinute of [0, -1]) {
      const res = await post('/v1/campaigns', {
        name: 'Standstill',
        audience: { contactIds: [t.contact.id] },
        work: { kind: 'flow', flowId: t.flow.id },
        settings: { pacePerMinute },
      });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = expectError(res, 400, 'validation_failed');
      expect(body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('pacePerMinute') })]),
      );
      if (pacePerMinute === 0) expect(res.body).toContain('a pace of zero never starts anyone');
    }
    expect(await database.db.campaign.count({ where: { name: 'Standstill' } })).toBe(0);
    const id = await draft();
    const edit = await app.inject({
      method: 'PATCH',
      url: `/v1/campaigns/${id}`,
      headers: auth(t.token),
      payload: { settings: { pacePerMinute: 0 } },
    });
    expectError(edit, 400, 'validation_failed');
    expect((await database.db.campaign.findUniqueOrThrow({ where: { id } })).settings).toMatchObject({
      pacePerMinute: null,
    });
  });

  it('other settings that cannot work: 400 at create', async () => {
    for (const settings of [
      { startAt: '2027-01-02T00:00:00Z', endBy: '2027-01-01T00:00:00Z' },
      { guard: { start: '21:00', end: '08:00' } },
      { defaultTimeZone: 'Mars/Olympus_Mons' },
      { window: { start: '9am', end: '5pm' } },
      { retry: { maxAttempts: 0 } },
    ]) {
      const res = await post('/v1/campaigns', {
        name: 'Broken',
        audience: { contactIds: [t.contact.id] },
        work: { kind: 'flow', flowId: t.flow.id },
        settings,
      });
      expectError(res, 400, 'validation_failed');
    }
    expect(await database.db.campaign.count({ where: { name: 'Broken' } })).toBe(0);
  });

  it('an end already past at launch: 422 campaign_already_ended', async () => {
    const id = await draft({ settings: { endBy: new Date(Date.now() - 60_000).toISOString() } });
    expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'campaign_already_ended');
    await expectUntouchedDraft(id);
  });

  it('Temporal failing to start the workflow: the launch is undone', async () => {
    // The same app, but a Temporal client whose workflow start fails (the cluster is unreachable).
    const failing = new Proxy(env.client, {
      get(target, prop) {
        if (prop !== 'workflow') return Reflect.get(target, prop, target);
        return new Proxy(target.workflow, {
          get(workflow, name) {
            if (name === 'start')
              return async () => {
                throw new Error('14 UNAVAILABLE: the Temporal cluster is unreachable');
              };
            const value = Reflect.get(workflow, name, workflow);
            return typeof value === 'function' ? value.bind(workflow) : value;
          },
        });
      },
    });
    const broken = await buildApp({
      db: database.db,
      temporal: failing,
      taskQueue: TASK_QUEUE,
      logLevel: 'silent',
      jwtSecret: TEST_JWT_SECRET,
      encryptionKeys: [TEST_ENCRYPTION_KEY],
      databaseUrl: database.url,
    });
    try {
      const id = await draft();
      const res = await post(`/v1/campaigns/${id}/launch`, undefined, broken);
      expect(res.statusCode, res.body).toBe(500);
      expect(res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      expect(res.body).not.toContain('UNAVAILABLE');
      await expectUntouchedDraft(id);
      // And it launches once Temporal answers again.
      const again = await campaignAction(app, t.token, id, 'launch');
      expect(again.statusCode, again.body).toBe(202);
      expect(again.json()).toMatchObject({ status: 'scheduled', totalRecipients: 1 });
      expect(await database.db.campaignRecipient.count({ where: { campaignId: id } })).toBe(1);
    } finally {
      await broken.close();
    }
  });
});

describe('a CSV audience full of bad numbers', () => {
  it('launches with only the good contacts the import made', async () => {
    const job = await importCsv(
      'mixed.csv',
      [
        'First Name,Phone',
        'Ada,+12025550181',
        'Bad One,12345',
        'Bad Two,call me',
        'Bad Three,+1 555',
        'Grace,+12025550182',
        'Bad Four,0000000000000000000000',
      ].join('\n'),
    );
    expect(job).toMatchObject({ status: 'completed', processedRows: 6, createdRows: 2, errorRows: 4 });
    const good = await database.db.contact.findMany({
      where: { tenantId: t.tenant.id, phone: { in: ['+12025550181', '+12025550182'] } },
    });
    expect(good).toHaveLength(2);

    const id = await draft({ audience: { importId: job.id } });
    const count = await app.inject({ url: `/v1/campaigns/${id}/audience-count`, headers: auth(t.token) });
    expect(count.json()).toEqual({ count: 2 });
    const res = await campaignAction(app, t.token, id, 'launch');
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'scheduled', totalRecipients: 2, workflowId: campaignWorkflowId(id) });
    const recipients = await database.db.campaignRecipient.findMany({ where: { campaignId: id } });
    expect(recipients.map((r) => r.contactId).sort()).toEqual(good.map((c) => c.id).sort());
    const described = await env.client.workflow.getHandle(campaignWorkflowId(id)).describe();
    expect(described.type).toBe('campaign');
  });

  it('refuses an import with no good row: 422 empty_audience, nothing launched', async () => {
    const job = await importCsv('all-bad.csv', ['First Name,Phone', 'A,12345', 'B,call me', 'C,+1 555'].join('\n'));
    expect(job).toMatchObject({ status: 'completed', processedRows: 3, createdRows: 0, errorRows: 3 });
    const id = await draft({ audience: { importId: job.id } });
    expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'empty_audience');
    await expectUntouchedDraft(id);
  });

  it('refuses an import that has not run: 422 import_not_completed', async () => {
    const { payload, headers } = multipart('pending.csv', 'First Name,Phone\nZed,+12025550189\n');
    const up = await app.inject({
      method: 'POST',
      url: '/v1/imports',
      payload,
      headers: { ...headers, ...auth(t.token) },
    });
    expect(up.statusCode, up.body).toBe(201);
    const id = await draft({ audience: { importId: (up.json() as { id: string }).id } });
    expectError(await campaignAction(app, t.token, id, 'launch'), 422, 'import_not_completed');
    await expectUntouchedDraft(id);
  });
});

describe('a launched campaign', () => {
  it('launching twice: 409 the second time; at once, exactly one wins', async () => {
    const id = await draft();
    expect((await campaignAction(app, t.token, id, 'launch')).statusCode).toBe(202);
    expectError(await campaignAction(app, t.token, id, 'launch'), 409, 'campaign_not_draft');
    expect(await database.db.campaignRecipient.count({ where: { campaignId: id } })).toBe(1);

    const racing = await draft();
    const both = await Promise.all([
      campaignAction(app, t.token, racing, 'launch'),
      campaignAction(app, t.token, racing, 'launch'),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([202, 409]);
    expectError(both.find((r) => r.statusCode === 409) as Res, 409, 'campaign_not_draft');
    expect(await database.db.campaignRecipient.count({ where: { campaignId: racing } })).toBe(1);
    const campaign = await database.db.campaign.findUniqueOrThrow({ where: { id: racing } });
    expect(campaign).toMatchObject({ status: 'scheduled', totalRecipients: 1, workflowId: campaignWorkflowId(racing) });
  });

  it('cannot be edited or deleted: 409 campaign_not_draft, and nothing changes', async () => {
    const id = await draft();
    expect((await campaignAction(app, t.token, id, 'launch')).statusCode).toBe(202);
    const before = await database.db.campaign.findUniqueOrThrow({ where: { id } });
    for (const payload of [
      { name: 'Renamed' },
      { settings: { pacePerMinute: 10 } },
      { audience: { contactIds: [t.contact.id] } },
    ]) {
      const res = await app.inject({ method: 'PATCH', url: `/v1/campaigns/${id}`, headers: auth(t.token), payload });
      expectError(res, 409, 'campaign_not_draft');
    }
    const del = await app.inject({ method: 'DELETE', url: `/v1/campaigns/${id}`, headers: auth(t.token) });
    expectError(del, 409, 'campaign_not_draft');
    const after = await database.db.campaign.findUniqueOrThrow({ where: { id } });
    expect(after).toEqual(before);
  });
});
