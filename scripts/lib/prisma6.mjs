// Schema → SQL generation for migrations, offline. Prisma 7's CLI wants a native schema engine
// these machines cannot download; prisma@6.19.3 (npm alias `prisma6`) runs the wasm schema engine
// Prisma ships when its config says `engine: 'js'`. We use it only for `migrate diff` between two
// datamodels, which needs no introspection (adapter-pg cannot read `name`/`"char"` columns, and
// a shadow database hangs it). Applying migrations is scripts/lib/migrate.mjs's job.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workDir = join(root, '.tools', 'prisma6');

/** Prisma 6 insists on `url` in the datasource block; Prisma 7 refuses it. */
function asPrisma6Schema(schemaText) {
  return schemaText
    .replace(/generator\s+\w+\s*\{[^}]*\}/g, '')
    .replace(/(datasource\s+\w+\s*\{[^}]*provider\s*=\s*"postgresql")/, '$1\n  url = env("PRISMA6_UNUSED_URL")');
}

function writeConfig(url) {
  mkdirSync(workDir, { recursive: true });
  const config = join(workDir, 'prisma.config.ts');
  // The js engine connects its adapter before any command, even a datamodel-to-datamodel diff.
  writeFileSync(
    config,
    `import { defineConfig } from 'prisma6/config';
import { PrismaPg } from 'prisma6-adapter-pg';
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: './to.prisma',
  adapter: async () => new PrismaPg({ connectionString: ${JSON.stringify(url)} }),
});
`,
  );
  return config;
}

/**
 * SQL that takes a database from datamodel `fromText` (null: empty) to datamodel `toText`.
 * Returns '' when they are equivalent. `url` is any reachable PostgreSQL database (nothing is changed in it).
 */
export function diffDatamodels(fromText, toText, url) {
  const config = writeConfig(url);
  const toPath = join(workDir, 'to.prisma');
  writeFileSync(toPath, asPrisma6Schema(toText));
  const args = ['migrate', 'diff', '--config', config, '--to-schema-datamodel', toPath, '--script'];
  if (fromText === null) args.push('--from-empty');
  else {
    const fromPath = join(workDir, 'from.prisma');
    writeFileSync(fromPath, asPrisma6Schema(fromText));
    args.push('--from-schema-datamodel', fromPath);
  }
  // Point the classic engines at a placeholder so nothing tries to download them.
  const placeholder = join(workDir, 'no-native-engine');
  writeFileSync(placeholder, '');
  const out = execFileSync(process.execPath, [join(root, 'node_modules', 'prisma6', 'build', 'index.js'), ...args], {
    cwd: workDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    env: {
      ...process.env,
      PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
      PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  const sql = out.replace(/^Loaded Prisma config.*\n/m, '').trim();
  return /^-- This is an empty migration\.?$/.test(sql) ? '' : sql;
}

export function readSchema() {
  return readFileSync(join(root, 'prisma', 'schema.prisma'), 'utf8');
}
