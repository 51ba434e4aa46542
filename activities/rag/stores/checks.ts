// What every VectorStore checks before it writes or searches, so that each store refuses the same
// inputs with the same message instead of failing deep inside a driver (or not failing at all).
import type { VectorQuery, VectorRecord } from '../types';

export class VectorStoreInputError extends Error {
  override readonly name = 'VectorStoreInputError';
}

function requireId(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new VectorStoreInputError(`${what} must be non-empty`);
  // NUL ends strings in some of the layers below (C APIs, some SQL engines): refuse rather than truncate.
  if (value.includes('\0')) throw new VectorStoreInputError(`${what} must not contain NUL`);
}

function requireDirection(what: string, values: number[]): void {
  if (values.length === 0) throw new VectorStoreInputError(`${what} has no values`);
  if (!values.every(Number.isFinite))
    throw new VectorStoreInputError(`${what} has a value that is not a finite number`);
}

const isZero = (values: number[]) => values.every((x) => x === 0);

/**
 * The records to write, one per id (the last wins, as if upserted one after the other). Refuses
 * a record of another tenant (a tenant's upsert writing another tenant's rows would break
 * isolation), a record whose id is not its chunk id (the contract: `deleteSource`'s keep list
 * names chunk ids), mixed dimensions within one embedder, and zero vectors (no direction, so no
 * cosine; Pinecone refuses them too).
 */
export function checkedRecords(tenantId: string, records: VectorRecord[]): VectorRecord[] {
  requireId('tenantId', tenantId);
  const byId = new Map<string, VectorRecord>();
  const dimensionsByEmbedder = new Map<string, number>();
  for (const record of records) {
    const { id, values, metadata } = record;
    requireId('record id', id);
    requireId(`sourceId of ${id}`, metadata.sourceId);
    requireId(`embedderId of ${id}`, metadata.embedderId);
    if (metadata.tenantId !== tenantId) {
      throw new VectorStoreInputError(`record ${id} belongs to tenant ${metadata.tenantId}, not ${tenantId}`);
    }
    if (metadata.chunkId !== id) {
      throw new VectorStoreInputError(`record id ${id} must be its chunk id (${metadata.chunkId})`);
    }
    if (!Number.isInteger(metadata.ordinal) || metadata.ordinal < 0) {
      throw new VectorStoreInputError(`ordinal of ${id} must be a non-negative integer`);
    }
    requireDirection(`vector ${id}`, values);
    if (isZero(values)) throw new VectorStoreInputError(`vector ${id} is all zeros: nothing to compare it with`);
    const dimensions = dimensionsByEmbedder.get(metadata.embedderId) ?? values.length;
    if (values.length !== dimensions) {
      throw new VectorStoreInputError(
        `vector ${id} has ${values.length} dimensions; other vectors of ${metadata.embedderId} have ${dimensions}`,
      );
    }
    dimensionsByEmbedder.set(metadata.embedderId, dimensions);
    byId.delete(id); // keeps the map in the order of the last occurrence
    byId.set(id, record);
  }
  return [...byId.values()];
}

/** Whether the query can match anything: a zero vector has no direction, so nothing is similar to it. */
export function checkedQuery(q: VectorQuery): { searchable: boolean } {
  requireId('tenantId', q.tenantId);
  requireId('embedderId', q.embedderId);
  if (!Number.isInteger(q.topK) || q.topK < 1) throw new VectorStoreInputError(`topK must be a positive integer`);
  for (const sourceId of q.sourceIds ?? []) requireId('sourceId', sourceId);
  for (const chunkId of q.chunkIds ?? []) requireId('chunkId', chunkId);
  requireDirection('query vector', q.vector);
  return { searchable: !isZero(q.vector) };
}

export function checkedDelete(tenantId: string, sourceId: string, keep: string[] | undefined): void {
  requireId('tenantId', tenantId);
  requireId('sourceId', sourceId);
  for (const chunkId of keep ?? []) requireId('chunk id to keep', chunkId);
}
