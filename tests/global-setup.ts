// Starts what the suite needs, once: the project's PostgreSQL (unless DATABASE_URL is set) with a
// migrated template database each test file clones, and the Temporal binaries.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { adminDatabaseUrl, shareTestCluster } from '../scripts/lib/infra.mjs';
import { applyMigrations, listMigrations } from '../scripts/lib/migrate.mjs';
import { withDatabase } from '../scripts/lib/postgres.mjs';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDb: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
  }
}

export default async function setup(project: TestProject) {
  const pgServer = await adminDatabaseUrl({ forTests: true });
  const migrationsHash = createHash('sha256')
    .update(
      listMigrations()
        .map((m) => `${m.name}:${m.checksum}`)
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 12);
  const template = `sb_test_template_${migrationsHash}`;
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  try {
    // An advisory lock so two suites starting at once do not both build the template.
    await admin.query('SELECT pg_advisory_lock(4242)');
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await applyMigrations(withDatabase(pgServer.url, building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    }
    await admin.query('SELECT pg_advisory_unlock(4242)');
  } finally {
    await admin.end();
  }
  const { cli, testServer } = ensureTemporalBinaries();
  project.provide('pgAdminUrl', pgServer.url);
  project.provide('pgTemplateDb', template);
  project.provide('temporalCliPath', cli);
  project.provide('temporalTestServerPath', testServer);
  // Other test runs and benchmarks may share the cluster: the last one out stops it.
  return shareTestCluster();
}
