import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { type Connection, connect, type Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from 'apache-arrow';
import type { ChunkMetadata, VectorMatch, VectorQuery, VectorRecord, VectorStore } from '../types';
import { checkedDelete, checkedQuery, checkedRecords } from './checks';

const TABLE_PREFIX = 'chunks_';

/**
 * One table per embedder and size: vectors of different models never share a table, and a
 * table's vector column has one fixed size. The readable part is for people browsing the
 * directory; the hash keeps ids that slug alike (`a:b`, `a_b`) apart.
 */
export function lanceTableName(embedderId: string, dimensions: number): string {
  const slug = embedderId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48);
  const hash = createHash('sha256').update(embedderId).digest('hex').slice(0, 8);
  return `${TABLE_PREFIX}${[slug, `${dimensions}d`, hash].filter(Boolean).join('_')}`;
}

// snake_case columns: Lance 0.27 (under @lancedb/lancedb 0.19) lowercases camelCase join keys in
// mergeInsert ("No field named target_tenantid"), and unquoted camelCase names in filters.
function chunkSchema(dimensions: number): Schema {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
    new Field('tenant_id', new Utf8(), false),
    new Field('source_id', new Utf8(), false),
    new Field('chunk_id', new Utf8(), false),
    new Field('ordinal', new Int32(), false),
    new Field('embedder_id', new Utf8(), false),
  ]);
}

type ChunkRow = {
  id: string;
  vector: number[];
  tenant_id: string;
  source_id: string;
  chunk_id: string;
  ordinal: number;
  embedder_id: string;
};
type ChunkHit = Omit<ChunkRow, 'vector'> & { _distance: number };
const HIT_COLUMNS = ['id', 'tenant_id', 'source_id', 'chunk_id', 'ordinal', 'embedder_id'];

const toRow = ({ id, values, metadata }: VectorRecord): ChunkRow => ({
  id,
  vector: values,
  tenant_id: metadata.tenantId,
  source_id: metadata.sourceId,
  chunk_id: metadata.chunkId,
  ordinal: metadata.ordinal,
  embedder_id: metadata.embedderId,
});

const toMetadata = (hit: ChunkHit): ChunkMetadata => ({
  tenantId: hit.tenant_id,
  sourceId: hit.source_id,
  chunkId: hit.chunk_id,
  ordinal: Number(hit.ordinal),
  embedderId: hit.embedder_id,
});

/** A SQL string literal. Lance's SQL has no backslash escapes, so doubling quotes is the whole job. */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new Error('SQL string literals cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}
const sqlList = (values: string[]) => `(${values.map(sqlString).join(', ')})`;

/**
 * The last write queued per table (keyed by directory and table), shared by every store instance
 * in the process, so two instances on one directory also write one after the other.
 */
const writeChains = new Map<string, Promise<unknown>>();

const isMissingTable = (err: unknown) => err instanceof Error && /was not found|does not exist/i.test(err.message);
const isExistingTable = (err: unknown) => err instanceof Error && /already exists/i.test(err.message);

export interface LanceVectorStoreOptions {
  /**
   * How stale a read may be relative to writes from other processes (or other store instances)
   * sharing the directory, in seconds. 0, the default, checks for new versions on every read;
   * Lance's own default never does, so a worker's writes would stay invisible to the API.
   */
  readConsistencyIntervalSeconds?: number;
}

/**
 * Vectors in LanceDB files under one directory, searched exhaustively (exact cosine, no ANN
 * index: right for thousands to a few hundred thousand chunks; beyond that, add an IVF index).
 * Tenant isolation is a filter every query and delete carries; the merge key includes the tenant,
 * so even equal ids of two tenants never overwrite each other.
 */
export class LanceVectorStore implements VectorStore {
  readonly name = 'lancedb';
  private connecting: Promise<Connection> | undefined;
  private readonly tables = new Map<string, Promise<Table>>();

  constructor(
    readonly directory: string,
    private readonly options: LanceVectorStoreOptions = {},
  ) {}

  async upsert(tenantId: string, records: VectorRecord[]): Promise<void> {
    const byTable = new Map<string, { dimensions: number; rows: ChunkRow[] }>();
    for (const record of checkedRecords(tenantId, records)) {
      const name = lanceTableName(record.metadata.embedderId, record.values.length);
      const group = byTable.get(name) ?? { dimensions: record.values.length, rows: [] };
      group.rows.push(toRow(record));
      byTable.set(name, group);
    }
    for (const [name, { dimensions, rows }] of byTable) {
      await this.serialised(name, async () => {
        const table = await this.createdTable(name, dimensions);
        // Atomic per call: readers see all of the batch or none of it.
        await table.mergeInsert(['tenant_id', 'id']).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows);
      });
    }
  }

  async query(q: VectorQuery): Promise<VectorMatch[]> {
    if (!checkedQuery(q).searchable) return [];
    const table = await this.existingTable(lanceTableName(q.embedderId, q.vector.length));
    if (!table) return [];
    const conditions = [`tenant_id = ${sqlString(q.tenantId)}`, `embedder_id = ${sqlString(q.embedderId)}`];
    if (q.sourceIds?.length) conditions.push(`source_id IN ${sqlList(q.sourceIds)}`);
    if (q.chunkIds?.length) conditions.push(`chunk_id IN ${sqlList(q.chunkIds)}`);
    // Filters apply before the search (Lance's default prefilter), so topK counts only this
    // tenant's rows and another tenant's nearer vectors cannot crowd them out.
    const hits = (await table
      .vectorSearch(q.vector)
      .distanceType('cosine')
      .where(conditions.join(' AND '))
      .select(HIT_COLUMNS)
      .limit(q.topK)
      .toArray()) as ChunkHit[]; // toArray() is typed any[]; the columns are the ones selected
    // Writers in other processes are not serialised with ours: two racing merges of one new id can
    // leave two rows. Answer each id once (the nearest copy: hits come nearest first).
    const seen = new Set<string>();
    const unique = hits.filter((hit) => {
      if (seen.has(hit.id)) return false;
      seen.add(hit.id);
      return true;
    });
    return unique.map((hit) => ({ id: hit.id, score: 1 - hit._distance, metadata: toMetadata(hit) }));
  }

  async deleteSource(tenantId: string, sourceId: string, keep?: string[]): Promise<void> {
    checkedDelete(tenantId, sourceId, keep);
    let predicate = `tenant_id = ${sqlString(tenantId)} AND source_id = ${sqlString(sourceId)}`;
    if (keep?.length) predicate += ` AND chunk_id NOT IN ${sqlList(keep)}`;
    // The source may have vectors from several embedders (mid-migration): every table.
    for (const name of await this.chunkTableNames()) {
      await this.serialised(name, async () => {
        const table = await this.existingTable(name);
        await table?.delete(predicate);
      });
    }
  }

  async close(): Promise<void> {
    const tables = await Promise.allSettled(this.tables.values());
    for (const table of tables) if (table.status === 'fulfilled') table.value.close();
    this.tables.clear();
    const connection = await this.connecting?.catch(() => undefined);
    connection?.close();
    this.connecting = undefined;
  }

  private connection(): Promise<Connection> {
    if (!this.connecting) {
      this.connecting = connect(this.directory, {
        readConsistencyInterval: this.options.readConsistencyIntervalSeconds ?? 0,
      });
      this.connecting.catch(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  /**
   * Runs the writes to one table one after the other. Lance would retry conflicting commits, but
   * two merges of the same new id racing would both insert it; in order, the second updates.
   * Other processes on the same directory are not covered: one writer process per directory.
   */
  private serialised<T>(tableName: string, write: () => Promise<T>): Promise<T> {
    const key = `${resolve(this.directory)}\0${tableName}`;
    const previous = writeChains.get(key) ?? Promise.resolve();
    const run = previous.then(write, write);
    const settled = run.catch(() => undefined);
    writeChains.set(key, settled);
    // Forget the chain once idle so the map does not grow with every table ever written.
    void settled.then(() => {
      if (writeChains.get(key) === settled) writeChains.delete(key);
    });
    return run;
  }

  private async existingTable(name: string): Promise<Table | undefined> {
    const cached = this.tables.get(name);
    if (cached) return cached;
    const opening = this.connection().then((db) => db.openTable(name));
    try {
      const table = await opening;
      this.tables.set(name, opening);
      return table;
    } catch (err) {
      if (isMissingTable(err)) return undefined;
      throw err;
    }
  }

  private async createdTable(name: string, dimensions: number): Promise<Table> {
    const existing = await this.existingTable(name);
    if (existing) return existing;
    const db = await this.connection();
    let table: Table;
    try {
      // existOk: another store instance or process may create it between our check and this call.
      table = await db.createEmptyTable(name, chunkSchema(dimensions), { existOk: true });
    } catch (err) {
      // The two creators can still collide inside Lance's own check-then-create: open the winner's.
      if (!isExistingTable(err)) throw err;
      table = await db.openTable(name);
    }
    this.tables.set(name, Promise.resolve(table));
    return table;
  }

  private async chunkTableNames(): Promise<string[]> {
    const db = await this.connection();
    const names: string[] = [];
    let page = await db.tableNames({ limit: 100 });
    while (page.length > 0) {
      names.push(...page);
      page = await db.tableNames({ startAfter: page[page.length - 1], limit: 100 });
    }
    return names.filter((name) => name.startsWith(TABLE_PREFIX));
  }
}
