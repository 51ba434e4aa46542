#!/usr/bin/env node
// npm run db:migration:new -- <name>
// Diffs prisma/schema.prisma against the schema as of the latest migration and writes the SQL as
// a new migration in Prisma's layout; then records the schema as the new "latest".
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminDatabaseUrl } from './lib/infra.mjs';
import { MIGRATIONS_DIR } from './lib/migrate.mjs';
import { diffDatamodels, readSchema } from './lib/prisma6.mjs';

export const SNAPSHOT = join(MIGRATIONS_DIR, 'schema-at-latest-migration.prisma');

const name = (process.argv[2] ?? '')
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '_')
  .replace(/^_|_$/g, '');
if (!name) {
  process.stderr.write('usage: npm run db:migration:new -- <name>\n');
  process.exit(2);
}
const schema = readSchema();
const previous = existsSync(SNAPSHOT) ? readFileSync(SNAPSHOT, 'utf8') : null;
const sql = diffDatamodels(previous, schema, (await adminDatabaseUrl()).url);
if (!sql) {
  process.stdout.write('prisma/schema.prisma has no changes since the latest migration.\n');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), `${sql}\n`);
writeFileSync(join(MIGRATIONS_DIR, 'migration_lock.toml'), 'provider = "postgresql"\n');
writeFileSync(SNAPSHOT, schema);
process.stdout.write(`wrote ${dir}/migration.sql\n`);
