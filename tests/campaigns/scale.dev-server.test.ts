import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { campaignWorkflowId, progressQuery } from '../../workflows/campaign';
import { auth, TASK_QUEUE, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../helpers/app';
import { ChannelTestServer, twilioSmsChannel } from '../helpers/channels';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { type Proc, waitFor } from '../helpers/processes';
import { TwilioStandIn } from '../stand-ins/twilio';
import {
  campaignAction,
  createCampaign,
  createSegment,
  killAll,
  recipientsByStatus,
  seedContacts,
  startWorkerProcess,
  TemporalDevServerProcess,
  type WorkerProcessEnv,
  waitForCampaign,
} from './helpers';

/**
 * Campaigns at scale, against what can go wrong while one runs: a pause in the middle, a worker
 * SIGKILLed in the middle, the Temporal server killed and restarted in the middle. Each time every
 * recipient must get exactly one message, counted where it counts: at the Twilio stand-in, over
 * HTTP, through the real Twilio adapter. The worker is the product's own process (worker/main.ts).
 *
 * The pace (6,000 a minute: a burst of 500, then 100 a second) and at most 100 journeys at once keep
 * the campaign running long enough to interrupt it in the middle, and the journeys in flight few
 * enough to drain quickly, whatever the machine's speed. The pause test runs 2,000 recipients; the
 * crash tests run fewer, since a crash costs fixed time (the lost activities' timeouts) on top.
 */

const SETTINGS = { pacePerMinute: 6_000, maxConcurrent: 100 };
/** The pause test's audience. */
const N = 2_000;
/** The crash tests' audience. */
const N_CRASH = 300;
/**
 * The unpaced tests' audience: fewer than one dispatch call claims (TICK_MAX, 5,000), so only a
 * pause or cancel that stops the call in flight leaves anyone unclaimed.
 */
const N_UNPACED = 2_500;

interface Launched {
  id: string;
  /** Recipients. */
  n: number;
  /** The seeded recipients' numbers. */
  phones: Set<string>;
  /** Every message of this campaign carries it at the start of its body. */
  label: string;
}

/** A tenant's N contacts tagged `label`, a segment of them, and a launched SMS campaign to it. */
async function launchSmsCampaign(
  app: FastifyInstance,
  database: TestDatabase,
  tenant: { id: string; token: string },
  label: string,
  n: number,
  offset: number,
  settings: Record<string, unknown> = SETTINGS,
): Promise<Launched> {
  await seedContacts(database, tenant.id, n, { tag: label, offset });
  const contacts = await database.db.contact.findMany({
    where: { tenantId: tenant.id, tags: { has: label } },
    select: { phone: true },
  });
  const phones = new Set(contacts.map((c) => c.phone ?? ''));
  expect(phones.size).toBe(n);
  const segmentId = await createSegment(app, tenant.token, label);
  const id = await createCampaign(app, tenant.token, {
    name: `Scale ${label}`,
    audience: { segmentId },
    work: { kind: 'message', channel: 'sms', text: `${label}: hello {{contact.firstName}}` },
    settings,
  });
  const launched = await campaignAction(app, tenant.token, id, 'launch');
  expect(launched.statusCode, launched.body).toBe(202);
  expect(launched.json()).toMatchObject({ totalRecipients: n });
  return { id, n, phones, label };
}

/** Messages of the campaign Twilio accepted. */
const acceptedOf = (standIn: TwilioStandIn, c: Launched) =>
  standIn.acceptedMessages().filter((m) => m.body.startsWith(`${c.label}: `));

/** Recipients the dispatcher has claimed (their journey started, or is starting). */
const claimedOf = (database: TestDatabase, c: Launched) =>
  database.db.campaignRecipient.count({ where: { campaignId: c.id, attempts: { gt: 0 } } });

/**
 * The campaign completed, and each recipient was processed exactly once: one create request and
 * one accepted message per number at Twilio, one journey per recipient, every recipient completed.
 */
async function expectEachRecipientOnce(
  database: TestDatabase,
  standIn: TwilioStandIn,
  c: Launched,
  timeoutMs = 180_000,
) {
  const campaign = await waitForCampaign(database, c.id, ['completed', 'cancelled'], timeoutMs);
  expect(campaign.status).toBe('completed');
  expect(await recipientsByStatus(database, c.id)).toEqual({ completed: c.n });

  const accepted = acceptedOf(standIn, c);
  expect(accepted).toHaveLength(c.n);
  const numbers = new Set(accepted.map((m) => m.to));
  expect(numbers.size).toBe(c.n);
  expect([...numbers].filter((n) => !c.phones.has(n))).toEqual([]);
  const creates = standIn.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/Messages.json') && r.form.get('Body')?.startsWith(`${c.label}: `),
  );
  expect(creates).toHaveLength(c.n);

  // One attempt, one journey, one run per recipient; each run sent and finished.
  const recipients = await database.db.campaignRecipient.findMany({
    where: { campaignId: c.id },
    select: { attempts: true, runId: true, outcome: true },
  });
  expect(recipients.filter((r) => r.attempts !== 1 || r.runId === null || r.outcome !== 'sent')).toEqual([]);
  const runs = await database.db.run.groupBy({
    by: ['status', 'outcome'],
    where: { id: { in: recipients.map((r) => r.runId as string) } },
    _count: { _all: true },
  });
  expect(runs.map((r) => ({ status: r.status, outcome: r.outcome, n: r._count._all }))).toEqual([
    { status: 'completed', outcome: 'sent', n: c.n },
  ]);
}

/**
 * Pauses the campaign once `claims` recipients are claimed; the journeys already started run to
 * their end, and then nothing moves: no claim, no start, no send. Nobody is left 'starting'.
 */
async function pauseAfterClaims(
  server: ChannelTestServer,
  standIn: TwilioStandIn,
  token: string,
  c: Launched,
  claims: number,
) {
  await waitFor(
    async () => ((await claimedOf(server.database, c)) >= claims ? true : undefined),
    `${claims} claims`,
    90_000,
  );
  const paused = await campaignAction(server.app, token, c.id, 'pause');
  expect(paused.statusCode, paused.body).toBe(200);
  expect(paused.json()).toMatchObject({ status: 'paused' });
  expect(await claimedOf(server.database, c)).toBeLessThan(c.n);

  const before = await waitFor(
    async () => {
      const recipients = await recipientsByStatus(server.database, c.id);
      if ((recipients.starting ?? 0) + (recipients.running ?? 0) > 0) return undefined;
      return { claimed: await claimedOf(server.database, c), accepted: acceptedOf(standIn, c).length, recipients };
    },
    'the journeys started before the pause to finish',
    180_000,
  );
  expect(before.claimed).toBeLessThan(c.n);
  expect(before.accepted).toBe(before.claimed);
  expect(before.recipients).toEqual({ completed: before.claimed, pending: c.n - before.claimed });
  await new Promise((r) => setTimeout(r, 2_500));
  expect({
    claimed: await claimedOf(server.database, c),
    accepted: acceptedOf(standIn, c).length,
    recipients: await recipientsByStatus(server.database, c.id),
  }).toEqual(before);
}

/** The API on a Temporal dev server from the suite's helpers, worker/main.ts processes beside it. */
interface BesideTheApi {
  server: ChannelTestServer;
  standIn: TwilioStandIn;
  workers: Proc[];
  /** The running worker; one is started when none runs. */
  worker(): Promise<Proc>;
}

async function startBesideTheApi(): Promise<BesideTheApi> {
  const [server, standIn] = await Promise.all([ChannelTestServer.start({ worker: false }), TwilioStandIn.start()]);
  const workers: Proc[] = [];
  const env: WorkerProcessEnv = {
    databaseUrl: server.database.url,
    temporalAddress: server.env.address,
    publicUrl: server.baseUrl,
  };
  const worker = async () =>
    workers.find((w) => w.child.exitCode === null && w.child.signalCode === null) ?? startWorkerProcess(env, workers);
  await worker();
  return { server, standIn, workers, worker };
}

/** A Temporal dev server of our own (file-backed, to kill and start again), a database, the API on them, a worker. */
interface OwnServer {
  devServer: TemporalDevServerProcess;
  database: TestDatabase;
  connection: Connection;
  app: FastifyInstance;
  standIn: TwilioStandIn;
  workers: Proc[];
}

async function startOwnServer(into: Partial<OwnServer>): Promise<void> {
  [into.devServer, into.database, into.standIn] = await Promise.all([
    TemporalDevServerProcess.start(),
    createTestDatabase(),
    TwilioStandIn.start(),
  ]);
  into.connection = await Connection.connect({ address: into.devServer.address });
  into.app = await buildApp({
    db: into.database.db,
    temporal: new Client({ connection: into.connection, namespace: 'default' }),
    taskQueue: TASK_QUEUE,
    logLevel: process.env.TEST_API_LOG ?? 'silent',
    jwtSecret: TEST_JWT_SECRET,
    encryptionKeys: [TEST_ENCRYPTION_KEY],
    databaseUrl: into.database.url,
  });
  into.workers = [];
  // Nothing posts back to the API here (the stand-in sends no receipts unless told to).
  await startWorkerProcess(
    { databaseUrl: into.database.url, temporalAddress: into.devServer.address, publicUrl: 'http://127.0.0.1:9' },
    into.workers,
  );
}

let beside: BesideTheApi | undefined;
const own: Partial<OwnServer> = {};

beforeAll(async () => {
  // Settled, not all: when one side fails, what the other started is still known to afterAll (a
  // failed server start once left the other side's worker running after the suite).
  const [started, ownStarted] = await Promise.allSettled([startBesideTheApi(), startOwnServer(own)]);
  if (started.status === 'fulfilled') beside = started.value;
  for (const r of [started, ownStarted]) if (r.status === 'rejected') throw r.reason;
}, 240_000);

afterAll(async () => {
  await Promise.all([
    (async () => {
      await killAll(beside?.workers ?? []);
      await beside?.server.stop(() => beside?.standIn.close());
    })(),
    (async () => {
      await killAll(own.workers ?? []);
      await own.app?.close();
      await own.connection?.close();
      await own.devServer?.close();
      await own.standIn?.close();
      await own.database?.drop();
    })(),
  ]);
});

/** An unpaced campaign of N_UNPACED on the worker beside the API, for a tenant of its own. */
async function launchUnpaced(label: string, phone: string, offset: number) {
  const { server, standIn, worker } = beside as BesideTheApi;
  await worker();
  const t = await server.tenantWithChannel(`campaign-${label}`, phone, twilioSmsChannel(standIn));
  const tenant = { id: t.tenant.id, token: t.token };
  const c = await launchSmsCampaign(server.app, server.database, tenant, label, N_UNPACED, offset, {});
  return { server, standIn, t, c };
}

describe('SMS campaigns at scale', () => {
  it('pauses in the middle: no journey starts while paused; resumed, it reaches everyone exactly once', async () => {
    const { server, standIn, worker } = beside as BesideTheApi;
    await worker();
    const t = await server.tenantWithChannel('campaign-pause', '+14155550601', twilioSmsChannel(standIn));
    const c = await launchSmsCampaign(server.app, server.database, { id: t.tenant.id, token: t.token }, 'pause', N, 0);

    // Some journeys started, not all: pause.
    await pauseAfterClaims(server, standIn, t.token, c, 300);
    const shown = await server.app.inject({ url: `/v1/campaigns/${c.id}`, headers: auth(t.token) });
    expect(shown.json()).toMatchObject({ status: 'paused' });
    const progress = await server.env.client.workflow.getHandle(campaignWorkflowId(c.id)).query(progressQuery);
    expect(progress).toMatchObject({ status: 'paused' });

    // Resume, catching up: the rest go out.
    const resumed = await campaignAction(server.app, t.token, c.id, 'resume', { missed: 'catch_up' });
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'running' });
    await expectEachRecipientOnce(server.database, standIn, c, 300_000);
  }, 480_000);

  it('an unpaced campaign: pause stops the dispatch call in flight; resumed, it reaches everyone exactly once', async () => {
    const { server, standIn, t, c } = await launchUnpaced('unpaced-pause', '+14155550604', 30_000);

    // The first slice is claimed: the one dispatch call would claim everyone unless stopped.
    await pauseAfterClaims(server, standIn, t.token, c, 500);

    const resumed = await campaignAction(server.app, t.token, c.id, 'resume', { missed: 'catch_up' });
    expect(resumed.statusCode, resumed.body).toBe(200);
    await expectEachRecipientOnce(server.database, standIn, c, 300_000);
  }, 600_000);

  it('an unpaced campaign cancelled mid-dispatch: the call in flight stops, and every recipient ends sent once or cancelled', async () => {
    const { server, standIn, t, c } = await launchUnpaced('unpaced-cancel', '+14155550605', 40_000);
    await waitFor(async () => ((await claimedOf(server.database, c)) >= 500 ? true : undefined), '500 claims', 90_000);
    const cancelled = await campaignAction(server.app, t.token, c.id, 'cancel');
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    // Thousands of journeys are running: stopping them takes a while, and the answer says so.
    expect(cancelled.json().status).toBe('cancelling');

    const campaign = await waitForCampaign(server.database, c.id, ['completed', 'cancelled'], 180_000);
    expect(campaign.status).toBe('cancelled');
    // Every recipient final: journeys asked to stop settle as cancelled, or completed if they had sent.
    const recipients = await waitFor(
      async () => {
        const byStatus = await recipientsByStatus(server.database, c.id);
        return Object.keys(byStatus).every((s) => s === 'completed' || s === 'cancelled') ? byStatus : undefined;
      },
      'every recipient completed or cancelled',
      180_000,
    );
    const claimed = await claimedOf(server.database, c);
    expect(claimed).toBeLessThan(N_UNPACED);
    expect((recipients.completed ?? 0) + (recipients.cancelled ?? 0)).toBe(N_UNPACED);

    // No one twice; no one unclaimed reached; everyone completed was sent to.
    const accepted = acceptedOf(standIn, c);
    expect(new Set(accepted.map((m) => m.to)).size).toBe(accepted.length);
    expect(accepted.length).toBeGreaterThanOrEqual(recipients.completed ?? 0);
    expect(accepted.length).toBeLessThanOrEqual(claimed);
    const unclaimedCancelled = await server.database.db.campaignRecipient.count({
      where: { campaignId: c.id, attempts: 0, status: 'cancelled', reason: 'campaign_cancelled' },
    });
    expect(unclaimedCancelled).toBe(N_UNPACED - claimed);
  }, 600_000);

  // The two crash tests run side by side, each on its own Temporal server, database and worker: most
  // of a crash test is waiting out the lost attempts' timeouts, which the other uses.

  it.concurrent('a worker SIGKILLed in the middle and started again: everyone still gets exactly one message', async () => {
    const { server, standIn, worker } = beside as BesideTheApi;
    const first = await worker();
    const t = await server.tenantWithChannel('campaign-crash', '+14155550602', twilioSmsChannel(standIn));
    const c = await launchSmsCampaign(
      server.app,
      server.database,
      { id: t.tenant.id, token: t.token },
      'worker-crash',
      N_CRASH,
      10_000,
    );

    // Sends are in full flow, and the dispatcher is at work (claiming recipients and starting their
    // journeys): kill the worker. The dispatch attempt is retried once its heartbeat times out (a
    // minute), the lost sends once their start-to-close timeout expires.
    const campaignWorkflow = server.env.client.workflow.getHandle(campaignWorkflowId(c.id));
    await waitFor(
      async () => {
        if (acceptedOf(standIn, c).length < 50) return undefined;
        const { raw } = await campaignWorkflow.describe();
        const dispatching = raw.pendingActivities?.some(
          (a) =>
            a.activityType?.name === 'dispatchCampaign' &&
            a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
        );
        return dispatching ? true : undefined;
      },
      '50 messages out and a dispatch in flight',
      90_000,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(acceptedOf(standIn, c).length).toBeLessThan(c.n);
    expect(await claimedOf(server.database, c)).toBeLessThan(c.n);

    const second = await worker();
    expect(second).not.toBe(first);
    await expectEachRecipientOnce(server.database, standIn, c);
  }, 300_000);

  it.concurrent('the Temporal server killed in the middle and started again on its file: everyone gets exactly one message', async () => {
    const { devServer, database, app, standIn, workers } = own as OwnServer;
    const t = await seedTenant(database.db, 'campaign-restart', { phone: '+14155550603' });
    const channel = await app.inject({
      method: 'POST',
      url: '/v1/channels',
      headers: auth(t.token),
      payload: twilioSmsChannel(standIn),
    });
    expect(channel.statusCode, channel.body).toBe(201);
    const c = await launchSmsCampaign(
      app,
      database,
      { id: t.tenant.id, token: t.token },
      'server-restart',
      N_CRASH,
      20_000,
    );

    await waitFor(async () => (acceptedOf(standIn, c).length >= 50 ? true : undefined), '50 messages', 90_000);
    expect(await devServer.down('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    expect(acceptedOf(standIn, c).length).toBeLessThan(c.n);
    expect(await claimedOf(database, c)).toBeLessThan(c.n);
    // Down for a moment: the worker and the API's client lose it, then find it again by themselves.
    await new Promise((r) => setTimeout(r, 2_000));
    await devServer.up();

    // The API's client reconnects: a pause and a resume through it reach the campaign's workflow.
    for (const [action, status] of [
      ['pause', 'paused'],
      ['resume', 'running'],
    ] as const) {
      await waitFor(
        async () => {
          const res = await campaignAction(
            app,
            t.token,
            c.id,
            action,
            action === 'resume' ? { missed: 'catch_up' } : undefined,
          );
          return res.statusCode === 200 && res.json<{ status: string }>().status === status ? true : undefined;
        },
        `${action} to answer once Temporal is back`,
        90_000,
      );
    }
    await expectEachRecipientOnce(database, standIn, c);
    // The worker lived through it: the same process did the rest.
    expect(workers).toHaveLength(1);
    expect(workers[0]?.child.exitCode).toBeNull();
  }, 300_000);
});
