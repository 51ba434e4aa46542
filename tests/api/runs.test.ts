import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Flow, RunState } from '../../flow';
import { bundleWorkflows } from '../../worker/bundle';
import { auth, buildTestApp, TASK_QUEUE } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { publish, seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { createDevServerEnv } from '../helpers/temporal';

// A flow that waits for a reply: what runs look like while they are alive.
const askFlow: Flow = {
  name: 'Ask',
  version: 0,
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'api' } },
    {
      id: 'ask',
      type: 'send-message',
      params: { channel: 'sms', text: 'Still interested, {{contact.firstName}}? ({{trigger.campaign}})' },
    },
    { id: 'wait', type: 'wait-for-reply', params: { timeout: '2d' } },
    { id: 'yes', type: 'end', params: { outcome: 'replied' } },
    { id: 'no', type: 'end', params: { outcome: 'silent' } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'ask' },
    { id: 'e2', source: 'ask', sourceHandle: 'sent', target: 'wait' },
    { id: 'e3', source: 'ask', sourceHandle: 'failed', target: 'no' },
    { id: 'e4', source: 'wait', sourceHandle: 'replied', target: 'yes' },
    { id: 'e5', source: 'wait', sourceHandle: 'timeout', target: 'no' },
  ],
};

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let worker: Worker;
let running: Promise<void>;
let seeded: Awaited<ReturnType<typeof seedTenant>>;
let other: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
  app = await buildTestApp(database, env);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({ db: database.db }),
  });
  running = worker.run();
  seeded = await seedTenant(database.db, 'runs-a');
  other = await seedTenant(database.db, 'runs-b');
  await publish(database.db, seeded.tenant.id, seeded.flow.id, askFlow);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await app?.close();
  await env?.teardown();
  await database?.drop();
});

const call = (method: 'GET' | 'POST', url: string, payload?: unknown, token = seeded.token) =>
  app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });

async function start(body: Record<string, unknown> = {}) {
  const res = await call('POST', '/v1/runs', { flowId: seeded.flow.id, contactId: seeded.contact.id, ...body });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; workflowId: string; flowVersionId: string };
}

async function stateOf(id: string) {
  return (await call('GET', `/v1/runs/${id}`)).json() as {
    run: { status: string; outcome: string | null };
    state: RunState;
  };
}

const waitingForReply = (id: string) =>
  waitFor(
    async () => ((await stateOf(id)).state?.waitingOn?.kind === 'reply' ? true : undefined),
    'the run to wait for a reply',
  );

describe('runs', () => {
  it('runs the latest published version, pinned, and delivers a reply by signal', async () => {
    const run = await start({ trigger: { campaign: 'spring' } });
    await waitingForReply(run.id);
    const { state } = await stateOf(run.id);
    expect(state.currentNodeId).toBe('wait');
    expect(state.nodes.ask?.output).toMatchObject({ channel: 'sms' });

    // Publishing a new version does not move a journey that already started.
    const v3 = structuredClone(askFlow);
    v3.nodes = v3.nodes.map((n) => (n.id === 'yes' ? { ...n, params: { outcome: 'replied-v3' } } : n));
    await publish(database.db, seeded.tenant.id, seeded.flow.id, v3);

    const signalled = await call('POST', `/v1/runs/${run.id}/signal`, {
      type: 'inbound-message',
      channel: 'sms',
      text: 'Yes!',
    });
    expect(signalled.statusCode).toBe(202);
    const done = await waitFor(async () => {
      const s = await stateOf(run.id);
      return s.run.status === 'completed' ? s : undefined;
    }, 'the run to finish');
    expect(done.run.outcome).toBe('replied');
    expect(done.state.nodes.wait?.output).toMatchObject({ text: 'Yes!', intent: 'yes' });

    const actions = (await call('GET', `/v1/runs/${run.id}`)).json() as { actions: { request: { text: string } }[] };
    expect(actions.actions[0]?.request.text).toBe('Still interested, Grace? (spring)');
  });

  it('refuses a signal to a finished run with 409', async () => {
    const run = await start();
    await waitingForReply(run.id);
    await call('POST', `/v1/runs/${run.id}/signal`, { type: 'inbound-message', channel: 'sms', text: 'ok' });
    await waitFor(async () => ((await stateOf(run.id)).run.status === 'completed' ? true : undefined), 'completion');
    const late = await call('POST', `/v1/runs/${run.id}/signal`, {
      type: 'inbound-message',
      channel: 'sms',
      text: 'again',
    });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { code: 'run_finished' } });
  });

  it('refuses a malformed signal with 400', async () => {
    const run = await start();
    const res = await call('POST', `/v1/runs/${run.id}/signal`, {
      type: 'inbound-message',
      channel: 'pager',
      text: '',
    });
    expect(res.statusCode).toBe(400);
    await call('POST', `/v1/runs/${run.id}/cancel`, {});
  });

  it('cancels a waiting run and records it', async () => {
    const run = await start();
    await waitingForReply(run.id);
    expect((await call('POST', `/v1/runs/${run.id}/cancel`, { reason: 'customer called in' })).statusCode).toBe(202);
    const done = await waitFor(async () => {
      const s = await stateOf(run.id);
      return s.run.status === 'cancelled' ? s : undefined;
    }, 'cancellation');
    expect(done.state.status).toBe('cancelled');
    expect(done.state.error).toBe('customer called in');
    expect((await call('POST', `/v1/runs/${run.id}/cancel`, {})).statusCode).toBe(409);
  });

  it('lists runs with filters and pages through them', async () => {
    const res = await call('GET', `/v1/runs?flowId=${seeded.flow.id}&status=cancelled`);
    const { items } = res.json() as { items: { status: string }[] };
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.every((r) => r.status === 'cancelled')).toBe(true);
    const first = (await call('GET', '/v1/runs?limit=1')).json() as { items: { id: string }[]; nextCursor: string };
    const second = (await call('GET', `/v1/runs?limit=1&cursor=${first.nextCursor}`)).json() as {
      items: { id: string }[];
    };
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    expect((await call('GET', '/v1/runs?cursor=garbage')).statusCode).toBe(400);
  });

  it('exports a history that replays against the current code', async () => {
    const run = await start();
    await waitingForReply(run.id);
    await call('POST', `/v1/runs/${run.id}/signal`, { type: 'inbound-message', channel: 'sms', text: 'yes' });
    await waitFor(async () => ((await stateOf(run.id)).run.status === 'completed' ? true : undefined), 'completion');
    const res = await call('GET', `/v1/runs/${run.id}/history`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain(`${run.workflowId}.json`);
    const history = JSON.parse(res.body) as { events: unknown[] };
    expect(history.events.length).toBeGreaterThan(5);
    await Worker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, run.workflowId);
  });

  it("refuses a run for another tenant's contact, an unpublished flow, and hides other tenants' runs", async () => {
    const foreign = await call('POST', '/v1/runs', { flowId: seeded.flow.id, contactId: other.contact.id });
    expect(foreign.statusCode).toBe(404);
    const draftOnly = await database.db.flow.create({
      data: { tenantId: seeded.tenant.id, name: 'draft', definition: askFlow as object },
    });
    const unpublished = await call('POST', '/v1/runs', { flowId: draftOnly.id, contactId: seeded.contact.id });
    expect(unpublished.statusCode).toBe(409);
    expect(unpublished.json()).toMatchObject({ error: { code: 'flow_not_published' } });
    const mine = await start();
    for (const [method, url] of [
      ['GET', `/v1/runs/${mine.id}`],
      ['POST', `/v1/runs/${mine.id}/signal`],
      ['POST', `/v1/runs/${mine.id}/cancel`],
      ['GET', `/v1/runs/${mine.id}/history`],
    ] as const) {
      const body = url.endsWith('signal')
        ? { type: 'inbound-message', channel: 'sms', text: 'x' }
        : method === 'POST'
          ? {}
          : undefined;
      expect((await call(method, url, body, other.token)).statusCode, url).toBe(404);
    }
    await call('POST', `/v1/runs/${mine.id}/cancel`, {});
  });
});
