#!/usr/bin/env node
// `npm test`: installs what is missing, then typecheck, lint, and every vitest suite against real
// servers (the suite's global setup starts PostgreSQL and obtains the Temporal binaries).
// Extra arguments go to vitest: `npm test -- tests/flow`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const log = (m) => process.stderr.write(`[test] ${m}\n`);
const { ensureDependencies, ensurePrismaClient } = await import('./lib/prepare.mjs');
ensureDependencies(log);
ensurePrismaClient(log);
const { root } = await import('./lib/infra.mjs');
const { ensureTemporalBinaries } = await import('./temporal-binaries.mjs');
ensureTemporalBinaries();
const { ensureChromium } = await import('./lib/chromium.mjs');
ensureChromium(log);
const { ensureSchemathesis } = await import('./lib/schemathesis.mjs');
ensureSchemathesis(log);

const bin = (name) => join(root, 'node_modules', '.bin', name);
const args = process.argv.slice(2);
const steps = [];
if (args.length === 0) {
  steps.push(['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']]);
  steps.push(['lint', bin('biome'), ['check', '--diagnostic-level=error', '.']]);
}
steps.push(['vitest', bin('vitest'), ['run', ...args]]);

const started = Date.now();
for (const [name, cmd, cmdArgs] of steps) {
  log(`${name}…`);
  const t = Date.now();
  const r = spawnSync(cmd, cmdArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' },
  });
  if (r.status !== 0) {
    log(`${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  log(`${name} passed in ${((Date.now() - t) / 1000).toFixed(1)}s`);
}
log(`all passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
