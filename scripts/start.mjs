#!/usr/bin/env node
// `npm start`: the whole product on one machine with embedded defaults. Installs what is missing,
// starts PostgreSQL and the Temporal dev server (unless DATABASE_URL / TEMPORAL_ADDRESS point at
// existing ones), applies migrations, seeds a demo tenant, then runs the worker, the API and the
// editor. Ctrl-C stops everything it started; data in .data/ survives for the next start.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const log = (m) => process.stderr.write(`[start] ${m}\n`);

// Dependencies first: everything below may import them.
const { ensureDependencies, ensurePrismaClient } = await import('./lib/prepare.mjs');
ensureDependencies(log);
ensurePrismaClient(log);

const { adminDatabaseUrl, dataDir, ensureTemporalDevServer, ports, root } = await import('./lib/infra.mjs');
const { applyMigrations, ensureDatabase } = await import('./lib/migrate.mjs');
const { portIsOpen, withDatabase } = await import('./lib/postgres.mjs');
const { devSecrets } = await import('./lib/dev-secrets.mjs');

const cleanups = [];
const children = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise((res) => {
          if (c.exitCode !== null) return res();
          const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(t);
            res();
          });
        }),
    ),
  );
  for (const fn of cleanups.reverse()) await fn();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function fail(message) {
  process.stderr.write(`\nswitchboard: ${message}\n`);
  await stopAll(1);
}

try {
  // Refuse early, and say which port, rather than half-start.
  for (const [name, port] of [
    ['API (PORT)', ports.api],
    ['editor (EDITOR_PORT)', ports.editor],
  ]) {
    if (await portIsOpen(port)) await fail(`port ${port} for the ${name} is already in use; free it or choose another`);
  }

  const pg = await adminDatabaseUrl();
  cleanups.push(async () => pg.stop());
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    await ensureDatabase(pg.url, 'switchboard');
    databaseUrl = withDatabase(pg.url, 'switchboard');
  }
  const applied = await applyMigrations(databaseUrl, { log });
  if (applied.length) log(`applied ${applied.length} migration(s)`);

  const temporal = await ensureTemporalDevServer({ log: (l) => process.env.DEBUG && log(l) });
  cleanups.push(temporal.stop);

  const secrets = devSecrets(dataDir);
  const env = {
    ...process.env,
    SWITCHBOARD_JWT_SECRET: process.env.SWITCHBOARD_JWT_SECRET ?? secrets.jwtSecret,
    SWITCHBOARD_ENCRYPTION_KEYS: process.env.SWITCHBOARD_ENCRYPTION_KEYS ?? secrets.encryptionKey,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    SWITCHBOARD_DATA_DIR: dataDir,
    // The API (search, ask) and the worker (ingestion) share the embedded vector store.
    SWITCHBOARD_VECTOR_DIR: process.env.SWITCHBOARD_VECTOR_DIR ?? join(dataDir, 'vectors'),
    PORT: String(ports.api),
    EDITOR_PORT: String(ports.editor),
    SWITCHBOARD_PUBLIC_URL: process.env.SWITCHBOARD_PUBLIC_URL ?? `http://127.0.0.1:${ports.api}`,
  };
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const seed = await new Promise((res, rej) => {
    const child = spawn(tsx, [join(root, 'scripts', 'seed-cli.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`seeding failed (exit ${code})`))));
  });

  const run = (name, cmd, args) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      if (!stopping) void fail(`${name} exited (${signal ?? `code ${code}`})`);
    });
    children.push(child);
    return child;
  };
  run('worker', tsx, [join(root, 'worker', 'main.ts')]);
  run('api', tsx, [join(root, 'api', 'server.ts')]);
  run('editor', join(root, 'node_modules', '.bin', 'vite'), [
    '--config',
    join(root, 'editor', 'vite.config.ts'),
    '--port',
    String(ports.editor),
    '--strictPort',
    '--host',
    '127.0.0.1',
  ]);

  const { waitForPort } = await import('./lib/infra.mjs');
  await waitForPort(ports.api, 60_000, 'API');
  await waitForPort(ports.editor, 60_000, 'editor');
  const temporalUi = process.env.TEMPORAL_ADDRESS ? '(external Temporal)' : `http://127.0.0.1:${ports.temporalUi}`;
  process.stdout.write(`
  Switchboard is running.

    Editor       http://127.0.0.1:${ports.editor}/#key=${seed.token}
    API          http://127.0.0.1:${ports.api}   (OpenAPI: http://127.0.0.1:${ports.api}/docs)
    Temporal UI  ${temporalUi}
    PostgreSQL   ${databaseUrl}

    Demo tenant API key: ${seed.token}

    Start a journey:
      curl -s -X POST http://127.0.0.1:${ports.api}/v1/runs \\
        -H "Authorization: Bearer ${seed.token}" -H 'Content-Type: application/json' \\
        -d '{"flowId":"${seed.flowId}","contactId":"${seed.contactId}"}'

    Every channel runs on the sandbox network: simulated customers reply, ignore or say STOP,
    through the same webhook routes as Twilio's. The inbox: GET /v1/conversations
    Web-chat widget: <script src="http://127.0.0.1:${ports.api}/webchat/${seed.webchatId}/widget.js"></script>

  Ctrl-C stops everything.
`);
} catch (err) {
  await fail(err instanceof Error ? err.message : String(err));
}
