import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { listHistoryFixtures } from '../../scripts/lib/histories';
import { bundleWorkflows } from '../../worker/bundle';

const fixtures = listHistoryFixtures();
const variant = (name: string) => fileURLToPath(new URL(`../fixtures/workflows/${name}/index.ts`, import.meta.url));
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('replay corpus', () => {
  let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  it('replays every recorded history against the current workflow code', async () => {
    const results = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: bundle },
      fixtures.map((f) => ({ workflowId: f.workflowId, history: f.history })),
    )) {
      results.push({ workflowId: r.workflowId, error: r.error?.message });
    }
    expect(results).toEqual(fixtures.map((f) => ({ workflowId: f.workflowId, error: undefined })));
  });

  it('catches an interpreter change made without patched()', async () => {
    const changed = await bundleWorkflowCode({ workflowsPath: variant('nondeterministic'), logger: quiet });
    const [first] = fixtures;
    if (!first) throw new Error('no fixtures');
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, first.history, first.workflowId)).rejects.toThrow(
      /[Nn]ondeterminis/,
    );
  });

  it('accepts the same change behind patched()', async () => {
    const patchedBundle = await bundleWorkflowCode({ workflowsPath: variant('patched'), logger: quiet });
    for (const f of fixtures) {
      await Worker.runReplayHistory({ workflowBundle: patchedBundle }, f.history, f.workflowId);
    }
  });
});

describe('workflow bundle', () => {
  it('refuses a workflow that imports a Node built-in, naming the module', async () => {
    const errors: string[] = [];
    const logger = { ...quiet, error: (message: string) => void errors.push(message) };
    await expect(bundleWorkflowCode({ workflowsPath: variant('forbidden-import'), logger })).rejects.toThrow(/Webpack/);
    expect(errors.join('\n')).toMatch(/ERROR in node:fs/);
  });
});
