// The project's own PostgreSQL cluster: initdb into an ignored folder, its own port, loopback only,
// from the machine's PostgreSQL (installed with apt when missing). DATABASE_URL, when set, wins and
// none of this runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';

const PG_OWNER = 'postgres';

function log(msg) {
  process.stderr.write(`[postgres] ${msg}\n`);
}

function findBinDir() {
  const fromPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromPath.status === 0) {
    const dir = fromPath.stdout.trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  return null;
}

function installPostgres() {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'PostgreSQL is not installed and this user cannot apt-get install it: install postgresql or set DATABASE_URL',
    );
  }
  log('PostgreSQL not found: installing it with apt-get…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** PostgreSQL refuses to run as root; as root the cluster runs as the `postgres` OS user. */
function asOwner(cmd, args) {
  if (process.getuid?.() === 0) return ['runuser', ['-u', PG_OWNER, '--', cmd, ...args]];
  return [cmd, args];
}

function ensureOwnerCanReach(dataDir) {
  if (process.getuid?.() !== 0) return;
  if (spawnSync('id', ['-u', PG_OWNER]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_OWNER]);
  }
  // The owner must traverse every ancestor (a clone under a 0700 mktemp dir would stop it).
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
  }
}

export function portIsOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The port a running cluster of `dataDir` listens on (postmaster.pid's fourth line), if any. */
function runningPort(dataDir) {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : null;
}

/**
 * Starts (initialising on first use) the project's cluster in `dataDir` on `port` ('auto': any
 * free port). A cluster of `dataDir` that is already running is reused, on whatever port it has.
 * Returns the admin connection URL, whether this call started the server, and how to stop it.
 */
export async function ensurePostgres({ dataDir, port: wantedPort }) {
  let bin = findBinDir();
  if (!bin) {
    installPostgres();
    bin = findBinDir();
    if (!bin) throw new Error('PostgreSQL installed but initdb was not found');
  }
  const running = runningPort(dataDir);
  if (running && (await portIsOpen(running))) {
    return { url: `postgresql://postgres@127.0.0.1:${running}/postgres`, started: false, stop: () => {} };
  }
  const port = wantedPort === 'auto' ? await freePort() : wantedPort;
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;

  mkdirSync(dataDir, { recursive: true });
  ensureOwnerCanReach(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising a cluster in ${dataDir}`);
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${PG_OWNER}:`, dataDir]);
    chmodSync(dataDir, 0o700);
    const [cmd, args] = asOwner(join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
    ]);
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    // Loopback only, no Unix socket, and settings sized for a developer machine.
    writeFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      [
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        'max_connections = 200',
        'fsync = on',
        'shared_buffers = 128MB',
        '',
      ].join('\n'),
    );
    if (process.getuid?.() === 0) execFileSync('chown', [`${PG_OWNER}:`, join(dataDir, 'postgresql.auto.conf')]);
  }
  if (await portIsOpen(port)) {
    throw new Error(`port ${port} (PostgreSQL) is in use by another program: set SWITCHBOARD_PG_PORT or DATABASE_URL`);
  }
  const [cmd, args] = asOwner(join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    `-p ${port}`,
    '-l',
    join(dataDir, 'server.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  log(`started on 127.0.0.1:${port}`);
  const stop = () => {
    const [c, a] = asOwner(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    spawnSync(c, a, { stdio: 'ignore' });
  };
  return { url, started: true, stop };
}

/** Stops the cluster in `dataDir` if it is running (fast shutdown). */
export function stopCluster(dataDir) {
  const bin = findBinDir();
  if (!bin || !existsSync(join(dataDir, 'postmaster.pid'))) return;
  const [c, a] = asOwner(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  spawnSync(c, a, { stdio: 'ignore' });
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
