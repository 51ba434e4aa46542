// A real worker for a test file: the bundled workflows and the real activities on the file's
// database, polling the test task queue; `stop` shuts it down and waits for it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../../activities';
import type { Db } from '../../prisma/client';
import { bundleWorkflows } from '../../worker/bundle';
import { TASK_QUEUE } from './app';

export interface TestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** No provider fallback unless asked: sends fail as they would without a channel. */
export async function startTestWorker(
  env: TestWorkflowEnvironment,
  db: Db,
  deps: Omit<ActivityDeps, 'db'> = {},
): Promise<TestWorker> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({
      db,
      providers: null,
      calls: null,
      starter: { client: env.client, taskQueue: TASK_QUEUE },
      ...deps,
    }),
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
