import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDescriptors, type SimulationScript, simulate } from '../../flow';
import { bundleWorkflows } from '../../worker/bundle';
import type { RunFlowInput } from '../../workflows/run-flow';
import { loadGoldenFlows } from '../helpers/golden';
import { ScriptedWorld } from '../helpers/scripted-world';
import { createTimeSkippingEnv } from '../helpers/temporal';

const goldens = loadGoldenFlows();
let env: TestWorkflowEnvironment;
let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
});

it('the golden flows cover every node type', () => {
  const types = new Set(
    goldens
      .flatMap((g) => [g.plan, ...Object.values(g.childPlans)])
      .flatMap((p) => Object.values(p.nodes).map((n) => n.type)),
  );
  expect([...types].sort()).toEqual(nodeDescriptors.map((d) => d.type).sort());
});

for (const golden of goldens) {
  describe(`golden flow: ${golden.name}`, () => {
    for (const scenario of golden.scenarios) {
      const script = { ...scenario.script, childPlans: golden.childPlans } as SimulationScript;

      it(`${scenario.name}: the simulator takes the expected path`, async () => {
        const result = await simulate(golden.plan, script);
        expect(result.path.map((s) => s.nodeId)).toEqual(scenario.expected.path);
        expect(result.outcome).toBe(scenario.expected.outcome);
      });

      it(`${scenario.name}: runFlow on Temporal takes the same path`, async () => {
        const world = new ScriptedWorld(script, golden.childPlans);
        const taskQueue = `golden-${randomUUID()}`;
        const worker = await Worker.create({
          connection: env.nativeConnection,
          taskQueue,
          workflowBundle: bundle,
          activities: world.activities(),
        });
        const workflowId = `golden-${randomUUID()}`;
        const input: RunFlowInput = {
          tenantId: 'golden',
          runId: world.script.runId,
          plan: golden.plan,
          contact: world.script.contact,
          trigger: world.script.trigger,
        };
        const state = await worker.runUntil(async () => {
          await env.client.workflow.start('runFlow', { taskQueue, workflowId, args: [input] });
          return world.drive(env, workflowId);
        });
        expect(state.path.map((s) => s.nodeId)).toEqual(scenario.expected.path);
        expect(state.outcome).toBe(scenario.expected.outcome);
        const simulated = await simulate(golden.plan, script);
        expect(state.path.map((s) => [s.nodeId, s.output])).toEqual(simulated.path.map((s) => [s.nodeId, s.output]));
      });
    }
  });
}
