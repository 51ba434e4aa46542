import {
  type NativeConnection,
  ResourceBasedController,
  Worker,
  type WorkerTuner,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../activities';
import { DispatchGate } from '../activities/campaigns/dispatch-gate';
import { bundleWorkflows } from './bundle';
import { dispatchFirstWorkflowSlots } from './dispatch-first-slots';

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
  /**
   * While a campaign dispatch runs in this worker, begin new workflows at most this many times a
   * second (worker/dispatch-first-slots.ts); unset: no such limit.
   */
  newWorkflowsPerSecondWhileDispatching?: number;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  const rate = opts.newWorkflowsPerSecondWhileDispatching;
  const dispatchFirst = rate ? { gate: new DispatchGate(), rate } : undefined;
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
      ...(dispatchFirst ? { dispatchGate: dispatchFirst.gate } : {}),
    }),
    ...slots(opts, dispatchFirst),
    // A heartbeat's reply is how a cancel reaches an activity: a campaign's pause cancels its
    // dispatch call, and waits for it. The default throttle (80% of the heartbeat timeout) would
    // let that take 16 s; one heartbeat a second is nothing to the server.
    maxHeartbeatThrottleInterval: '1 second',
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}

function slots(opts: CreateWorkerOptions, dispatchFirst: { gate: DispatchGate; rate: number } | undefined) {
  const activities = opts.maxConcurrentActivityTaskExecutions ?? 100;
  const workflowTasks = opts.maxConcurrentWorkflowTaskExecutions ?? 40;
  if (opts.targetCpuUsage === undefined && !dispatchFirst) {
    return { maxConcurrentActivityTaskExecutions: activities, maxConcurrentWorkflowTaskExecutions: workflowTasks };
  }
  const controller =
    opts.targetCpuUsage === undefined
      ? undefined
      : ResourceBasedController.create({ targetCpuUsage: opts.targetCpuUsage, targetMemoryUsage: 0.9 });
  const supplier = (maximumSlots: number, minimumSlots: number) =>
    controller
      ? ({ type: 'resource-based', controller, minimumSlots, maximumSlots } as const)
      : ({ type: 'fixed-size', numSlots: maximumSlots } as const);
  return {
    tuner: {
      workflowTaskSlotSupplier: dispatchFirst
        ? dispatchFirstWorkflowSlots(dispatchFirst.gate, {
            maximumSlots: workflowTasks,
            newWorkflowsPerSecond: dispatchFirst.rate,
          })
        : supplier(workflowTasks, 2),
      activityTaskSlotSupplier: supplier(activities, 1),
      localActivityTaskSlotSupplier: supplier(activities, 1),
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
    } satisfies WorkerTuner,
  };
}
