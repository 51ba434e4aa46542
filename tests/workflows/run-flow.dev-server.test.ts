import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { SandboxMessagingProvider } from '../../activities/messaging/sandbox';
import type { MessagingProvider } from '../../activities/providers/types';
import { PlanSchema } from '../../flow';
import { bundleWorkflows } from '../../worker/bundle';
import type { RunFlowInput, RunState } from '../../workflows/run-flow';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { createDevServerEnv } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;

beforeAll(async () => {
  [env, database, bundle] = await Promise.all([createDevServerEnv(), createTestDatabase(), bundleWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
  await database?.drop();
});

async function startJourney(activities: ReturnType<typeof createActivities>) {
  const { tenant, contact, flow, flowVersion } = await seedTenant(database.db, `t-${randomUUID()}`);
  const runId = randomUUID();
  const workflowId = `run-${runId}`;
  await database.db.run.create({
    data: { id: runId, tenantId: tenant.id, flowId: flow.id, contactId: contact.id, workflowId, status: 'running' },
  });
  const input: RunFlowInput = {
    tenantId: tenant.id,
    runId,
    plan: PlanSchema.parse(flowVersion.plan),
    contact: { id: contact.id, firstName: contact.firstName, phone: contact.phone, tags: [], fields: {} },
  };
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  const state = (await worker.runUntil(
    env.client.workflow.execute('runFlow', { taskQueue, workflowId, args: [input] }),
  )) as RunState;
  return { state, workflowId, runId };
}

describe('runFlow on the Temporal dev server with real activities and PostgreSQL', () => {
  it('records the send in the ledger and marks the run finished', async () => {
    const sandbox = new SandboxMessagingProvider();
    const { state, workflowId, runId } = await startJourney(
      createActivities({ db: database.db, providers: { sms: sandbox } }),
    );
    expect(state.outcome).toBe('welcomed');
    const actions = await database.db.outboundAction.findMany({ where: { workflowId } });
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      status: 'succeeded',
      idempotencyKey: `${workflowId}:welcome:1`,
      kind: 'message.sms',
    });
    expect(sandbox.outbox).toHaveLength(1);
    const run = await database.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe('completed');
    expect(run.finishedAt).not.toBeNull();
  });

  it('sends once when the provider accepted but the answer was lost', async () => {
    const sandbox = new SandboxMessagingProvider();
    let calls = 0;
    // The provider takes the message, then the connection drops before its answer arrives.
    const flaky: MessagingProvider = {
      name: 'sandbox',
      testConnection: () => sandbox.testConnection(),
      async send(message, opts) {
        calls++;
        await sandbox.send(message, opts);
        if (calls === 1) throw new Error('socket hang up');
        return sandbox.send(message, opts);
      },
    };
    const { state } = await startJourney(createActivities({ db: database.db, providers: { sms: flaky } }));
    expect(state.outcome).toBe('welcomed');
    expect(calls).toBe(2);
    expect(sandbox.outbox).toHaveLength(1);
  });

  it('does not call the provider again when the activity completed but its result was lost', async () => {
    const sandbox = new SandboxMessagingProvider();
    let providerCalls = 0;
    const counting: MessagingProvider = {
      name: 'sandbox',
      testConnection: () => sandbox.testConnection(),
      async send(message, opts) {
        providerCalls++;
        return sandbox.send(message, opts);
      },
    };
    const real = createActivities({ db: database.db, providers: { sms: counting } });
    let attempts = 0;
    const { state, workflowId } = await startJourney({
      ...real,
      async sendMessage(input) {
        const result = await real.sendMessage(input);
        // As if the worker died after the send but before Temporal heard of it.
        if (++attempts === 1) throw new Error('worker lost before completing the activity');
        return result;
      },
    });
    expect(state.outcome).toBe('welcomed');
    expect(attempts).toBe(2);
    expect(providerCalls).toBe(1);
    expect(await database.db.outboundAction.count({ where: { workflowId } })).toBe(1);
  });

  it('records a business failure once and takes the failed output', async () => {
    const sandbox = new SandboxMessagingProvider();
    const activities = createActivities({ db: database.db, providers: { sms: sandbox } });
    const { state, workflowId } = await startJourney({
      ...activities,
      sendMessage: (input) => activities.sendMessage({ ...input, to: 'not-a-number' }),
    });
    expect(state.outcome).toBe('unreachable');
    const [action] = await database.db.outboundAction.findMany({ where: { workflowId } });
    expect(action?.status).toBe('failed');
    expect(action?.response).toMatchObject({ error: 'InvalidRecipient' });
  });
});
