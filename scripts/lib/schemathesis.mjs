// The API fuzz test drives schemathesis (PyPI) against the OpenAPI document. Installed with pip
// when missing; its executable is found in Python's scripts directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SCHEMATHESIS_VERSION = '4.32.5';

export function schemathesisPath() {
  const scripts = execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_path('scripts'))"], {
    encoding: 'utf8',
  }).trim();
  return join(scripts, 'schemathesis');
}

export function ensureSchemathesis(log) {
  const bin = schemathesisPath();
  if (existsSync(bin)) return bin;
  log(`installing schemathesis ${SCHEMATHESIS_VERSION} for the API fuzz test…`);
  const r = spawnSync('python3', ['-m', 'pip', 'install', '-q', `schemathesis==${SCHEMATHESIS_VERSION}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('could not install schemathesis');
  return bin;
}
