import { existsSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { SandboxMessagingProvider } from '../../activities/messaging/sandbox';
import { HISTORIES_DIR } from '../../scripts/lib/histories';
import { bundleWorkflows } from '../../worker/bundle';
import { auth, buildTestApp, TASK_QUEUE } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { createDevServerEnv } from '../helpers/temporal';
import {
  campaignAction,
  createCampaign,
  createSegment,
  recipientsByStatus,
  seedContacts,
  waitForCampaign,
} from './helpers';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let worker: Worker;
let running: Promise<void>;
const sms = new SandboxMessagingProvider();

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
  app = await buildTestApp(database, env);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({
      db: database.db,
      providers: { sms },
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

describe('a message campaign', () => {
  it('reaches every recipient of its segment exactly once', async () => {
    const t = await seedTenant(database.db, 'campaign-smoke');
    await seedContacts(database, t.tenant.id, 40, { tag: 'smoke' });
    const segmentId = await createSegment(app, t.token, 'smoke');
    const id = await createCampaign(app, t.token, {
      name: 'Smoke',
      audience: { segmentId },
      work: { kind: 'message', channel: 'sms', text: 'Hello {{contact.firstName}}' },
    });
    const launched = await campaignAction(app, t.token, id, 'launch');
    expect(launched.statusCode, launched.body).toBe(202);
    expect(launched.json()).toMatchObject({ totalRecipients: 40 });
    await waitForCampaign(database, id, 'completed', 60_000);
    expect(await recipientsByStatus(database, id)).toEqual({ completed: 40 });
    const sent = sms.outbox.filter((m) => m.text.startsWith('Hello Recipient'));
    expect(sent).toHaveLength(40);
    expect(new Set(sent.map((m) => m.to)).size).toBe(40);
    const got = await app.inject({ url: `/v1/campaigns/${id}`, headers: auth(t.token) });
    expect(got.json()).toMatchObject({ status: 'completed', recipients: { completed: 40 } });
    // RECORD_HISTORIES=1 adds this run to the replay corpus (tests/workflows/replay.test.ts).
    if (process.env.RECORD_HISTORIES) {
      const history = await env.client.workflow.getHandle(`campaign-${id}`).fetchHistory();
      const file = `${HISTORIES_DIR}campaign-message-40-recipients.json`;
      if (!existsSync(file)) writeFileSync(file, historyToJSON(history));
    }
  });
});

describe('cancelling a campaign', () => {
  it('answers `cancelling` (never `running`), then ends `cancelled` with every recipient sent once or cancelled', async () => {
    const t = await seedTenant(database.db, 'campaign-cancel-api');
    await seedContacts(database, t.tenant.id, 20, { tag: 'cancel-api', offset: 60_000 });
    const segmentId = await createSegment(app, t.token, 'cancel-api');
    const id = await createCampaign(app, t.token, {
      name: 'Cancel me',
      audience: { segmentId },
      work: { kind: 'message', channel: 'sms', text: 'Cancel me {{contact.firstName}}' },
      // One start every two seconds: most recipients are still pending when the cancel comes.
      settings: { pacePerMinute: 30 },
    });
    expect((await campaignAction(app, t.token, id, 'launch')).statusCode).toBe(202);
    await waitFor(
      async () => ((await recipientsByStatus(database, id)).completed ?? 0) >= 2 || undefined,
      'two recipients sent',
      60_000,
    );
    const cancelled = await campaignAction(app, t.token, id, 'cancel');
    await waitForCampaign(database, id, 'cancelled', 60_000);
    // RECORD_HISTORIES=1 adds this run to the replay corpus (tests/workflows/replay.test.ts).
    if (process.env.RECORD_HISTORIES) {
      const history = await env.client.workflow.getHandle(`campaign-${id}`).fetchHistory();
      const file = `${HISTORIES_DIR}${process.env.RECORD_HISTORIES_NAME ?? 'campaign-message-cancelled-mid-way'}.json`;
      if (!existsSync(file)) writeFileSync(file, historyToJSON(history));
    }
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    // The workflow records `cancelling` before the update returns; `cancelled` only once every
    // pending recipient is cancelled and every running journey asked to stop.
    expect(['cancelling', 'cancelled']).toContain(cancelled.json().status);

    const byStatus = await recipientsByStatus(database, id);
    expect(Object.keys(byStatus).sort()).toEqual(['cancelled', 'completed']);
    expect((byStatus.completed ?? 0) + (byStatus.cancelled ?? 0)).toBe(20);
    const sent = sms.outbox.filter((m) => m.text.startsWith('Cancel me'));
    expect(sent).toHaveLength(byStatus.completed ?? 0);
    expect(new Set(sent.map((m) => m.to)).size).toBe(sent.length);
    const again = await campaignAction(app, t.token, id, 'pause');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('campaign_finished');
  });

  it('refuses pause and resume while it is being cancelled: 409 campaign_cancelling', async () => {
    const t = await seedTenant(database.db, 'campaign-cancelling-409');
    const campaign = await database.db.campaign.create({
      data: {
        tenantId: t.tenant.id,
        name: 'Being cancelled',
        status: 'cancelling',
        workflowId: 'campaign-no-such-workflow',
        audience: {},
        work: {},
        settings: {},
      },
    });
    for (const action of ['pause', 'resume'] as const) {
      const res = await campaignAction(app, t.token, campaign.id, action, action === 'resume' ? {} : undefined);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'campaign_cancelling' });
    }
  });

  it('cancels a claim whose journey never started (a dispatch cancelled between retries), not only the pending', async () => {
    const t = await seedTenant(database.db, 'campaign-cancel-claims');
    await seedContacts(database, t.tenant.id, 3, { tag: 'claims', offset: 50_000 });
    const contacts = await database.db.contact.findMany({ where: { tenantId: t.tenant.id, tags: { has: 'claims' } } });
    const campaign = await database.db.campaign.create({
      data: { tenantId: t.tenant.id, name: 'Claims', status: 'running', audience: {}, work: {}, settings: {} },
    });
    // Claimed, journey never started; claimed and its journey already over (it settled itself); never claimed.
    const [claimed, finished, pending] = await Promise.all(
      (['starting', 'completed', 'pending'] as const).map((status, seq) =>
        database.db.campaignRecipient.create({
          data: {
            tenantId: t.tenant.id,
            campaignId: campaign.id,
            contactId: contacts[seq]?.id as string,
            seq,
            status,
            attempts: status === 'pending' ? 0 : 1,
            workflowId: status === 'pending' ? null : `campaign-${campaign.id}-never-started-${seq}`,
          },
        }),
      ),
    );
    expect(await cancelRecipients(campaign.id)).toEqual({ pendingCancelled: 1, heartbeats: 1 });

    const after = await database.db.campaignRecipient.findMany({ where: { campaignId: campaign.id } });
    const byId = new Map(after.map((r) => [r.id, { status: r.status, reason: r.reason }]));
    expect(byId.get(claimed?.id as string)).toEqual({ status: 'cancelled', reason: 'campaign_cancelled' });
    expect(byId.get(pending?.id as string)).toEqual({ status: 'cancelled', reason: 'campaign_cancelled' });
    expect(byId.get(finished?.id as string)).toEqual({ status: 'completed', reason: null });
  });

  it('pages through more claims than one read holds, heartbeating as it signals', async () => {
    const t = await seedTenant(database.db, 'campaign-cancel-pages');
    const contactIds = await seedContacts(database, t.tenant.id, 2_150, { tag: 'pages', offset: 60_000 });
    const campaign = await database.db.campaign.create({
      data: { tenantId: t.tenant.id, name: 'Pages', status: 'running', audience: {}, work: {}, settings: {} },
    });
    await database.db.campaignRecipient.createMany({
      data: contactIds.map((contactId, seq) => ({
        tenantId: t.tenant.id,
        campaignId: campaign.id,
        contactId,
        seq,
        status: 'starting' as const,
        attempts: 1,
        workflowId: `campaign-${campaign.id}-never-started-${seq}`,
      })),
    });
    // 2,150 claims: three pages of 1,000, eleven batches of 200 signals.
    expect(await cancelRecipients(campaign.id)).toEqual({ pendingCancelled: 0, heartbeats: 11 });
    expect(await recipientsByStatus(database, campaign.id)).toEqual({ cancelled: 2_150 });
  });
});

/** The cancel bookkeeping as the worker runs it: inside an activity context, heartbeats counted. */
async function cancelRecipients(campaignId: string): Promise<{ pendingCancelled: number; heartbeats: number }> {
  const activities = createActivities({ db: database.db, starter: { client: env.client, taskQueue: TASK_QUEUE } });
  const cancel = activities.cancelCampaignRecipients;
  const activityEnv = new MockActivityEnvironment();
  let heartbeats = 0;
  activityEnv.on('heartbeat', () => {
    heartbeats++;
  });
  const pendingCancelled = await activityEnv.run<[{ campaignId: string; at: number }], number, typeof cancel>(cancel, {
    campaignId,
    at: Date.now(),
  });
  return { pendingCancelled, heartbeats };
}
