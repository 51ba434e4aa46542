// bench/editor: in Debian's Chromium, load and render a 300-node flow (against a 10-node one in
// the same run), then type into the inspector of one step and count how many steps re-render per
// keystroke (it must be about one, not the whole canvas). Prints timings; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pg from 'pg';
import { build } from 'vite';
import { createDb } from '../prisma/client';
import { adminDatabaseUrl } from '../scripts/lib/infra.mjs';
import { applyMigrations } from '../scripts/lib/migrate.mjs';
import { withDatabase } from '../scripts/lib/postgres.mjs';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries.mjs';
import { launchBrowser } from '../tests/helpers/browser';
import { seedTenant } from '../tests/helpers/fixtures';
import { chainFlow } from './lib/flows';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const root = new URL('..', import.meta.url).pathname;
const pgServer = await adminDatabaseUrl({ forTests: true });
const dbName = `sb_bench_${Date.now()}`;
const admin = new pg.Client({ connectionString: pgServer.url });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = withDatabase(pgServer.url, dbName);
await applyMigrations(url);
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: ensureTemporalBinaries().cli } },
});
const dist = mkdtempSync(join(tmpdir(), 'sb-bench-editor-'));
await build({ configFile: `${root}editor/vite.config.ts`, logLevel: 'warn', build: { outDir: dist } });
const db = createDb(url);
const seeded = await seedTenant(db, 'bench');
const port = 30000 + Math.floor(Math.random() * 20000);
const apiProc = spawn(`${root}node_modules/.bin/tsx`, ['api/server.ts'], {
  cwd: root,
  env: {
    ...process.env,
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: env.address,
    PORT: String(port),
    EDITOR_DIST: dist,
    LOG_LEVEL: 'warn',
  },
  stdio: 'ignore',
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 300; i++) {
  if (
    await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 200));
}
const create = async (n: number) => {
  const res = await fetch(`${base}/v1/flows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `${n} nodes`, definition: chainFlow(n) }),
  });
  return ((await res.json()) as { id: string }).id;
};
const small = await create(10);
const big = await create(300);

const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${base}/#key=${seeded.token}`);
  await page.getByRole('heading', { name: 'Flows' }).waitFor();
  const load = async (id: string, count: number) => {
    const t = Date.now();
    await page.evaluate((h) => {
      window.location.hash = h;
    }, `/flows/${id}`);
    await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length >= n, count, {
      timeout: 60_000,
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]') !== null);
    return Date.now() - t;
  };
  const loads = { small: [] as number[], big: [] as number[] };
  for (let i = 0; i < 3; i++) {
    loads.small.push(await load(small, 10));
    await page.evaluate(() => {
      window.location.hash = '/';
    });
    loads.big.push(await load(big, 300));
    await page.evaluate(() => {
      window.location.hash = '/';
    });
  }
  await load(big, 300);
  await page.locator('[data-testid="step-n150"]').click({ force: true });
  const text = page.getByLabel(/^Text/);
  await text.focus();
  await page.keyboard.press('Control+End');
  const before = await page.evaluate(
    () =>
      (window as unknown as { __switchboard: { renderCounts: { steps: number } } }).__switchboard.renderCounts.steps,
  );
  const typed = ' and a few more words';
  const t = Date.now();
  await page.keyboard.type(typed, { delay: 0 });
  await page.waitForFunction((v) => (document.activeElement as HTMLTextAreaElement | null)?.value.endsWith(v), typed);
  const typingMs = Date.now() - t;
  const after = await page.evaluate(
    () =>
      (window as unknown as { __switchboard: { renderCounts: { steps: number } } }).__switchboard.renderCounts.steps,
  );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
  process.stdout.write(
    [
      `load and render: 10 nodes median ${median(loads.small)} ms, 300 nodes median ${median(loads.big)} ms (ratio ${(median(loads.big) / median(loads.small)).toFixed(2)})`,
      `typing ${typed.length} characters into one step's inspector: ${typingMs} ms (${(typingMs / typed.length).toFixed(1)} ms per keystroke)`,
      `step components re-rendered: ${after - before} for ${typed.length} keystrokes (${((after - before) / typed.length).toFixed(2)} per keystroke; the canvas has 300)`,
      '',
    ].join('\n'),
  );
} finally {
  await browser.close();
  apiProc.kill('SIGTERM');
  await db.$disconnect();
  await env.teardown();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
  pgServer.stop();
}
