import { type Index, Pinecone } from '@pinecone-database/pinecone';
import { z } from 'zod';
import type { VectorMatch, VectorQuery, VectorRecord, VectorStore } from '../types';
import { checkedDelete, checkedQuery, checkedRecords, VectorStoreInputError } from './checks';

export const PineconeVectorStoreOptionsSchema = z.object({
  apiKey: z.string().min(1),
  /** The index's data-plane host (`<index>-<project>.svc.<region>.pinecone.io`, or a full URL). */
  indexHost: z.string().min(1),
  indexName: z.string().min(1),
  /** Most vectors per upsert request (Pinecone allows 1000); requests are also kept under 2 MB. */
  upsertBatchSize: z.number().int().min(1).max(1000).default(100),
  /**
   * Attempts per upsert request when Pinecone answers 5xx (the client's `maxRetries`, which counts
   * attempts, reads 0 as 3, and applies to upserts only).
   */
  upsertAttempts: z.number().int().min(1).max(10).default(3),
});
export type PineconeVectorStoreOptions = z.input<typeof PineconeVectorStoreOptionsSchema>;

// A type alias, not the ChunkMetadata interface: the client wants an index-signature-compatible type.
type PineconeChunkMetadata = {
  tenantId: string;
  sourceId: string;
  chunkId: string;
  ordinal: number;
  embedderId: string;
};

// Pinecone's limits: topK with metadata, ids per delete request.
const MAX_TOP_K_WITH_METADATA = 1000;
const MAX_IDS_PER_DELETE = 1000;
// Pinecone refuses upserts over 2 MB. The client sends JSON, where a float32 value printed as a
// double takes up to ~20 bytes: 100 vectors of 1536 dimensions are about 3 MB. The margin is for
// the request's envelope.
const MAX_UPSERT_BODY_BYTES = 1_900_000;

/** Consecutive runs of at most `maxCount` vectors whose JSON stays under `maxBytes` (a single larger vector goes alone, and Pinecone's refusal surfaces). */
function* upsertBatches<T>(vectors: T[], maxCount: number, maxBytes: number): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const vector of vectors) {
    const size = Buffer.byteLength(JSON.stringify(vector)) + 1; // and its comma
    if (batch.length > 0 && (batch.length >= maxCount || bytes + size > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(vector);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/**
 * `${sourceId}#${chunkId}`: a source's vectors share an id prefix, so they can be listed (and so
 * deleted) by source without a metadata query.
 */
export const pineconeVectorId = (sourceId: string, chunkId: string) => `${sourceId}#${chunkId}`;
const sourcePrefix = (sourceId: string) => `${sourceId}#`;

function requireNoHash(sourceId: string): void {
  // One source's prefix must never be a prefix of another source's ids.
  if (sourceId.includes('#')) throw new VectorStoreInputError(`sourceId must not contain '#': ${sourceId}`);
}

/** Serverless indexes on API versions before delete-by-filter shipped answer 400 with this. */
const isFilterDeleteUnsupported = (err: unknown) =>
  err instanceof Error && err.name === 'PineconeBadRequestError' && /metadata filtering/i.test(err.message);

/**
 * Vectors in a Pinecone index with the cosine metric (whose scores are cosine similarities).
 * One namespace per tenant is the isolation: every call is scoped to `namespace(tenantId)`, so
 * no filter can reach another tenant. The index host is always given, so the client never calls
 * the control plane. Pinecone is eventually consistent: a query right after an upsert may not
 * see it yet (the stand-in in tests is immediately consistent).
 */
export class PineconeVectorStore implements VectorStore {
  readonly name = 'pinecone';
  private readonly index: Index<PineconeChunkMetadata>;
  private readonly upsertBatchSize: number;

  constructor(options: PineconeVectorStoreOptions) {
    const parsed = PineconeVectorStoreOptionsSchema.parse(options);
    this.upsertBatchSize = parsed.upsertBatchSize;
    const client = new Pinecone({ apiKey: parsed.apiKey, maxRetries: parsed.upsertAttempts });
    this.index = client.index<PineconeChunkMetadata>(parsed.indexName, parsed.indexHost);
  }

  async upsert(tenantId: string, records: VectorRecord[]): Promise<void> {
    const vectors = checkedRecords(tenantId, records).map(({ values, metadata }) => {
      requireNoHash(metadata.sourceId);
      const { tenantId, sourceId, chunkId, ordinal, embedderId } = metadata;
      return {
        id: pineconeVectorId(sourceId, chunkId),
        values,
        metadata: { tenantId, sourceId, chunkId, ordinal, embedderId },
      };
    });
    const namespace = this.index.namespace(tenantId);
    for (const batch of upsertBatches(vectors, this.upsertBatchSize, MAX_UPSERT_BODY_BYTES)) {
      await namespace.upsert(batch);
    }
  }

  async query(q: VectorQuery): Promise<VectorMatch[]> {
    if (!checkedQuery(q).searchable) return [];
    const filter: Record<string, unknown> = { embedderId: { $eq: q.embedderId } };
    if (q.sourceIds?.length) filter.sourceId = { $in: q.sourceIds };
    if (q.chunkIds?.length) filter.chunkId = { $in: q.chunkIds };
    const { matches } = await this.index.namespace(q.tenantId).query({
      vector: q.vector,
      topK: Math.min(q.topK, MAX_TOP_K_WITH_METADATA),
      filter,
      includeMetadata: true,
      includeValues: false,
    });
    return matches.flatMap((match) => {
      const metadata = match.metadata;
      // The namespace already isolates tenants; a record without our metadata is not ours to return.
      if (!metadata || metadata.tenantId !== q.tenantId) return [];
      return [
        {
          id: metadata.chunkId,
          score: match.score ?? 0,
          metadata: {
            tenantId: metadata.tenantId,
            sourceId: metadata.sourceId,
            chunkId: metadata.chunkId,
            ordinal: Number(metadata.ordinal),
            embedderId: metadata.embedderId,
          },
        },
      ];
    });
  }

  async deleteSource(tenantId: string, sourceId: string, keep?: string[]): Promise<void> {
    checkedDelete(tenantId, sourceId, keep);
    requireNoHash(sourceId);
    const namespace = this.index.namespace(tenantId);
    if (!keep?.length) {
      try {
        await namespace.deleteMany({ sourceId: { $eq: sourceId } });
        return;
      } catch (err) {
        if (!isFilterDeleteUnsupported(err)) throw err;
      }
    }
    const kept = new Set((keep ?? []).map((chunkId) => pineconeVectorId(sourceId, chunkId)));
    const doomed = (await this.idsWithPrefix(namespace, sourcePrefix(sourceId))).filter((id) => !kept.has(id));
    for (let start = 0; start < doomed.length; start += MAX_IDS_PER_DELETE) {
      await namespace.deleteMany(doomed.slice(start, start + MAX_IDS_PER_DELETE));
    }
  }

  /** Every id with the prefix, all pages (list is a serverless-index operation). */
  private async idsWithPrefix(namespace: Index<PineconeChunkMetadata>, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    let paginationToken: string | undefined;
    do {
      const page = await namespace.listPaginated({ prefix, ...(paginationToken ? { paginationToken } : {}) });
      for (const vector of page.vectors ?? []) if (vector.id) ids.push(vector.id);
      paginationToken = page.pagination?.next;
    } while (paginationToken);
    return ids;
  }
}
