// The worker process: bundles the workflows, registers the activities, and shuts down gracefully
// on SIGINT/SIGTERM (in-flight activities finish; Temporal hands the rest to another worker).
import { Client, Connection } from '@temporalio/client';
import { makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { knowledgeRuntime } from '../activities/rag/runtime';
import { Secrets } from '../api/crypto/secrets';
import { DevInbox, UnconfiguredMailer } from '../api/mailer';
import { SmtpMailer } from '../api/mailer-smtp';
import { createDb } from '../prisma/client';
import { WorkerConfigSchema } from './config';
import { createWorker } from './create-worker';

const config = WorkerConfigSchema.parse(process.env);
Runtime.install({
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  shutdownSignals: ['SIGINT', 'SIGTERM'],
});
const db = createDb(config.DATABASE_URL);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
// A client as well: activities start webhook deliveries for run events.
const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
const secrets = new Secrets(
  config.SWITCHBOARD_ENCRYPTION_KEYS.split(',')
    .map((k) => k.trim())
    .filter(Boolean),
);
// Reminders go through the same SMTP relay as the API's mail; in development, to .data/inbox.jsonl.
const mailer =
  config.SWITCHBOARD_SMTP_URL && config.SWITCHBOARD_MAIL_FROM
    ? new SmtpMailer({ url: config.SWITCHBOARD_SMTP_URL, from: config.SWITCHBOARD_MAIL_FROM })
    : process.env.NODE_ENV === 'production'
      ? new UnconfiguredMailer()
      : new DevInbox('.data/inbox.jsonl');
// The knowledge base answers the ai-reply node and ingests sources; the same settings as the API's.
const knowledge = knowledgeRuntime(db, config);
const worker = await createWorker({
  mailer,
  answerer: knowledge.knowledge,
  knowledge: () => knowledge,
  connection,
  db,
  secrets,
  publicUrl: config.SWITCHBOARD_PUBLIC_URL,
  // Tenants without a channel of a kind use the sandbox only where that is allowed.
  ...(config.SWITCHBOARD_SANDBOX_FALLBACK ? {} : { providers: null, calls: null }),
  events: { client, taskQueue: config.TEMPORAL_TASK_QUEUE, log: pino({ level: config.LOG_LEVEL }) },
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
  ...(config.WORKER_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS } : {}),
  ...(config.WORKER_TARGET_CPU > 0 ? { targetCpuUsage: config.WORKER_TARGET_CPU } : {}),
  ...(config.WORKER_NEW_WORKFLOWS_PER_SECOND_WHILE_DISPATCHING > 0
    ? { newWorkflowsPerSecondWhileDispatching: config.WORKER_NEW_WORKFLOWS_PER_SECOND_WHILE_DISPATCHING }
    : {}),
});
process.stdout.write(`worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}\n`);
try {
  await worker.run();
} finally {
  await connection.close();
  await clientConnection.close();
  await knowledge.store.close?.();
  await db.$disconnect();
}
