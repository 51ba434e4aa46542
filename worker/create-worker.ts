import {
  type NativeConnection,
  ResourceBasedController,
  Worker,
  type WorkerTuner,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
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
  /**
   * Hand out task slots only while the machine's CPU is under this fraction (0–1), up to the
   * maximums above: a worker sharing its cores takes what it can finish instead of a backlog.
   */
  targetCpuUsage?: number;
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
      ...(opts.mailer ? { mailer: opts.mailer } : {}),
      ...(opts.knowledge ? { knowledge: opts.knowledge } : {}),
      ...(opts.allowPrivateUrls ? { allowPrivateUrls: true } : {}),
    }),
    ...slots(opts),
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}

function slots(opts: CreateWorkerOptions) {
  const activities = opts.maxConcurrentActivityTaskExecutions ?? 100;
  const workflowTasks = opts.maxConcurrentWorkflowTaskExecutions ?? 40;
  if (opts.targetCpuUsage === undefined) {
    return { maxConcurrentActivityTaskExecutions: activities, maxConcurrentWorkflowTaskExecutions: workflowTasks };
  }
  const controller = ResourceBasedController.create({ targetCpuUsage: opts.targetCpuUsage, targetMemoryUsage: 0.9 });
  const basedOnResources = (maximumSlots: number, minimumSlots: number) =>
    ({ type: 'resource-based', controller, minimumSlots, maximumSlots }) as const;
  return {
    tuner: {
      workflowTaskSlotSupplier: basedOnResources(workflowTasks, 2),
      activityTaskSlotSupplier: basedOnResources(activities, 1),
      localActivityTaskSlotSupplier: basedOnResources(activities, 1),
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
    } satisfies WorkerTuner,
  };
}
