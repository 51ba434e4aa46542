// bench/campaign: a campaign of RECIPIENTS (default 100k) on the sandbox provider, no pacing
// limit, worked by worker/main.ts against a Temporal dev server. In the same run, the dev server's
// raw rate of client.workflow.start for an empty workflow (bursts before and after the campaign);
// prints the campaign's dispatch rate as a ratio of it (target ≥ 0.8), with the spread the bursts
// give, the worker's peak RSS and the longest history. Asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalDevServerArgs } from '../scripts/lib/temporal-dev-config.mjs';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries.mjs';
import { TEST_ENCRYPTION_KEY } from '../tests/helpers/app';
import { runCampaignAtScale } from './lib/campaign-at-scale';
import { scratchDatabase } from './lib/scratch-db';

const RECIPIENTS = Number(process.env.RECIPIENTS ?? 100_000);

Runtime.install({ logger: new DefaultLogger('ERROR') });
const scratch = await scratchDatabase('campaign');
const url = scratch.url;
// File-backed: in memory, the dev server's SQLite grew to ~20 GB by 95,000 journeys and the run
// died of memory on a 24 GB machine. The raw rate is measured on the same server, so the ratio
// compares like with like.
const serverDir = mkdtempSync(join(tmpdir(), 'sb-bench-temporal-'));
const env = await TestWorkflowEnvironment.createLocal({
  server: {
    executable: { type: 'existing-path', path: ensureTemporalBinaries().cli },
    ip: '127.0.0.1',
    dbFilename: join(serverDir, 'temporal.sqlite'),
    extraArgs: [
      ...temporalDevServerArgs,
      // No fsync per write: the bench measures the server's work, not this machine's disk.
      ...['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'],
      ...(process.env.BENCH_TEMPORAL_ARGS ?? '').split(' ').filter(Boolean),
    ],
  },
});
const db = scratch.db;
try {
  const r = await runCampaignAtScale(
    {
      db,
      databaseUrl: url,
      client: env.client,
      temporalAddress: env.address,
      taskQueue: 'switchboard-bench-campaign',
      encryptionKey: TEST_ENCRYPTION_KEY,
      log: (line) => process.stdout.write(`${line}\n`),
    },
    RECIPIENTS,
    { stopAfterDispatch: process.env.STOP_AFTER_DISPATCH === '1' },
  );
  process.stdout.write(
    [
      `campaign of ${r.recipients} recipients, sandbox SMS, no pacing limit`,
      `raw client.workflow.start (empty workflow): ${r.rawStartsPerSecond.toFixed(0)}/s over ${r.rawBursts.length} bursts of ${r.rawBurstSize} (${r.rawBursts
        .slice(0, r.rawBefore)
        .map((b) => b.toFixed(0))
        .join(', ')}/s before the campaign; ${r.rawBursts
        .slice(r.rawBefore)
        .map((b) => b.toFixed(0))
        .join(', ')}/s after it)`,
      `campaign dispatch: ${r.dispatchPerSecond.toFixed(0)} journeys/s (all started in ${r.dispatchSeconds.toFixed(1)} s; finished in ${r.totalSeconds.toFixed(1)} s)`,
      `ratio dispatch/raw: ${r.ratio.toFixed(2)} (target ≥ 0.8); against one burst alone: ${(r.dispatchPerSecond / Math.max(...r.rawBursts)).toFixed(2)} (the fastest) to ${(r.dispatchPerSecond / Math.min(...r.rawBursts)).toFixed(2)} (the slowest)`,
      `recipients: ${JSON.stringify(r.byStatus)}${process.env.STOP_AFTER_DISPATCH === '1' ? ' (stopped once all had started)' : ''}`,
      `worker peak RSS: ${r.workerPeakRssMb.toFixed(0)} MB`,
      `longest history: campaign ${r.longestCampaignHistory} events (${r.campaignRuns} runs through continue-as-new), a journey ${r.longestJourneyHistory}`,
      '',
    ].join('\n'),
  );
} finally {
  await env.teardown();
  rmSync(serverDir, { recursive: true, force: true });
  await scratch.drop();
}
