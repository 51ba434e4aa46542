// npm run record:histories — regenerates tests/fixtures/histories/ by running each scenario on a
// real Temporal dev server with scripted activities. Run it only when adding a scenario: the point
// of the corpus is that old histories keep replaying against new code.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { welcomeFlow } from '../tests/helpers/fixtures';
import { bundleWorkflows } from '../worker/bundle';
import type { RunFlowInput } from '../workflows/run-flow';
import { HISTORIES_DIR } from './lib/histories';
import { ensureTemporalBinaries } from './temporal-binaries.mjs';

Runtime.install({ logger: new DefaultLogger('WARN') });
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: ensureTemporalBinaries().cli } },
});
const bundle = await bundleWorkflows();
const tenantId = '00000000-0000-4000-8000-000000000001';
const contact = {
  id: '00000000-0000-4000-8000-000000000002',
  firstName: 'Grace',
  phone: '+14155550123',
  tags: [],
  fields: {},
};

const scenarios: Array<{ name: string; failSend: boolean }> = [
  { name: 'run-flow-welcome-sent', failSend: false },
  { name: 'run-flow-welcome-failed', failSend: true },
];
try {
  for (const s of scenarios) {
    const taskQueue = `record-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: {
        async sendMessage() {
          if (s.failSend)
            throw ApplicationFailure.create({ type: 'InvalidRecipient', message: 'bad number', nonRetryable: true });
          return { providerMessageId: 'sbx_recorded', provider: 'sandbox' };
        },
        async recordRunFinished() {},
      },
    });
    const input: RunFlowInput = { tenantId, runId: randomUUID(), flow: welcomeFlow, contact };
    const handle = await env.client.workflow.start('runFlow', { taskQueue, workflowId: s.name, args: [input] });
    await worker.runUntil(handle.result());
    const history = await handle.fetchHistory();
    writeFileSync(join(HISTORIES_DIR, `${s.name}.json`), `${historyToJSON(history)}\n`);
    process.stdout.write(`recorded ${s.name} (${history.events?.length} events)\n`);
  }
} finally {
  await env.teardown();
}
