import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDescriptors, type RunState } from '../../flow';
import { listHistoryFixtures } from '../../scripts/lib/histories';
import { bundleWorkflows } from '../../worker/bundle';
import { repoRoot, startProcess, tsxBin } from '../helpers/processes';

const fixtures = listHistoryFixtures();
const typeOf = (f: (typeof fixtures)[number]) =>
  f.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
/** The interpreter's own recordings: what the patched()/nondeterministic variants of runFlow replay. */
const runFlowFixtures = fixtures.filter((f) => typeOf(f) === 'runFlow');
const variant = (name: string) => fileURLToPath(new URL(`../fixtures/workflows/${name}/index.ts`, import.meta.url));
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('replay corpus', () => {
  let bundle: Awaited<ReturnType<typeof bundleWorkflows>>;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('holds runs that between them executed every node type', () => {
    const executed = new Set<string>();
    for (const f of runFlowFixtures) {
      const completed = f.history.events?.find((e) => e.workflowExecutionCompletedEventAttributes);
      const payload = completed?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
      if (!payload) continue;
      const state = defaultPayloadConverter.fromPayload<RunState>(payload);
      for (const step of state.path) executed.add(step.type);
    }
    expect([...executed].sort()).toEqual(nodeDescriptors.map((d) => d.type).sort());
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
    const [first] = runFlowFixtures;
    if (!first) throw new Error('no fixtures');
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, first.history, first.workflowId)).rejects.toThrow(
      /[Nn]ondeterminis/,
    );
  });

  it('accepts the same change behind patched()', async () => {
    const patchedBundle = await bundleWorkflowCode({ workflowsPath: variant('patched'), logger: quiet });
    for (const f of runFlowFixtures) {
      await Worker.runReplayHistory({ workflowBundle: patchedBundle }, f.history, f.workflowId);
    }
  });
});

describe('npm run replay', () => {
  it('replays a history file and reports success', async () => {
    const p = startProcess(
      tsxBin,
      ['scripts/replay.ts', `${repoRoot}tests/fixtures/histories/run-flow-welcome-sent.json`],
      {},
    );
    const { code } = await p.exited;
    expect(p.output()).toMatch(/ok\s+run-flow-welcome-sent/);
    expect(code).toBe(0);
  });

  it('reports the first divergence and exits non-zero', async () => {
    const p = startProcess(
      tsxBin,
      [
        'scripts/replay.ts',
        '--workflows',
        variant('nondeterministic'),
        `${repoRoot}tests/fixtures/histories/run-flow-welcome-sent.json`,
      ],
      {},
    );
    const { code } = await p.exited;
    expect(p.output()).toMatch(/DIVERGED run-flow-welcome-sent: .*[Nn]ondeterminis/);
    expect(code).toBe(1);
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
