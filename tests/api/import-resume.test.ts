// An import interrupted mid-file (the API shut down, or crashed and left a stale heartbeat) is
// resumed by the next API process from the rows it had committed: every row once, none twice.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auth, buildTestApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { createDevServerEnv } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await env?.teardown();
  await database?.drop();
});

const ROWS = 8_000;
/** Every 40th row has a bad phone; every 100th repeats the email of the row 50 before it. */
function csv(tag: string): string {
  const lines = ['First Name,Phone,Email'];
  for (let i = 0; i < ROWS; i++) {
    const phone =
      i % 40 === 3
        ? 'not a phone'
        : `+1 (303) ${String(200 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, '0')}`;
    const email = i % 100 === 99 ? `${tag}${i - 50}@resume.example` : `${tag}${i}@resume.example`;
    lines.push(`Row ${i},${phone},${email}`);
  }
  return `${lines.join('\n')}\n`;
}

async function newApp() {
  const app = await buildTestApp(database, env);
  apps.push(app);
  await app.ready();
  return app;
}

async function startImport(app: FastifyInstance, token: string, content: string) {
  const boundary = '----switchboardresume';
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  const up = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    payload,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...auth(token) },
  });
  expect(up.statusCode, up.body).toBe(201);
  const { id, suggestedMapping } = up.json<{ id: string; suggestedMapping: Record<string, string> }>();
  const started = await app.inject({
    method: 'POST',
    url: `/v1/imports/${id}/start`,
    payload: { mapping: suggestedMapping, defaultCountry: 'US' },
    headers: auth(token),
  });
  expect(started.statusCode, started.body).toBe(202);
  return id;
}

async function interruptMidway(app: FastifyInstance, id: string) {
  await waitFor(
    async () => {
      const job = await database.db.importJob.findUniqueOrThrow({ where: { id } });
      return job.processedRows >= 1_000 ? job : undefined;
    },
    'the first batches',
    60_000,
  );
  await app.close();
  const job = await database.db.importJob.findUniqueOrThrow({ where: { id } });
  expect(job.status).toBe('running');
  expect(job.processedRows).toBeLessThan(ROWS);
  return job;
}

async function expectExactlyOnce(id: string, tenantId: string, tag: string) {
  const job = await waitFor(
    async () => {
      const j = await database.db.importJob.findUniqueOrThrow({ where: { id } });
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    },
    'the resumed import',
    120_000,
  );
  expect(job.status).toBe('completed');
  expect(job.processedRows).toBe(ROWS);
  const badPhones = ROWS / 40;
  expect(job.errorRows).toBe(badPhones);
  expect(job.createdRows + job.updatedRows + job.errorRows).toBe(ROWS);
  const contacts = await database.db.contact.count({ where: { tenantId, email: { startsWith: tag } } });
  expect(contacts).toBe(job.createdRows);
  const errors = await database.db.importRowError.count({ where: { importId: id } });
  expect(errors).toBe(badPhones); // no row reported twice
  const audit = await database.db.auditLog.findFirstOrThrow({ where: { action: 'contacts.imported', targetId: id } });
  expect(audit.details).toMatchObject({ status: 'completed', processedRows: ROWS, resumed: true });
}

it('resumes an import the API shut down in the middle of', async () => {
  const first = await newApp();
  const t = await seedTenant(database.db, 'resume-shutdown');
  const id = await startImport(first, t.token, csv('a'));
  const interrupted = await interruptMidway(first, id);
  expect(interrupted.heartbeatAt).toBeNull();
  await newApp(); // finds it on start
  await expectExactlyOnce(id, t.tenant.id, 'a');
});

it('resumes an import whose process crashed (its heartbeat went stale)', async () => {
  const first = await newApp();
  const t = await seedTenant(database.db, 'resume-crash');
  const id = await startImport(first, t.token, csv('b'));
  await interruptMidway(first, id);
  // What a SIGKILL leaves behind: the last heartbeat, long ago.
  await database.db.importJob.update({ where: { id }, data: { heartbeatAt: new Date(Date.now() - 3_600_000) } });
  await newApp();
  await expectExactlyOnce(id, t.tenant.id, 'b');
});
