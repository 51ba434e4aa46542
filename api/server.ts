// Listens and closes gracefully; everything else is in app.ts.
import { Client, Connection } from '@temporalio/client';
import { knowledgeRuntime } from '../activities/rag/runtime';
import { createDb } from '../prisma/client';
import { buildApp } from './app';
import { ApiConfigSchema } from './config';
import { catchUpIngestion } from './knowledge/ingestion';
import { SmtpMailer } from './mailer-smtp';

const config = ApiConfigSchema.parse(process.env);
if (config.SWITCHBOARD_SMTP_URL && !config.SWITCHBOARD_MAIL_FROM) {
  process.stderr.write('switchboard api: SWITCHBOARD_SMTP_URL is set: set SWITCHBOARD_MAIL_FROM too\n');
  process.exit(1);
}
// Without SMTP, buildApp uses the development inbox (or, in production, a mailer that refuses).
const mailer =
  config.SWITCHBOARD_SMTP_URL && config.SWITCHBOARD_MAIL_FROM
    ? new SmtpMailer({ url: config.SWITCHBOARD_SMTP_URL, from: config.SWITCHBOARD_MAIL_FROM })
    : undefined;
const db = createDb(config.DATABASE_URL);
const knowledge = knowledgeRuntime(db, config);
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
const app = await buildApp({
  db,
  temporal,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  jwtSecret: config.SWITCHBOARD_JWT_SECRET,
  encryptionKeys: config.SWITCHBOARD_ENCRYPTION_KEYS,
  logLevel: config.LOG_LEVEL,
  bodyLimit: config.BODY_LIMIT_BYTES,
  databaseUrl: config.DATABASE_URL,
  // Voice agents answer from the tenant's knowledge base, as the ai-reply node does.
  answerer: knowledge.knowledge,
  knowledge: () => knowledge,
  ...(mailer ? { mailer } : {}),
  ...(config.SWITCHBOARD_PUBLIC_URL ? { publicUrl: config.SWITCHBOARD_PUBLIC_URL } : {}),
  ...(config.EDITOR_DIST ? { editorDist: config.EDITOR_DIST } : {}),
});

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  await app.close();
  await connection.close();
  await db.$disconnect();
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ host: config.HOST, port: config.PORT });
  // Sources saved while Temporal was away, or indexed with another embedder, are started now and
  // every ten minutes after.
  const catchUp = () =>
    catchUpIngestion(app, knowledge.embedder.id).catch((err: unknown) =>
      app.log.warn({ err }, 'knowledge catch-up failed; it runs again later'),
    );
  void catchUp();
  setInterval(catchUp, 10 * 60_000).unref();
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  const message =
    code === 'EADDRINUSE'
      ? `port ${config.PORT} on ${config.HOST} is already in use: set PORT to a free one`
      : String(err);
  process.stderr.write(`switchboard api: ${message}\n`);
  await shutdown('startup-failure');
  process.exitCode = 1;
}
