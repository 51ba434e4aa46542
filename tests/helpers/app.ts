import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import type { TestDatabase } from './db';

export const TASK_QUEUE = 'switchboard-test';

export function buildTestApp(database: TestDatabase, env: TestWorkflowEnvironment): Promise<FastifyInstance> {
  return buildApp({ db: database.db, temporal: env.client, taskQueue: TASK_QUEUE, logLevel: 'silent' });
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
