import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import type { TestDatabase } from './db';

export const TASK_QUEUE = 'switchboard-test';
/** Fixed secrets for tests (never used outside them). */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const TEST_SECRETS_ENV = {
  SWITCHBOARD_JWT_SECRET: TEST_JWT_SECRET,
  SWITCHBOARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
};

export function buildTestApp(database: TestDatabase, env: TestWorkflowEnvironment): Promise<FastifyInstance> {
  return buildApp({
    db: database.db,
    temporal: env.client,
    taskQueue: TASK_QUEUE,
    logLevel: process.env.TEST_API_LOG ?? 'silent',
    jwtSecret: TEST_JWT_SECRET,
    encryptionKeys: [TEST_ENCRYPTION_KEY],
  });
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
