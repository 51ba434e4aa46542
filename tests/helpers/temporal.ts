import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { temporalDevServerArgs } from '../../scripts/lib/temporal-dev-config.mjs';

/** A real Temporal dev server (the CLI's `server start-dev`), in memory, on a free port. */
export function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: inject('temporalCliPath') },
      ip: '127.0.0.1',
      log: { level: 'warn', format: 'pretty' },
      extraArgs: temporalDevServerArgs,
    },
  });
}

/** The Temporal test server, whose clock skips ahead whenever every workflow is waiting. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
}
