// The knowledge base's adapters. The ingestion workflow and retrieval depend on these interfaces
// only; which embedder and which vector store run is configuration.

/** Turns text into vectors. `id` names the model and its version: vectors of different ids never mix. */
export interface Embedder {
  /** e.g. `use-lite-512@energetic-ai-0.2.0`, `openai:text-embedding-3-small`. Stored with every chunk. */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per text, in order. Implementations batch internally. */
  embed(texts: string[]): Promise<number[][]>;
}

/** What a vector store keeps beside each vector; enough to filter and to cite without a lookup. */
export interface ChunkMetadata {
  tenantId: string;
  sourceId: string;
  chunkId: string;
  /** Position of the chunk in its source, from 0. */
  ordinal: number;
  embedderId: string;
}

export interface VectorRecord {
  /** Stable per chunk (the chunk id): upserting again replaces, never duplicates. */
  id: string;
  values: number[];
  metadata: ChunkMetadata;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity, higher is closer (−1..1). */
  score: number;
  metadata: ChunkMetadata;
}

export interface VectorQuery {
  tenantId: string;
  vector: number[];
  topK: number;
  embedderId: string;
  /** Only these sources (empty or absent: every source of the tenant). */
  sourceIds?: string[];
  /**
   * Only these chunks (empty or absent: every chunk). Retrieval uses it to score passages that
   * full-text search found against the question's vector, without a second embedding.
   */
  chunkIds?: string[];
}

/**
 * Tenant-isolated vector storage. Every method is scoped to one tenant; a query never returns
 * another tenant's vectors whatever the filter says.
 */
export interface VectorStore {
  readonly name: string;
  upsert(tenantId: string, records: VectorRecord[]): Promise<void>;
  query(q: VectorQuery): Promise<VectorMatch[]>;
  /** Removes a source's vectors (all of them, or those whose chunk id is not in `keep`). */
  deleteSource(tenantId: string, sourceId: string, keep?: string[]): Promise<void>;
  close?(): Promise<void>;
}
