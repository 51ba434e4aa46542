import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, type Flow, type RunState, simulate } from '../../flow';
import { bundleWorkflows } from '../../worker/bundle';
import type { RunFlowInput } from '../../workflows/run-flow';
import { ScriptedWorld } from '../helpers/scripted-world';
import { createTimeSkippingEnv } from '../helpers/temporal';

// A nagging loop: remind every hour until the contact replies, at most 150 times.
const nag: Flow = {
  name: 'Nag',
  version: 0,
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'api' } },
    { id: 'remind', type: 'send-message', params: { channel: 'sms', text: 'Reminder {{vars.count}}' } },
    { id: 'wait', type: 'wait-for-reply', params: { timeout: '1h' }, maxVisits: 150 },
    { id: 'done', type: 'end', params: { outcome: 'replied' } },
    { id: 'bounced', type: 'end', params: { outcome: 'bounced' } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'remind' },
    { id: 'e2', source: 'remind', sourceHandle: 'sent', target: 'wait' },
    { id: 'e3', source: 'remind', sourceHandle: 'failed', target: 'bounced' },
    { id: 'e4', source: 'wait', sourceHandle: 'replied', target: 'done' },
    { id: 'e5', source: 'wait', sourceHandle: 'timeout', target: 'remind' },
  ],
};

let env: TestWorkflowEnvironment;
let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;
beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
});

describe('long-running loops', () => {
  it('continues as new to keep histories short, carrying the state, and ends as the simulator does', async () => {
    const compiled = compileFlow(nag);
    if (!compiled.ok) throw new Error('invalid');
    const world = new ScriptedWorld({}, {});
    const taskQueue = `loop-${randomUUID()}`;
    const workflowId = `loop-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: world.activities(),
    });
    const input: RunFlowInput = {
      tenantId: 't',
      runId: 'loop-run',
      plan: compiled.plan,
      contact: world.script.contact,
      continueAsNewAfterEvents: 200,
    };
    const state = (await worker.runUntil(
      env.client.workflow.execute('runFlow', { taskQueue, workflowId, args: [input] }),
    )) as RunState;
    const simulated = await simulate(compiled.plan, {});

    expect(state.outcome).toBe('visit-limit:wait');
    expect(state.stepCount).toBe(simulated.state.stepCount);
    expect(state.stepCount).toBe(1 + 151 + 150); // the 151st reminder goes out before the wait refuses a 151st visit
    expect(state.continuedAsNew).toBeGreaterThan(3);
    expect(state.path.length).toBeLessThanOrEqual(200);
    expect(world.sent).toHaveLength(151);
    // Each run in the chain stayed well under Temporal's limits.
    const handle = env.client.workflow.getHandle(workflowId);
    const history = await handle.fetchHistory();
    expect(history.events?.length ?? 0).toBeLessThan(400);
  });
});
