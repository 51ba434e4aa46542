import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files first, so they overlap the many short ones instead of starting last (the
 * 10k-recipient campaign alone runs for minutes); everything else keeps vitest's own order.
 */
const LONG_FIRST = ['ten-thousand.dev-server', 'scale.dev-server', 'fuzz.test'];
const rank = (file: string) => {
  const i = LONG_FIRST.findIndex((name) => file.includes(name));
  return i === -1 ? LONG_FIRST.length : i;
};
class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted].sort((a, b) => rank(a.moduleId) - rank(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup-runtime.ts'],
    // Integration tests start real servers; two cores, so two files at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './tests/summary-reporter.ts'],
    sequence: { sequencer: LongFirstSequencer },
    // Worker processes the tests start take fixed task slots (the default), even when the shell
    // sets WORKER_TARGET_CPU: the CPU a tuner would watch is the whole suite's, not their own load.
    // Apps and workers that build the knowledge base from the environment keep its vectors out of
    // the developer's own .data/vectors.
    env: { WORKER_TARGET_CPU: '0', SWITCHBOARD_VECTOR_DIR: join(tmpdir(), 'switchboard-test-vectors') },
  },
});
