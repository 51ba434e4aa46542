import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as activities from '../../activities';
import { compileFlow, type Plan } from '../../flow';
import { bundleWorkflows } from '../../worker/bundle';
import type { RunFlowInput, RunState } from '../../workflows/run-flow';
import { welcomeFlow } from '../helpers/fixtures';

const compiled = compileFlow(welcomeFlow);
const welcomePlan = compiled.ok ? compiled.plan : ({} as Plan);

import { createTimeSkippingEnv } from '../helpers/temporal';

type Activities = Pick<typeof activities, 'sendMessage' | 'recordRunFinished'>;

let env: TestWorkflowEnvironment;
let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
});

function input(phone = '+14155550123'): RunFlowInput {
  return {
    tenantId: randomUUID(),
    runId: randomUUID(),
    plan: welcomePlan,
    contact: { id: randomUUID(), firstName: 'Grace', phone, tags: [], fields: {} },
  };
}

async function run(acts: Activities, args: RunFlowInput) {
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: acts,
  });
  return worker.runUntil(
    env.client.workflow.execute('runFlow', { taskQueue, workflowId: `run-${randomUUID()}`, args: [args] }),
  ) as Promise<RunState>;
}

describe('runFlow on the time-skipping test server', () => {
  it('takes the sent path and passes a per-node idempotency key', async () => {
    const sends: Parameters<Activities['sendMessage']>[0][] = [];
    const finished: string[] = [];
    const state = await run(
      {
        async sendMessage(i) {
          sends.push(i);
          return { providerMessageId: 'm1', provider: 'fake' };
        },
        async recordRunFinished(i) {
          finished.push(i.status);
        },
      },
      input(),
    );
    expect(state.status).toBe('completed');
    expect(state.outcome).toBe('welcomed');
    expect(state.path.map((s) => [s.nodeId, s.output])).toEqual([
      ['start', 'next'],
      ['welcome', 'sent'],
      ['done', undefined],
    ]);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.text).toBe('Hi Grace!');
    expect(sends[0]?.idempotencyKey).toMatch(/^run-.+:welcome:1$/);
    expect(finished).toEqual(['completed']);
  });

  it('takes the failed output on a business error, without retrying it', async () => {
    let attempts = 0;
    const state = await run(
      {
        async sendMessage() {
          attempts++;
          throw ApplicationFailure.create({ type: 'InvalidRecipient', message: 'not a number', nonRetryable: true });
        },
        async recordRunFinished() {},
      },
      input('12'),
    );
    expect(attempts).toBe(1);
    expect(state.path.map((s) => s.nodeId)).toEqual(['start', 'welcome', 'bounced']);
    expect(state.outcome).toBe('unreachable');
    expect(state.nodes.welcome?.output).toEqual({ error: 'InvalidRecipient', message: 'not a number' });
  });

  it('retries transient provider errors with backoff until one succeeds', async () => {
    let attempts = 0;
    const state = await run(
      {
        async sendMessage() {
          attempts++;
          if (attempts < 4) throw new Error('provider answered 503');
          return { providerMessageId: 'm2', provider: 'fake' };
        },
        async recordRunFinished() {},
      },
      input(),
    );
    expect(attempts).toBe(4);
    expect(state.outcome).toBe('welcomed');
  });
});
