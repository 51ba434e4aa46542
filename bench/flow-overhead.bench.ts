// bench/flow-overhead: the same five sends as a flow under runFlow and as a hand-written workflow,
// on the Temporal dev server in one run. Prints the latency ratio (target <= 1.15) and history
// events per step; then validation and compile time for a 300-node flow.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { compileFlow, validateFlow } from '../flow';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries.mjs';
import { chainFlow, fiveSendFlow } from './lib/flows';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

Runtime.install({ logger: new DefaultLogger('WARN') });
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: ensureTemporalBinaries().cli } },
});
try {
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const taskQueue = 'bench';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      async sendMessage(i: { idempotencyKey: string }) {
        return { providerMessageId: i.idempotencyKey, provider: 'bench' };
      },
      async recordRunFinished() {},
    },
  });
  const compiled = compileFlow(fiveSendFlow());
  if (!compiled.ok) throw new Error('bench flow invalid');
  const contact = { id: 'bench', firstName: 'Bench', phone: '+14155550100', tags: [], fields: {} };
  const flowTimes: number[] = [];
  const baseTimes: number[] = [];
  let flowEvents = 0;
  let baseEvents = 0;
  await worker.runUntil(async () => {
    for (let round = -3; round < ROUNDS; round++) {
      // Alternate so both see the same server state; the first rounds warm up and are not counted.
      for (const kind of round % 2 === 0 ? (['flow', 'base'] as const) : (['base', 'flow'] as const)) {
        const workflowId = `bench-${kind}-${randomUUID()}`;
        const t = performance.now();
        if (kind === 'flow') {
          await env.client.workflow.execute('runFlow', {
            taskQueue,
            workflowId,
            args: [{ tenantId: 'bench', runId: workflowId, plan: compiled.plan, contact }],
          });
        } else {
          await env.client.workflow.execute('baselineFiveSends', {
            taskQueue,
            workflowId,
            args: [{ workflowId, to: contact.phone }],
          });
        }
        const elapsed = performance.now() - t;
        if (round < 0) continue;
        (kind === 'flow' ? flowTimes : baseTimes).push(elapsed);
        if (round === 0) {
          const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
          if (kind === 'flow') flowEvents = events;
          else baseEvents = events;
        }
      }
    }
  });
  const ratio = median(flowTimes) / median(baseTimes);
  process.stdout.write(
    [
      `five sends, ${ROUNDS} rounds each, Temporal dev server:`,
      `  hand-written workflow  median ${median(baseTimes).toFixed(1)} ms  mean ${mean(baseTimes).toFixed(1)} ms  ${baseEvents} history events (${(baseEvents / 5).toFixed(1)} per step)`,
      `  runFlow                median ${median(flowTimes).toFixed(1)} ms  mean ${mean(flowTimes).toFixed(1)} ms  ${flowEvents} history events (${(flowEvents / 5).toFixed(1)} per step)`,
      `  latency ratio runFlow / hand-written: ${ratio.toFixed(3)} (target <= 1.15)`,
      '',
    ].join('\n'),
  );
} finally {
  await env.teardown();
}

const big = chainFlow(300);
const times = { validate: [] as number[], compile: [] as number[] };
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  validateFlow(big);
  times.validate.push(performance.now() - t);
  t = performance.now();
  compileFlow(big);
  times.compile.push(performance.now() - t);
}
process.stdout.write(
  `300-node flow: validate median ${median(times.validate).toFixed(2)} ms, validate+compile median ${median(times.compile).toFixed(2)} ms\n`,
);
