// The 10k-recipient run of bench/campaign, in CI: the product's own worker process, the sandbox
// provider, no pacing limit. Asserts that every recipient is accounted for and reached once, and
// that no history comes near Temporal's limits — never how fast (that is the benchmark's job).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCampaignAtScale } from '../../bench/lib/campaign-at-scale';
import { TEST_ENCRYPTION_KEY } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createDevServerEnv } from '../helpers/temporal';

const RECIPIENTS = 10_000;
let env: TestWorkflowEnvironment;
let database: TestDatabase;

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
});
afterAll(async () => {
  await env?.teardown();
  await database?.drop();
});

it(`runs a ${RECIPIENTS}-recipient campaign to completion, each recipient reached exactly once`, {
  timeout: 40 * 60_000,
}, async () => {
  const r = await runCampaignAtScale(
    {
      db: database.db,
      databaseUrl: database.url,
      client: env.client,
      temporalAddress: env.address,
      taskQueue: 'switchboard-ten-thousand',
      encryptionKey: TEST_ENCRYPTION_KEY,
      log: (line) => process.stdout.write(`[10k] ${line}\n`),
    },
    RECIPIENTS,
  );
  expect(r.byStatus).toEqual({ completed: RECIPIENTS });
  // Counted where the messages went: one outbound SMS per recipient, to as many numbers.
  const sent = await database.db.message.findMany({
    where: { tenantId: r.tenantId, direction: 'outbound' },
    select: { conversation: { select: { address: true } } },
  });
  expect(sent).toHaveLength(RECIPIENTS);
  expect(new Set(sent.map((m) => m.conversation.address)).size).toBe(RECIPIENTS);
  const runs = await database.db.run.count({ where: { tenantId: r.tenantId, status: 'completed' } });
  expect(runs).toBe(RECIPIENTS);
  expect(r.longestCampaignHistory).toBeLessThan(10_000);
  process.stdout.write(
    `[10k] dispatch ${r.dispatchPerSecond.toFixed(0)}/s vs raw start ${r.rawStartsPerSecond.toFixed(0)}/s (ratio ${r.ratio.toFixed(2)}), finished in ${r.totalSeconds.toFixed(0)} s, worker peak RSS ${r.workerPeakRssMb.toFixed(0)} MB, campaign history ≤ ${r.longestCampaignHistory} events over ${r.campaignRuns} runs\n`,
  );
});
