import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startProcess } from '../helpers/processes';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function occupy(): Promise<number> {
  const port = await freePort();
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  servers.push(srv);
  return port;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function start(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-start-'));
  dirs.push(dataDir);
  const proc = startProcess(process.execPath, ['scripts/start.mjs'], {
    SWITCHBOARD_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    EDITOR_PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    SWITCHBOARD_PG_PORT: String(await freePort()),
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    ...env,
  });
  const exit = await proc.exited;
  return { exit, output: proc.output() };
}

describe('npm start', () => {
  it('says which port is taken and exits non-zero when the API port is in use', async () => {
    const port = await occupy();
    const { exit, output } = await start({ PORT: String(port) });
    expect(exit.code).toBe(1);
    expect(output).toContain(`port ${port} for the API (PORT) is already in use`);
  });

  it('stops what it started when the Temporal port turns out to be taken', async () => {
    const port = await occupy();
    const pgPort = await freePort();
    const { exit, output } = await start({ TEMPORAL_PORT: String(port), SWITCHBOARD_PG_PORT: String(pgPort) });
    expect(exit.code).toBe(1);
    expect(output).toContain(`port ${port} (Temporal) is in use`);
    // The PostgreSQL it started for this attempt is stopped again.
    expect(await portIsFree(pgPort)).toBe(true);
  }, 120_000);
});
