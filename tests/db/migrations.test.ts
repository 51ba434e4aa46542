import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR } from '../../scripts/lib/migrate.mjs';
import { diffDatamodels, readSchema } from '../../scripts/lib/prisma6.mjs';
import { createEmptyDatabase } from '../helpers/db';

type Empty = Awaited<ReturnType<typeof createEmptyDatabase>>;
const dbs: Empty[] = [];
async function emptyDb() {
  const d = await createEmptyDatabase();
  dbs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Everything about the public schema that Prisma's datamodel determines, in a stable order. */
async function catalog(url: string) {
  const columns = await query(
    url,
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`,
  );
  const indexes = await query(
    url,
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`,
  );
  const constraints = await query(
    url,
    `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
      ORDER BY conname`,
  );
  const enums = await query(
    url,
    `SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
  );
  return { columns, indexes, constraints, enums };
}

/** Indexes migrations create by hand, because Prisma's datamodel cannot say them (partial indexes). */
const HAND_WRITTEN_INDEXES: Record<string, string> = {
  CampaignRecipient_due_idx:
    'CREATE INDEX "CampaignRecipient_due_idx" ON public."CampaignRecipient" USING btree ("campaignId", seq) WHERE (status = ANY (ARRAY[\'pending\'::text, \'deferred\'::text]))',
};

describe('prisma/schema.prisma and prisma/migrations', () => {
  it('the latest migration was generated from the current schema', () => {
    const snapshot = readFileSync(join(MIGRATIONS_DIR, 'schema-at-latest-migration.prisma'), 'utf8');
    expect(snapshot, 'schema.prisma changed without a migration: run `npm run db:migration:new -- <name>`').toBe(
      readSchema(),
    );
  });

  it('applying the migrations builds exactly the database the schema describes, and the hand-written indexes', async () => {
    const [migrated, expected] = await Promise.all([emptyDb(), emptyDb()]);
    await applyMigrations(migrated.url);
    const sql = diffDatamodels(null, readSchema(), expected.url);
    await query(expected.url, sql);
    const built = await catalog(migrated.url);
    const handWritten = built.indexes.filter((i) => i.indexname in HAND_WRITTEN_INDEXES);
    expect(Object.fromEntries(handWritten.map((i) => [i.indexname, i.indexdef]))).toEqual(HAND_WRITTEN_INDEXES);
    expect({ ...built, indexes: built.indexes.filter((i) => !(i.indexname in HAND_WRITTEN_INDEXES)) }).toEqual(
      await catalog(expected.url),
    );
  });
});

describe('the migration runner', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-migrations-'));
    mkdirSync(join(dir, '20260101000000_one'));
    writeFileSync(join(dir, '20260101000000_one', 'migration.sql'), 'CREATE TABLE "One" (id int PRIMARY KEY);\n');
    mkdirSync(join(dir, '20260102000000_two'));
    writeFileSync(join(dir, '20260102000000_two', 'migration.sql'), 'ALTER TABLE "One" ADD COLUMN name text;\n');
  });

  it('records each migration in _prisma_migrations as Prisma does, and applies nothing twice', async () => {
    const { url } = await emptyDb();
    expect(await applyMigrations(url, { dir })).toEqual(['20260101000000_one', '20260102000000_two']);
    expect(await applyMigrations(url, { dir })).toEqual([]);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual([
      ['20260101000000_one', sha('CREATE TABLE "One" (id int PRIMARY KEY);\n')],
      ['20260102000000_two', sha('ALTER TABLE "One" ADD COLUMN name text;\n')],
    ]);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('refuses a migration edited after it was applied', async () => {
    const { url } = await emptyDb();
    await applyMigrations(url, { dir });
    const edited = mkdtempSync(join(tmpdir(), 'sb-migrations-'));
    mkdirSync(join(edited, '20260101000000_one'));
    writeFileSync(join(edited, '20260101000000_one', 'migration.sql'), 'CREATE TABLE "One" (id bigint PRIMARY KEY);\n');
    await expect(applyMigrations(url, { dir: edited })).rejects.toThrow(/20260101000000_one was edited/);
  });

  it('rolls a failing migration back whole and names it', async () => {
    const { url } = await emptyDb();
    const bad = mkdtempSync(join(tmpdir(), 'sb-migrations-'));
    mkdirSync(join(bad, '20260101000000_bad'));
    writeFileSync(join(bad, '20260101000000_bad', 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT nope;\n');
    await expect(applyMigrations(url, { dir: bad })).rejects.toThrow(/20260101000000_bad failed/);
    const tables = await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`);
    expect(tables).toHaveLength(0);
  });
});
