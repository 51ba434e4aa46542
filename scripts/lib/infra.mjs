// Development infrastructure shared by `npm start`, `npm test` and the db scripts: where data
// lives, which ports, and how to bring up PostgreSQL and the Temporal dev server when the
// environment does not point at existing ones.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTemporalBinaries } from '../temporal-binaries.mjs';
import { ensurePostgres, portIsOpen, stopCluster, withDatabase } from './postgres.mjs';
import { temporalDevServerArgs } from './temporal-dev-config.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dataDir = resolve(process.env.SWITCHBOARD_DATA_DIR ?? join(root, '.data'));

export const ports = {
  postgres: Number(process.env.SWITCHBOARD_PG_PORT ?? 54329),
  temporal: Number(process.env.TEMPORAL_PORT ?? 7233),
  temporalUi: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
  api: Number(process.env.PORT ?? 3000),
  editor: Number(process.env.EDITOR_PORT ?? 5173),
};

/**
 * A connection URL for administering the server: DATABASE_URL's server when set, otherwise the
 * project's own cluster, started on demand.
 */
export async function adminDatabaseUrl({ forTests = false } = {}) {
  if (process.env.DATABASE_URL) {
    return { url: withDatabase(process.env.DATABASE_URL, 'postgres'), started: false, stop: () => {} };
  }
  // The test suite keeps a cluster of its own on any free port, so it never collides with the
  // one `npm start` runs (or anything else on 54329).
  if (forTests) return ensurePostgres({ dataDir: join(dataDir, 'postgres-test'), port: 'auto' });
  return ensurePostgres({ dataDir: join(dataDir, 'postgres'), port: ports.postgres });
}

/** Stops the test suite's cluster, whoever started it. */
export function stopTestCluster() {
  stopCluster(join(dataDir, 'postgres-test'));
}

/**
 * Marks this process as a user of the test cluster (a test run, a benchmark). Several may share
 * it — an editor's test run beside a terminal's, a benchmark beside either — and the last one out
 * stops it: the returned function removes the mark and stops the cluster once no live process
 * holds one. A benchmark once lost its database mid-run to a test run that thought it was alone.
 */
export function shareTestCluster() {
  const marks = join(dataDir, 'postgres-test-users');
  mkdirSync(marks, { recursive: true });
  writeFileSync(join(marks, String(process.pid)), '');
  return () => {
    rmSync(join(marks, String(process.pid)), { force: true });
    const alive = readdirSync(marks).filter((pid) => {
      try {
        process.kill(Number(pid), 0);
        return true;
      } catch {
        rmSync(join(marks, pid), { force: true });
        return false;
      }
    });
    if (alive.length === 0 && !process.env.DATABASE_URL) stopTestCluster();
  };
}

/** Waits until `port` accepts connections, or throws after `timeoutMs`. */
export async function waitForPort(port, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portIsOpen(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs / 1000}s`);
}

/**
 * Starts the Temporal dev server (with its UI, file-backed so workflows survive restarts) unless
 * TEMPORAL_ADDRESS points elsewhere. Returns its address and a stop function.
 */
export async function ensureTemporalDevServer({ dbFile = join(dataDir, 'temporal', 'dev.sqlite'), log } = {}) {
  if (process.env.TEMPORAL_ADDRESS) return { address: process.env.TEMPORAL_ADDRESS, child: null, stop: async () => {} };
  const { temporal: port, temporalUi: uiPort } = ports;
  if (await portIsOpen(port)) {
    throw new Error(
      `port ${port} (Temporal) is in use by another program: stop it, or set TEMPORAL_PORT or TEMPORAL_ADDRESS`,
    );
  }
  if (await portIsOpen(uiPort)) throw new Error(`port ${uiPort} (Temporal UI) is in use: set TEMPORAL_UI_PORT`);
  const { cli } = ensureTemporalBinaries();
  mkdirSync(dirname(dbFile), { recursive: true });
  const child = spawn(
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      dbFile,
      '--namespace',
      'default',
      '--log-level',
      'warn',
      ...temporalDevServerArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr.on('data', (d) => log?.(String(d).trimEnd()));
  await waitForPort(port, 60_000, 'Temporal dev server');
  const stop = () =>
    new Promise((res) => {
      if (child.exitCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  return { address: `127.0.0.1:${port}`, child, stop };
}
