import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { schemathesisPath } from '../../scripts/lib/schemathesis.mjs';
import { bundleWorkflows } from '../../worker/bundle';
import { startApiTestServer, stopApiTestServer, TASK_QUEUE } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { startProcess } from '../helpers/processes';

// Schemathesis generates requests for every operation of the OpenAPI document — well-formed and
// hostile — and fails on any 5xx: bad input must always be the client's 4xx.
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let base = '';
let token = '';
let worker: Worker | undefined;
let running: Promise<void> | undefined;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  // A worker, as in production: routes that wait on a workflow (escalation actions, queries) answer
  // as they would, instead of every generated request waiting out a bounded timeout.
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({
      db: database.db,
      providers: null,
      calls: null,
      starter: { client: env.client, taskQueue: TASK_QUEUE },
    }),
  });
  running = worker.run();
  token = (await seedTenant(database.db, 'fuzz')).token;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await stopApiTestServer({ app, env, database });
});

describe('the API under generated input', () => {
  it('never answers 5xx to anything its OpenAPI document allows or to malformed variations of it', async () => {
    // The coverage phase walks schemas with Python's compiler, which is not thread-safe under
    // Schemathesis' worker threads ("AST constructor recursion depth mismatch", a runtime error of
    // the tool, not of the API): it runs alone, the other phases on four workers.
    const runPhases = (phases: string, workers: number) =>
      startProcess(
        schemathesisPath(),
        [
          'run',
          `${base}/docs/json`,
          '-H',
          `Authorization: Bearer ${token}`,
          '--checks',
          'not_a_server_error',
          '--phases',
          phases,
          // Most operations wait on PostgreSQL or Temporal, not on the CPU.
          '--workers',
          String(workers),
          '--max-examples',
          '4',
          // Generous: under a loaded CI machine a slow answer is not the failure this test looks for.
          '--request-timeout',
          '30',
          '--seed',
          '20261121',
        ],
        { NO_COLOR: '1' },
      );
    const coverage = runPhases('coverage', 1);
    const coverageExit = await coverage.exited;
    const run = runPhases('examples,fuzzing,stateful', 4);
    const { code } = await run.exited;
    const output = `${coverage.output()}\n${run.output()}`;
    // The report's findings come before its long summary: show them, not only the tail.
    const findings = output
      .split('\n')
      .filter((line) => /error|timed out|timeout|exception|failed/i.test(line))
      .map((line) => line.slice(0, 300))
      .slice(0, 80)
      .join('\n');
    const report = `${findings}\n…\n${output.slice(-2000)}`;
    expect(output, report).not.toMatch(/Server error/);
    expect([coverageExit.code, code], report).toEqual([0, 0]);
  }, 900_000);
});
