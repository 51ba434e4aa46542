import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { type BuildAppOptions, buildApp } from '../../api/app';
import { createTestDatabase, type TestDatabase } from './db';
import { createDevServerEnv } from './temporal';

export const TASK_QUEUE = 'switchboard-test';
/** Fixed secrets for tests (never used outside them). */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const TEST_SECRETS_ENV = {
  SWITCHBOARD_JWT_SECRET: TEST_JWT_SECRET,
  SWITCHBOARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
};

export function buildTestApp(
  database: TestDatabase,
  env: TestWorkflowEnvironment,
  extra: Partial<BuildAppOptions> = {},
): Promise<FastifyInstance> {
  return buildApp({
    ...extra,
    db: database.db,
    temporal: env.client,
    taskQueue: TASK_QUEUE,
    logLevel: process.env.TEST_API_LOG ?? 'silent',
    jwtSecret: TEST_JWT_SECRET,
    encryptionKeys: [TEST_ENCRYPTION_KEY],
    databaseUrl: database.url,
  });
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

export interface ApiTestServer {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  app: FastifyInstance;
}

/** A Temporal dev server, a fresh database and the app on them: the setup of every API test file. */
export async function startApiTestServer(extra: Partial<BuildAppOptions> = {}): Promise<ApiTestServer> {
  const [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
  return { env, database, app: await buildTestApp(database, env, extra) };
}

/** Tears down what startApiTestServer started (whatever part of it exists). */
export async function stopApiTestServer(s: Partial<ApiTestServer>): Promise<void> {
  await s.app?.close();
  await s.env?.teardown();
  await s.database?.drop();
}
