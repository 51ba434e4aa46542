// npm run record:histories — records a runFlow history for every golden scenario
// (tests/fixtures/flows) into tests/fixtures/histories/, on the time-skipping test server with the
// scripted world the golden tests use. Run it when adding scenarios or node types; never to
// "fix" a failing replay — a history that no longer replays means the change needs patched().
// Files are never overwritten: each generation of the interpreter adds its own recordings
// (bump GENERATION when runFlow's command sequence changes behind a new patch), so the corpus keeps
// proving that every earlier shape still replays. The run-flow-welcome-*.json histories come from
// the first interpreter (issue 2); golden-*.json from the second; golden-g3-*.json from the third
// (run bookkeeping as a local activity).
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { SimulationScript } from '../flow';
import { loadGoldenFlows } from '../tests/helpers/golden';
import { ScriptedWorld } from '../tests/helpers/scripted-world';
import { bundleWorkflows } from '../worker/bundle';
import type { RunFlowInput } from '../workflows/run-flow';
import { HISTORIES_DIR } from './lib/histories';
import { ensureTemporalBinaries } from './temporal-binaries.mjs';

const GENERATION = 3;

Runtime.install({ logger: new DefaultLogger('WARN') });
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: ensureTemporalBinaries().testServer } },
});
const bundle = await bundleWorkflows();
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
try {
  for (const golden of loadGoldenFlows()) {
    for (const scenario of golden.scenarios) {
      const script = { ...scenario.script, childPlans: golden.childPlans } as SimulationScript;
      const world = new ScriptedWorld(script, golden.childPlans);
      const taskQueue = `record-${randomUUID()}`;
      const workflowId = `golden-g${GENERATION}-${slug(golden.file.replace(/\.json$/, ''))}-${slug(scenario.name)}`;
      if (existsSync(join(HISTORIES_DIR, `${workflowId}.json`))) continue;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: world.activities(),
      });
      const input: RunFlowInput = {
        tenantId: 'golden',
        runId: world.script.runId,
        plan: golden.plan,
        contact: world.script.contact,
        trigger: world.script.trigger,
      };
      await worker.runUntil(async () => {
        await env.client.workflow.start('runFlow', { taskQueue, workflowId, args: [input] });
        return world.drive(env, workflowId);
      });
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      writeFileSync(join(HISTORIES_DIR, `${workflowId}.json`), `${historyToJSON(history)}\n`);
      process.stdout.write(`recorded ${workflowId} (${history.events?.length} events)\n`);
    }
  }
} finally {
  await env.teardown();
}
