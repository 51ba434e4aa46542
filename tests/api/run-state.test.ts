import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRunState } from '../../api/runs/state';
import { createDevServerEnv } from '../helpers/temporal';

// A run's state comes from a workflow query, which only a worker answers: with none polling, the
// read must give up quickly (no state) instead of hanging the API request.
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(() => env?.teardown());

describe('queryRunState', () => {
  it('answers null, quickly, when no worker polls the run’s task queue', async () => {
    const workflowId = `no-worker-${Date.now()}`;
    await env.client.workflow.start('runFlow', { taskQueue: 'nobody-polls-this', workflowId, args: [] });
    const started = Date.now();
    expect(await queryRunState(env.client, workflowId, 500)).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers null for a workflow Temporal does not have', async () => {
    expect(await queryRunState(env.client, `missing-${Date.now()}`, 2_000)).toBeNull();
  });
});
