// Steps both `npm start` and `npm test` take before anything runs: dependencies installed from
// the lockfile, and the Prisma client generated from prisma/schema.prisma.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './infra.mjs';

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

export function ensureDependencies(log) {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (
    mtime(installed) >= mtime(join(root, 'package-lock.json')) &&
    existsSync(join(root, 'node_modules', '.bin', 'tsx'))
  )
    return;
  // Not `npm ci`: the registries these machines reach serve only this platform's optional
  // binaries (@biomejs/cli-*, @swc/core-*), so the lockfile cannot list the others and `npm ci`
  // refuses it. `npm install` installs exactly the locked versions all the same.
  log('installing dependencies (npm install)…');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

export function ensurePrismaClient(log) {
  const schema = join(root, 'prisma', 'schema.prisma');
  const client = join(root, 'generated', 'prisma', 'client.ts');
  if (mtime(client) > mtime(schema)) return;
  log('generating the Prisma client…');
  // `generate` needs no schema engine, but the CLI insists on finding one; any file will do.
  mkdirSync(join(root, '.tools'), { recursive: true });
  const placeholder = join(root, '.tools', 'no-schema-engine');
  writeFileSync(placeholder, '');
  execFileSync(process.execPath, [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}
