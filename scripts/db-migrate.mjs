#!/usr/bin/env node
// npm run db:migrate — applies pending migrations to DATABASE_URL, or to the project's own
// cluster's `switchboard` database (started if needed).
import { adminDatabaseUrl } from './lib/infra.mjs';
import { applyMigrations, ensureDatabase } from './lib/migrate.mjs';
import { withDatabase } from './lib/postgres.mjs';

const log = (m) => process.stderr.write(`[db:migrate] ${m}\n`);
let url = process.env.DATABASE_URL;
let stop = () => {};
if (!url) {
  const admin = await adminDatabaseUrl();
  stop = admin.stop;
  await ensureDatabase(admin.url, 'switchboard');
  url = withDatabase(admin.url, 'switchboard');
}
try {
  const applied = await applyMigrations(url, { log });
  log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
} finally {
  stop();
}
