// Writes the prepared corpus as the ingestion activities would leave it, in bulk: one ready
// KnowledgeSource per document, its chunks with the ids chunkId() gives them, the tsvector
// computed by the same SQL statement as ingest.ts's extractSource, and every vector (from the
// embedding cache) in the vector store with the metadata embedSourceChunks writes.
import { createHash, randomUUID } from 'node:crypto';
import { chunkId } from '../../../activities/rag/ingest';
import type { Embedder, VectorRecord, VectorStore } from '../../../activities/rag/types';
import type { Db } from '../../../prisma/client';
import type { PreparedDoc } from './chunks';
import type { EmbeddingCache } from './embedding-cache';

export interface IngestedCorpus {
  /** Document key → source id. */
  sourceIdByKey: Map<string, string>;
  chunks: number;
  /** Chunks the embedder gave no direction to (no tokens): in PostgreSQL, not in the store. */
  zeroVectors: number;
  timings: { sqlMs: number; tsvectorMs: number; storeMs: number };
}

const ROWS_PER_INSERT = 1000;
const VECTORS_PER_UPSERT = 4096;

export async function bulkIngest(opts: {
  db: Db;
  tenantId: string;
  docs: PreparedDoc[];
  embedder: Embedder;
  store: VectorStore;
  cache: EmbeddingCache;
  log: (line: string) => void;
}): Promise<IngestedCorpus> {
  const { db, tenantId, docs, embedder, store, cache, log } = opts;
  const sourceIdByKey = new Map<string, string>();
  const now = new Date();
  let t = performance.now();
  await db.knowledgeSource.createMany({
    data: docs.map((d) => {
      const id = randomUUID();
      sourceIdByKey.set(d.key, id);
      return {
        id,
        tenantId,
        kind: 'text',
        title: d.title,
        text: d.normalized,
        contentHash: createHash('sha256').update(d.normalized).digest('hex'),
        status: 'ingesting',
        stage: 'embed',
        chunkCount: d.chunks.length,
      };
    }),
  });
  const rows = docs.flatMap((d) => {
    const sourceId = sourceIdByKey.get(d.key) as string;
    return d.chunks.map((c) => ({
      id: chunkId(sourceId, c.ordinal, c.hash),
      tenantId,
      sourceId,
      ordinal: c.ordinal,
      text: c.text,
      hash: c.hash,
      startChar: c.start,
      endChar: c.end,
    }));
  });
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db.knowledgeChunk.createMany({ data: rows.slice(i, i + ROWS_PER_INSERT), skipDuplicates: true });
  }
  const sqlMs = performance.now() - t;
  t = performance.now();
  // The statement of ingest.ts's extractSource, source by source, verbatim.
  for (const sourceId of sourceIdByKey.values()) {
    await db.$executeRaw`
            UPDATE "KnowledgeChunk"
               SET search = to_tsvector('english', text) || to_tsvector('simple', text)
             WHERE "sourceId" = ${sourceId}::uuid AND search IS NULL`;
  }
  await db.$executeRawUnsafe('ANALYZE "KnowledgeChunk"');
  const tsvectorMs = performance.now() - t;
  log(
    `  PostgreSQL: ${docs.length} sources, ${rows.length} chunks in ${(sqlMs / 1000).toFixed(1)} s; tsvectors ${(tsvectorMs / 1000).toFixed(1)} s`,
  );

  t = performance.now();
  let zeroVectors = 0;
  const records: VectorRecord[] = [];
  for (const r of rows) {
    const vector = cache.get(r.hash);
    if (!vector) throw new Error(`bulkIngest: no cached vector for chunk ${r.sourceId}#${r.ordinal}`);
    if (vector.every((x) => x === 0)) {
      zeroVectors++;
      continue;
    }
    records.push({
      id: r.id,
      values: Array.from(vector),
      metadata: { tenantId, sourceId: r.sourceId, chunkId: r.id, ordinal: r.ordinal, embedderId: embedder.id },
    });
  }
  for (let i = 0; i < records.length; i += VECTORS_PER_UPSERT) {
    await store.upsert(tenantId, records.slice(i, i + VECTORS_PER_UPSERT));
  }
  const storeMs = performance.now() - t;
  log(`  vector store: ${records.length} vectors upserted in ${(storeMs / 1000).toFixed(1)} s`);

  // What embedSourceChunks and finishIngestion leave behind: chunks marked, sources ready.
  await db.knowledgeChunk.updateMany({ where: { tenantId }, data: { embedderId: embedder.id } });
  for (const d of docs) {
    await db.knowledgeSource.update({
      where: { id: sourceIdByKey.get(d.key) as string },
      data: {
        status: 'ready',
        stage: 'done',
        embedderId: embedder.id,
        embeddedCount: d.chunks.length,
        ingestedAt: now,
      },
    });
  }
  return { sourceIdByKey, chunks: rows.length, zeroVectors, timings: { sqlMs, tsvectorMs, storeMs } };
}
