import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { Pinecone } from '@pinecone-database/pinecone';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VectorStoreInputError } from '../../activities/rag/stores/checks';
import { LanceVectorStore, lanceTableName, sqlString } from '../../activities/rag/stores/lancedb';
import { PineconeVectorStore, pineconeVectorId } from '../../activities/rag/stores/pinecone';
import type { VectorMatch, VectorRecord, VectorStore } from '../../activities/rag/types';
import { failure } from '../helpers/providers';
import { type PineconeStandIn, startPineconeStandIn } from '../stand-ins/pinecone';

const DIMS = 8;
const EMBEDDER = 'test-embedder@1';

/** The unit vector along axis `i`, scaled: cosine ignores length, dot product would not. */
const axis = (i: number, scale = 1) => Array.from({ length: DIMS }, (_, k) => (k === i ? scale : 0));
const add = (a: number[], b: number[]) => a.map((x, i) => x + (b[i] as number));

/** Deterministic pseudo-random vectors (mulberry32): failures reproduce. */
function randomVectors(count: number, seed: number): number[][] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => Array.from({ length: DIMS }, next));
}

function record(
  tenantId: string,
  sourceId: string,
  values: number[],
  options: { chunkId?: string; ordinal?: number; embedderId?: string } = {},
): VectorRecord {
  const chunkId = options.chunkId ?? randomUUID();
  return {
    id: chunkId,
    values,
    metadata: {
      tenantId,
      sourceId,
      chunkId,
      ordinal: options.ordinal ?? 0,
      embedderId: options.embedderId ?? EMBEDDER,
    },
  };
}

const ids = (matches: VectorMatch[]) => matches.map((m) => m.id);
const sorted = (values: string[]) => [...values].sort();

interface StoreUnderTest {
  name: string;
  open(): Promise<VectorStore>;
  cleanup(): Promise<void>;
}

function lanceUnderTest(): StoreUnderTest {
  let directory = '';
  return {
    name: 'LanceVectorStore',
    async open() {
      directory = mkdtempSync(join(tmpdir(), 'sb-lance-'));
      return new LanceVectorStore(directory);
    },
    async cleanup() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function pineconeUnderTest(): StoreUnderTest {
  let standIn: PineconeStandIn;
  return {
    name: 'PineconeVectorStore',
    async open() {
      standIn = await startPineconeStandIn({ dimension: DIMS });
      return new PineconeVectorStore({ apiKey: standIn.apiKey, indexHost: standIn.host, indexName: 'knowledge' });
    },
    async cleanup() {
      await standIn.close();
    },
  };
}

describe.each([lanceUnderTest(), pineconeUnderTest()])('$name (VectorStore contract)', (underTest) => {
  let store: VectorStore;
  // A fresh tenant per test: tests share the store but never each other's vectors.
  let tenant: string;
  let otherTenant: string;

  beforeAll(async () => {
    store = await underTest.open();
  });
  afterAll(async () => {
    await store.close?.();
    await underTest.cleanup();
  });
  beforeEach(() => {
    tenant = randomUUID();
    otherTenant = randomUUID();
  });

  const search = (
    tenantId: string,
    vector: number[],
    extra: { topK?: number; sourceIds?: string[]; chunkIds?: string[]; embedderId?: string } = {},
  ) =>
    store.query({
      tenantId,
      vector,
      topK: extra.topK ?? 10,
      embedderId: extra.embedderId ?? EMBEDDER,
      sourceIds: extra.sourceIds,
      chunkIds: extra.chunkIds,
    });

  it('upserts idempotently by id: the second upsert replaces, never duplicates', async () => {
    const source = randomUUID();
    const records = [0, 1, 2].map((i) => record(tenant, source, axis(i), { ordinal: i }));
    await store.upsert(tenant, records);
    await store.upsert(tenant, records);
    const changed = {
      ...records[0],
      values: axis(3),
      metadata: { ...records[0]?.metadata, ordinal: 7 },
    } as VectorRecord;
    await store.upsert(tenant, [changed]);

    const matches = await search(tenant, axis(3));
    expect(sorted(ids(matches))).toEqual(sorted(records.map((r) => r.id)));
    expect(matches[0]).toMatchObject({ id: changed.id, metadata: changed.metadata });
    expect(matches[0]?.score).toBeCloseTo(1, 5);
  });

  it('keeps the last of duplicate ids within one upsert', async () => {
    const source = randomUUID();
    const first = record(tenant, source, axis(0), { ordinal: 1 });
    const last = { ...first, values: axis(1), metadata: { ...first.metadata, ordinal: 2 } };
    await store.upsert(tenant, [first, last]);
    const matches = await search(tenant, axis(1));
    expect(matches).toHaveLength(1);
    expect(matches[0]?.metadata.ordinal).toBe(2);
  });

  it('ranks the nearest first, scored by cosine similarity', async () => {
    const source = randomUUID();
    const same = record(tenant, source, axis(0, 5)); // same direction, longer
    const diagonal = record(tenant, source, add(axis(0), axis(1)));
    const orthogonal = record(tenant, source, axis(1, 0.1));
    const opposite = record(tenant, source, axis(0, -2));
    await store.upsert(tenant, [orthogonal, opposite, same, diagonal]);

    const matches = await search(tenant, axis(0));
    expect(ids(matches)).toEqual([same.id, diagonal.id, orthogonal.id, opposite.id]);
    const scores = matches.map((m) => m.score);
    expect(scores[0]).toBeCloseTo(1, 5);
    expect(scores[1]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(scores[2]).toBeCloseTo(0, 5);
    expect(scores[3]).toBeCloseTo(-1, 5);
    expect(matches[0]?.metadata).toEqual(same.metadata);
    expect(await search(tenant, axis(0), { topK: 2 })).toHaveLength(2);
  });

  it("isolates tenants: B never sees A's vectors, even filtering by A's sources", async () => {
    const sourceA = randomUUID();
    const sourceB = randomUUID();
    const shared = randomUUID(); // the same chunk id in both tenants must not collide
    await store.upsert(tenant, [
      record(tenant, sourceA, axis(0), { chunkId: shared }),
      record(tenant, sourceA, axis(1)),
    ]);
    await store.upsert(otherTenant, [record(otherTenant, sourceB, axis(2), { chunkId: shared })]);

    expect(await search(otherTenant, axis(0), { sourceIds: [sourceA] })).toEqual([]);
    const seenByB = await search(otherTenant, axis(0));
    expect(ids(seenByB)).toEqual([shared]);
    expect(seenByB[0]?.metadata).toMatchObject({ tenantId: otherTenant, sourceId: sourceB });
    const seenByA = await search(tenant, axis(0));
    expect(seenByA.every((m) => m.metadata.tenantId === tenant)).toBe(true);
    expect(seenByA).toHaveLength(2);
    expect(seenByA[0]).toMatchObject({ id: shared, metadata: { sourceId: sourceA } });

    // Many of A's vectors nearer than B's one must not crowd it out of B's top 1 (the tenant filter
    // applies before the nearest are taken, not after).
    await store.upsert(
      tenant,
      randomVectors(30, 11).map((v) => record(tenant, sourceA, add(axis(0, 10), v))),
    );
    expect(ids(await search(otherTenant, axis(0), { topK: 1 }))).toEqual([shared]);

    // B deleting "A's source" deletes nothing of A's.
    await store.deleteSource(otherTenant, sourceA);
    expect(await search(tenant, axis(0), { topK: 100 })).toHaveLength(32);
  });

  it('refuses records of another tenant', async () => {
    const err = await failure(store.upsert(otherTenant, [record(tenant, randomUUID(), axis(0))]));
    expect(err).toBeInstanceOf(VectorStoreInputError);
    expect(await search(otherTenant, axis(0))).toEqual([]);
    expect(await search(tenant, axis(0))).toEqual([]);
  });

  it('filters by source ids; none or an empty list means every source', async () => {
    const [s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID()];
    const r1 = record(tenant, s1, axis(0));
    const r2 = record(tenant, s2, axis(0, 2));
    const r3 = record(tenant, s3, axis(1));
    await store.upsert(tenant, [r1, r2, r3]);

    expect(sorted(ids(await search(tenant, axis(0), { sourceIds: [s1, s3] })))).toEqual(sorted([r1.id, r3.id]));
    expect(ids(await search(tenant, axis(0), { sourceIds: [s2] }))).toEqual([r2.id]);
    expect(await search(tenant, axis(0), { sourceIds: [randomUUID()] })).toEqual([]);
    expect(await search(tenant, axis(0), { sourceIds: [] })).toHaveLength(3);
    expect(await search(tenant, axis(0))).toHaveLength(3);
  });

  it('filters by chunk ids and scores them against the query whatever their rank', async () => {
    const source = randomUUID();
    const near = record(tenant, source, axis(0), { ordinal: 0 });
    const far = record(tenant, source, axis(1), { ordinal: 1 });
    // Another tenant's chunk of the same id: naming the id must not reach it.
    const other = record(otherTenant, source, axis(1), { chunkId: near.metadata.chunkId });
    await store.upsert(tenant, [near, far]);
    await store.upsert(otherTenant, [other]);

    const scored = await search(tenant, axis(0), { topK: 1, chunkIds: [far.metadata.chunkId] });
    expect(ids(scored)).toEqual([far.id]);
    expect(scored[0]?.score).toBeCloseTo(0, 5);
    expect(
      sorted(ids(await search(tenant, axis(0), { chunkIds: [near.metadata.chunkId, far.metadata.chunkId] }))),
    ).toEqual(sorted([near.id, far.id]));
    const mine = await search(tenant, axis(0), { chunkIds: [near.metadata.chunkId] });
    expect(mine.map((m) => m.metadata.tenantId)).toEqual([tenant]);
    expect(mine[0]?.score).toBeCloseTo(1, 5);
    expect(await search(tenant, axis(0), { chunkIds: [] })).toHaveLength(2);
  });

  it('escapes quotes in filters instead of letting them widen the filter', async () => {
    const quoted = "o'brien's notes";
    const injection = "x' OR '1'='1";
    const mine = record(tenant, quoted, axis(0));
    await store.upsert(tenant, [mine]);
    await store.upsert(otherTenant, [record(otherTenant, randomUUID(), axis(0))]);

    expect(ids(await search(tenant, axis(0), { sourceIds: [quoted] }))).toEqual([mine.id]);
    expect(await search(tenant, axis(0), { sourceIds: [injection] })).toEqual([]);
    expect(await search(injection, axis(0))).toEqual([]);
    expect(await search(tenant, axis(0), { embedderId: injection })).toEqual([]);
    await store.deleteSource(tenant, injection);
    await store.deleteSource(tenant, quoted, [injection]);
    expect(await search(tenant, axis(0))).toEqual([]);
    expect(await search(otherTenant, axis(0))).toHaveLength(1);
  });

  it('returns only vectors of the queried embedder', async () => {
    const source = randomUUID();
    const fromA = record(tenant, source, axis(0), { embedderId: 'model-a@1' });
    const fromB = record(tenant, source, axis(0), { embedderId: 'model-b@2' });
    await store.upsert(tenant, [fromA, fromB]);

    expect(ids(await search(tenant, axis(0), { embedderId: 'model-a@1' }))).toEqual([fromA.id]);
    expect(ids(await search(tenant, axis(0), { embedderId: 'model-b@2' }))).toEqual([fromB.id]);
    expect(await search(tenant, axis(0), { embedderId: 'model-c@3' })).toEqual([]);
  });

  it("deletes a source's vectors, and only that source's", async () => {
    const [gone, stays] = [randomUUID(), randomUUID()];
    await store.upsert(tenant, [
      record(tenant, gone, axis(0)),
      record(tenant, gone, axis(1), { embedderId: 'model-b@2' }),
      record(tenant, stays, axis(2)),
    ]);
    await store.deleteSource(tenant, gone);

    const left = await search(tenant, axis(0));
    expect(left.map((m) => m.metadata.sourceId)).toEqual([stays]);
    expect(await search(tenant, axis(1), { embedderId: 'model-b@2' })).toEqual([]);
    await store.deleteSource(tenant, randomUUID()); // an unknown source is not an error
  });

  it('deletes the chunks of a source that are not in the keep list', async () => {
    const [source, other] = [randomUUID(), randomUUID()];
    const chunks = [0, 1, 2, 3].map((i) => record(tenant, source, axis(i), { ordinal: i }));
    const elsewhere = record(tenant, other, axis(4));
    await store.upsert(tenant, [...chunks, elsewhere]);
    const keep = [chunks[1]?.id, chunks[3]?.id] as string[];

    await store.deleteSource(tenant, source, keep);
    expect(sorted(ids(await search(tenant, axis(0), { sourceIds: [source] })))).toEqual(sorted(keep));
    expect(ids(await search(tenant, axis(4), { sourceIds: [other] }))).toEqual([elsewhere.id]);

    await store.deleteSource(tenant, source, []);
    expect(await search(tenant, axis(0), { sourceIds: [source] })).toEqual([]);
  });

  it('upserts 1,000 vectors, finds each nearest itself, and prunes them with a long keep list', async () => {
    const source = randomUUID();
    const vectors = randomVectors(1000, 42);
    const records = vectors.map((values, ordinal) => record(tenant, source, values, { ordinal }));
    await store.upsert(tenant, records);

    for (const probe of [0, 499, 999]) {
      const [best] = await search(tenant, vectors[probe] as number[], { topK: 3 });
      expect(best?.id).toBe(records[probe]?.id);
      expect(best?.score).toBeCloseTo(1, 5);
    }
    const all = await search(tenant, vectors[0] as number[], { topK: 1000 });
    expect(new Set(ids(all)).size).toBe(1000);
    const scores = all.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const keep = records.filter((_, i) => i % 2 === 0).map((r) => r.id);
    await store.deleteSource(tenant, source, keep);
    const left = await search(tenant, vectors[0] as number[], { topK: 1000 });
    expect(sorted(ids(left))).toEqual(sorted(keep));
  });

  it('loses no write when upserts to the same embedder run at once', async () => {
    const source = randomUUID();
    const batches = [1, 2, 3, 4].map((seed) =>
      randomVectors(50, seed).map((values, i) => record(tenant, source, values, { ordinal: seed * 100 + i })),
    );
    // The same id in two concurrent batches: whichever lands last wins, but it is never doubled.
    const contested = { ...(batches[0]?.[0] as VectorRecord) };
    batches[1]?.push({ ...contested, values: axis(5) });
    await Promise.all(batches.map((batch) => store.upsert(tenant, batch)));

    const all = await search(tenant, axis(0), { topK: 1000 });
    expect(all).toHaveLength(200);
    expect(new Set(ids(all)).size).toBe(200);
  });

  it('refuses zero vectors and answers a zero query with nothing', async () => {
    const err = await failure(store.upsert(tenant, [record(tenant, randomUUID(), new Array(DIMS).fill(0))]));
    expect(err).toBeInstanceOf(VectorStoreInputError);
    await store.upsert(tenant, [record(tenant, randomUUID(), axis(0))]);
    expect(await search(tenant, new Array(DIMS).fill(0))).toEqual([]);
  });

  it('refuses a record whose id is not its chunk id', async () => {
    const r = record(tenant, randomUUID(), axis(0));
    const err = await failure(store.upsert(tenant, [{ ...r, id: 'something-else' }]));
    expect(err).toBeInstanceOf(VectorStoreInputError);
  });

  it('answers an empty upsert and a query on an empty tenant', async () => {
    await store.upsert(tenant, []);
    expect(await search(tenant, axis(0))).toEqual([]);
    expect(await search(tenant, axis(0), { embedderId: 'never-used@0' })).toEqual([]);
  });
});

describe('LanceVectorStore specifics', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'sb-lance-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('names one table per embedder and size, readable and collision-free', () => {
    expect(lanceTableName('use-lite-512@energetic-ai-0.2.0', 512)).toMatch(
      /^chunks_use_lite_512_energetic_ai_0_2_0_512d_[0-9a-f]{8}$/,
    );
    expect(lanceTableName('openai:text-embedding-3-small', 1536)).toMatch(
      /^chunks_openai_text_embedding_3_small_1536d_[0-9a-f]{8}$/,
    );
    expect(lanceTableName('a:b', 8)).not.toBe(lanceTableName('a_b', 8));
    expect(lanceTableName('x', 8)).not.toBe(lanceTableName('x', 16));
    expect(lanceTableName('✨'.repeat(100), 8)).toMatch(/^chunks_8d_[0-9a-f]{8}$/);
  });

  it('quotes SQL string literals', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString('plain')).toBe("'plain'");
    expect(() => sqlString('nul\0')).toThrow();
  });

  it('keeps vectors of different sizes in separate tables of one directory', async () => {
    const store = new LanceVectorStore(directory);
    const tenant = randomUUID();
    const small = {
      id: 'c-small',
      values: [1, 0, 0],
      metadata: { tenantId: tenant, sourceId: 's', chunkId: 'c-small', ordinal: 0, embedderId: 'tiny@1' },
    };
    await store.upsert(tenant, [small, record(tenant, 's', axis(0), { chunkId: 'c-big' })]);
    expect(ids(await store.query({ tenantId: tenant, vector: [1, 0, 0], topK: 5, embedderId: 'tiny@1' }))).toEqual([
      'c-small',
    ]);
    expect(ids(await store.query({ tenantId: tenant, vector: axis(0), topK: 5, embedderId: EMBEDDER }))).toEqual([
      'c-big',
    ]);
    await store.deleteSource(tenant, 's');
    expect(await store.query({ tenantId: tenant, vector: [1, 0, 0], topK: 5, embedderId: 'tiny@1' })).toEqual([]);
    expect(readdirSync(directory).sort()).toEqual(
      [`${lanceTableName('tiny@1', 3)}.lance`, `${lanceTableName(EMBEDDER, DIMS)}.lance`].sort(),
    );
    await store.close();
  });

  it('tolerates two store instances creating the same table at once, and each sees the other’s writes', async () => {
    const first = new LanceVectorStore(directory);
    const second = new LanceVectorStore(directory);
    const tenant = randomUUID();
    const source = randomUUID();
    const fromFirst = randomVectors(20, 7).map((v) => record(tenant, source, v));
    const fromSecond = randomVectors(20, 8).map((v) => record(tenant, source, v));
    // The same new id from both: the instances share the process's write order, so it lands once.
    fromSecond.push({ ...(fromFirst[0] as VectorRecord), values: axis(1) });
    await Promise.all([first.upsert(tenant, fromFirst), second.upsert(tenant, fromSecond)]);

    for (const store of [first, second]) {
      const all = await store.query({ tenantId: tenant, vector: axis(0), topK: 100, embedderId: EMBEDDER });
      expect(all).toHaveLength(40);
    }
    const db = await connect(directory);
    const table = await db.openTable(lanceTableName(EMBEDDER, DIMS));
    expect(await table.countRows(`id = ${sqlString(fromFirst[0]?.id as string)}`)).toBe(1);
    table.close();
    db.close();
    await first.close();
    await second.close();
  });

  it('persists on disk: a new instance on the directory finds earlier vectors', async () => {
    const tenant = randomUUID();
    const writer = new LanceVectorStore(directory);
    const r = record(tenant, randomUUID(), axis(0));
    await writer.upsert(tenant, [r]);
    await writer.close();
    const reader = new LanceVectorStore(directory);
    expect(ids(await reader.query({ tenantId: tenant, vector: axis(0), topK: 1, embedderId: EMBEDDER }))).toEqual([
      r.id,
    ]);
    await reader.close();
  });
});

describe('PineconeVectorStore specifics (against the stand-in)', () => {
  let pinecone: PineconeStandIn;
  let store: PineconeVectorStore;
  beforeAll(async () => {
    pinecone = await startPineconeStandIn({ dimension: DIMS });
    store = new PineconeVectorStore({ apiKey: pinecone.apiKey, indexHost: pinecone.host, indexName: 'knowledge' });
  });
  afterAll(async () => {
    await pinecone.close();
  });
  beforeEach(() => pinecone.reset());

  it('keeps each tenant in its own namespace, ids prefixed by source, in requests of at most 100', async () => {
    const tenant = randomUUID();
    const source = randomUUID();
    const records = randomVectors(250, 3).map((v, i) => record(tenant, source, v, { ordinal: i }));
    await store.upsert(tenant, records);

    const upserts = pinecone.requestsTo('/vectors/upsert');
    expect(upserts.map((r) => (r.body as { vectors: unknown[] }).vectors.length)).toEqual([100, 100, 50]);
    expect(upserts.every((r) => (r.body as { namespace: string }).namespace === tenant)).toBe(true);
    expect(upserts[0]?.headers).toEqual({ apiKey: pinecone.apiKey, apiVersion: '2025-01' });
    expect([...pinecone.namespaces.keys()]).toEqual([tenant]);
    const stored = pinecone.vectorsIn(tenant);
    expect(stored).toHaveLength(250);
    expect(stored[0]).toMatchObject({
      id: pineconeVectorId(source, records[0]?.id as string),
      metadata: records[0]?.metadata,
    });
  });

  it('keeps upsert requests under 2 MB for large vectors', async () => {
    const large = await startPineconeStandIn({ dimension: 1536 });
    try {
      const wide = new PineconeVectorStore({ apiKey: large.apiKey, indexHost: large.host, indexName: 'wide' });
      const tenant = randomUUID();
      // Values with many digits, as float32 embeddings print: ~20 bytes each in JSON.
      const values = (seed: number) =>
        Array.from({ length: 1536 }, (_, i) => Math.fround(Math.sin(seed * 1536 + i)) / 7);
      await wide.upsert(
        tenant,
        Array.from({ length: 150 }, (_, i) => record(tenant, 's', values(i + 1))),
      );
      const sizes = large.requestsTo('/vectors/upsert').map((r) => Buffer.byteLength(JSON.stringify(r.body)));
      expect(sizes.length).toBeGreaterThan(2); // 100 per request would be ~3 MB
      expect(Math.max(...sizes)).toBeLessThan(2 * 1024 * 1024);
      expect(large.vectorsIn(tenant)).toHaveLength(150);
    } finally {
      await large.close();
    }
  });

  it('queries with the embedder and source filters and metadata, never values', async () => {
    const tenant = randomUUID();
    await store.upsert(tenant, [record(tenant, 's1', axis(0))]);
    await store.query({ tenantId: tenant, vector: axis(0), topK: 5, embedderId: EMBEDDER, sourceIds: ['s1', 's2'] });
    expect(pinecone.requestsTo('/query')[0]?.body).toEqual({
      namespace: tenant,
      vector: axis(0),
      topK: 5,
      filter: { embedderId: { $eq: EMBEDDER }, sourceId: { $in: ['s1', 's2'] } },
      includeMetadata: true,
      includeValues: false,
    });
  });

  it('deletes a whole source by metadata filter, and by id prefix where the index cannot', async () => {
    const tenant = randomUUID();
    await store.upsert(tenant, [record(tenant, 'gone', axis(0)), record(tenant, 'stays', axis(1))]);
    await store.deleteSource(tenant, 'gone');
    expect(pinecone.requestsTo('/vectors/delete')[0]?.body).toEqual({
      namespace: tenant,
      filter: { sourceId: { $eq: 'gone' } },
    });
    expect(pinecone.vectorsIn(tenant).map((v) => v.metadata?.sourceId)).toEqual(['stays']);

    const serverless = await startPineconeStandIn({ dimension: DIMS, deleteByFilter: false });
    try {
      const old = new PineconeVectorStore({ apiKey: serverless.apiKey, indexHost: serverless.host, indexName: 'old' });
      await old.upsert(tenant, [record(tenant, 'gone', axis(0)), record(tenant, 'stays', axis(1))]);
      await old.deleteSource(tenant, 'gone');
      expect(serverless.vectorsIn(tenant).map((v) => v.metadata?.sourceId)).toEqual(['stays']);
      expect(serverless.requestsTo('/vectors/list')[0]?.query).toMatchObject({ prefix: ['gone#'] });
    } finally {
      await serverless.close();
    }
  });

  it('lists ids page by page when pruning a large source', async () => {
    const tenant = randomUUID();
    const records = randomVectors(250, 5).map((v) => record(tenant, 'big', v));
    await store.upsert(tenant, records);
    await store.deleteSource(tenant, 'big', [records[0]?.id as string]);
    expect(pinecone.requestsTo('/vectors/list')).toHaveLength(3);
    expect(pinecone.vectorsIn(tenant).map((v) => v.id)).toEqual([pineconeVectorId('big', records[0]?.id as string)]);
  });

  it('refuses source ids with the prefix separator', async () => {
    const tenant = randomUUID();
    const err = await failure(store.upsert(tenant, [record(tenant, 'a#b', axis(0))]));
    expect(err).toBeInstanceOf(VectorStoreInputError);
    expect(pinecone.requestsTo('/vectors/upsert')).toHaveLength(0);
  });

  it('surfaces a wrong API key as the client’s authorization error', async () => {
    const wrong = new PineconeVectorStore({ apiKey: 'pcsk_wrong', indexHost: pinecone.host, indexName: 'knowledge' });
    const err = await failure(wrong.query({ tenantId: 't', vector: axis(0), topK: 1, embedderId: EMBEDDER }));
    expect((err as Error).name).toBe('PineconeAuthorizationError');
  });

  it('surfaces a wrong dimension as the client’s bad request error, with Pinecone’s message', async () => {
    const tenant = randomUUID();
    const err = await failure(store.upsert(tenant, [record(tenant, 's', [1, 0, 0])]));
    expect((err as Error).name).toBe('PineconeBadRequestError');
    expect((err as Error).message).toBe('Vector dimension 3 does not match the dimension of the index 8');
    expect(pinecone.vectorsIn(tenant)).toEqual([]);
  });

  it('retries an upsert after a 503', async () => {
    const tenant = randomUUID();
    pinecone.injectFaults(503);
    await store.upsert(tenant, [record(tenant, 's', axis(0))]);
    expect(pinecone.requestsTo('/vectors/upsert')).toHaveLength(2);
    expect(pinecone.vectorsIn(tenant)).toHaveLength(1);
  });
});

describe('Pinecone stand-in', () => {
  let pinecone: PineconeStandIn;
  const client = () => new Pinecone({ apiKey: pinecone.apiKey }).index('stand-in', pinecone.host);
  beforeAll(async () => {
    pinecone = await startPineconeStandIn({ dimension: 4 });
  });
  afterAll(async () => {
    await pinecone.close();
  });
  beforeEach(() => pinecone.reset());

  const seed = async () => {
    const ns = client().namespace('films');
    await ns.upsert([
      { id: 'a', values: [1, 0, 0, 0], metadata: { genre: 'drama', year: 2001, tags: ['x', 'y'] } },
      { id: 'b', values: [0.9, 0.1, 0, 0], metadata: { genre: 'comedy', year: 2010, tags: ['y'] } },
      { id: 'c', values: [0, 1, 0, 0], metadata: { genre: 'drama', year: 2020 } },
      { id: 'd', values: [0, 0, 1, 0] },
    ]);
    return ns;
  };
  const matching = async (filter: object) => {
    const { matches } = await (await seed()).query({ vector: [1, 1, 1, 1], topK: 10, filter });
    return sorted(matches.map((m) => m.id));
  };

  it('evaluates metadata filters like Pinecone', async () => {
    expect(await matching({ genre: 'drama' })).toEqual(['a', 'c']);
    expect(await matching({ genre: { $eq: 'drama' } })).toEqual(['a', 'c']);
    expect(await matching({ genre: { $ne: 'drama' } })).toEqual(['b', 'd']);
    expect(await matching({ genre: { $in: ['comedy', 'horror'] } })).toEqual(['b']);
    expect(await matching({ genre: { $nin: ['comedy'] } })).toEqual(['a', 'c', 'd']);
    expect(await matching({ year: { $gte: 2010 } })).toEqual(['b', 'c']);
    expect(await matching({ year: { $gt: 2001, $lt: 2020 } })).toEqual(['b']);
    expect(await matching({ tags: 'y' })).toEqual(['a', 'b']);
    expect(await matching({ tags: { $in: ['x'] } })).toEqual(['a']);
    expect(await matching({ tags: { $exists: false } })).toEqual(['c', 'd']);
    expect(await matching({ $and: [{ genre: 'drama' }, { year: { $lt: 2010 } }] })).toEqual(['a']);
    expect(await matching({ $or: [{ genre: 'comedy' }, { year: 2020 }] })).toEqual(['b', 'c']);
    expect(await matching({ genre: 'drama', year: 2020 })).toEqual(['c']);
    const err = await failure(matching({ genre: { $regex: 'dr.*' } }));
    expect((err as Error).name).toBe('PineconeBadRequestError');
  });

  it('scores by cosine similarity, best first, and returns values and metadata only when asked', async () => {
    const ns = await seed();
    const { matches } = await ns.query({ vector: [2, 0, 0, 0], topK: 2, includeMetadata: true });
    expect(matches.map((m) => m.id)).toEqual(['a', 'b']);
    expect(matches[0]?.score).toBeCloseTo(1, 10);
    expect(matches[1]?.score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 10);
    expect(matches[0]?.metadata).toEqual({ genre: 'drama', year: 2001, tags: ['x', 'y'] });
    expect(matches[0]?.values).toEqual([]);
    const withValues = await ns.query({ vector: [2, 0, 0, 0], topK: 1, includeValues: true });
    expect(withValues.matches[0]?.values).toEqual([1, 0, 0, 0]);
    expect(withValues.matches[0]?.metadata).toBeUndefined();
  });

  it('keeps namespaces apart, fetches, lists by prefix with pagination, and describes stats', async () => {
    const ns = await seed();
    const other = client().namespace('series');
    await other.upsert([{ id: 'a', values: [0, 0, 0, 1] }]);
    expect(Object.keys((await ns.fetch(['a', 'zz'])).records)).toEqual(['a']);
    expect((await other.fetch(['a'])).records.a?.values).toEqual([0, 0, 0, 1]);

    await ns.upsert(
      Array.from({ length: 150 }, (_, i) => ({ id: `p#${String(i).padStart(3, '0')}`, values: [1, 2, 3, 4] })),
    );
    const first = await ns.listPaginated({ prefix: 'p#' });
    expect(first.vectors).toHaveLength(100);
    expect(first.pagination?.next).toBeTruthy();
    const second = await ns.listPaginated({ prefix: 'p#', paginationToken: first.pagination?.next as string });
    expect(second.vectors?.map((v) => v.id)).toEqual(Array.from({ length: 50 }, (_, i) => `p#${100 + i}`));
    expect(second.pagination).toBeUndefined();

    const stats = await client().describeIndexStats();
    expect(stats).toMatchObject({
      dimension: 4,
      totalRecordCount: 155,
      namespaces: { films: { recordCount: 154 }, series: { recordCount: 1 } },
    });
  });

  it('deletes by ids, by filter and all of a namespace', async () => {
    const ns = await seed();
    await ns.deleteMany(['a']);
    await ns.deleteMany({ genre: { $eq: 'comedy' } });
    expect(pinecone.vectorsIn('films').map((v) => v.id)).toEqual(['c', 'd']);
    await ns.deleteAll();
    expect(pinecone.vectorsIn('films')).toEqual([]);
  });

  it('refuses a wrong key with 401 and the wrong dimension, zero vectors and oversized batches with 400', async () => {
    const response = await fetch(`${pinecone.host}/query`, {
      method: 'POST',
      headers: { 'Api-Key': 'wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ topK: 1, vector: [1, 0, 0, 0] }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 16, message: 'Invalid API Key', details: [] });

    const ns = client().namespace('n');
    const refusal = async (vectors: Array<{ id: string; values: number[] }>) =>
      ((await failure(ns.upsert(vectors))) as Error).message;
    expect(await refusal([{ id: 'x', values: [1, 2] }])).toBe(
      'Vector dimension 2 does not match the dimension of the index 4',
    );
    expect(await refusal([{ id: 'z', values: [0, 0, 0, 0] }])).toMatch(/at least one non-zero value/);
    expect(await refusal(Array.from({ length: 1001 }, (_, i) => ({ id: `v${i}`, values: [1, 1, 1, 1] })))).toMatch(
      /Batch size exceeds 1000/,
    );
    expect(pinecone.vectorsIn('n')).toEqual([]);
  });
});
