import { type NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../activities';
import { bundleWorkflows } from './bundle';

export interface CreateWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  workflowBundle?: WorkflowBundleWithSourceMap;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
    activities: createActivities({
      db: opts.db,
      ...(opts.providers !== undefined ? { providers: opts.providers } : {}),
      ...(opts.calls !== undefined ? { calls: opts.calls } : {}),
      ...(opts.events ? { events: opts.events } : {}),
      ...(opts.starter ? { starter: opts.starter } : {}),
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.answerer ? { answerer: opts.answerer } : {}),
    }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 100,
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions ?? 40,
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}
