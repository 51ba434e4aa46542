import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { build } from 'vite';
import { TEST_SECRETS_ENV } from './app';
import { createTestDatabase, type TestDatabase } from './db';
import { seedTenant } from './fixtures';
import { freePort, type Proc, repoRoot, startProcess, tsxBin, waitFor } from './processes';
import { createDevServerEnv } from './temporal';

export interface Product {
  baseUrl: string;
  token: string;
  contactId: string;
  database: TestDatabase;
  env: TestWorkflowEnvironment;
  api(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; json: unknown }>;
  /** Another tenant on the same running product, with its own key, contact and API helper. */
  withTenant(slug: string): Promise<Product>;
  stop(): Promise<void>;
}

type ApiCall = Product['api'];

function apiFor(baseUrl: string, token: string): ApiCall {
  return async (path, init = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
}

/**
 * The product as `npm start` runs it, for browser tests: a Temporal dev server, a PostgreSQL
 * database, the worker and API processes, the editor built and served by the API, and a tenant.
 */
export async function startProduct(): Promise<Product> {
  const editorDist = mkdtempSync(join(tmpdir(), 'sb-editor-'));
  const [env, database] = await Promise.all([
    createDevServerEnv(),
    createTestDatabase(),
    build({
      configFile: `${repoRoot}editor/vite.config.ts`,
      logLevel: 'warn',
      build: { outDir: editorDist, emptyOutDir: true },
    }),
  ]).then(([e, d]) => [e, d] as const);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'switchboard-browser',
    PORT: String(port),
    // As `npm start` sets it: provider callbacks (the sandbox's delivery receipts) come back here.
    SWITCHBOARD_PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'warn',
    ...TEST_SECRETS_ENV,
    EDITOR_DIST: editorDist,
  };
  const procs: Proc[] = [
    startProcess(tsxBin, ['worker/main.ts'], config),
    startProcess(tsxBin, ['api/server.ts'], config),
  ];
  await waitFor(async () => ((await fetch(`${baseUrl}/health`)).ok ? true : undefined), 'the API', 60_000);
  await waitFor(async () => (procs[0]?.output().includes('worker polling') ? true : undefined), 'the worker', 60_000);
  const seeded = await seedTenant(database.db, `browser-${port}`);
  const product: Product = {
    baseUrl,
    token: seeded.token,
    contactId: seeded.contact.id,
    database,
    env,
    api: apiFor(baseUrl, seeded.token),
    async withTenant(slug) {
      const other = await seedTenant(database.db, `browser-${port}-${slug}`);
      return { ...product, token: other.token, contactId: other.contact.id, api: apiFor(baseUrl, other.token) };
    },
    async stop() {
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
      // A graceful stop waits for open streams and running activities; past 15 s it is not coming.
      const kill = setTimeout(() => {
        for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      }, 15_000);
      await Promise.all(procs.map((p) => p.exited));
      clearTimeout(kill);
      await env.teardown();
      await database.drop();
    },
  };
  return product;
}
