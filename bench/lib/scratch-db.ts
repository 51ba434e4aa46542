// A migrated scratch database on the test cluster for one benchmark run, dropped afterwards.
import pg from 'pg';
import { createDb, type Db } from '../../prisma/client';
import { adminDatabaseUrl, shareTestCluster } from '../../scripts/lib/infra.mjs';
import { applyMigrations } from '../../scripts/lib/migrate.mjs';
import { withDatabase } from '../../scripts/lib/postgres.mjs';

export interface ScratchDb {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function scratchDatabase(name: string): Promise<ScratchDb> {
  // A test run finishing beside the benchmark must not stop the cluster under it: the mark goes
  // down before the cluster is found, so no test run can end between the two.
  const release = shareTestCluster();
  const pgServer = await adminDatabaseUrl({ forTests: true });
  const dbName = `sb_bench_${name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: pgServer.url });
  admin.on('error', () => undefined); // the cluster may be stopped under us; queries still fail loudly
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = withDatabase(pgServer.url, dbName);
  await applyMigrations(url);
  const db = createDb(url);
  return {
    url,
    db,
    async drop() {
      try {
        await db.$disconnect();
        await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
        await admin.end();
      } finally {
        release();
      }
    },
  };
}
