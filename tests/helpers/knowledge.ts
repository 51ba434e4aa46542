// Text sources through the real ingestion activities (extract → chunk → embed → finish), without a
// workflow: for tests of retrieval and answers that need a tenant's knowledge indexed as production
// indexes it.
import { expect } from 'vitest';
import { createIngestActivities } from '../../activities/rag/ingest';
import type { Embedder, VectorStore } from '../../activities/rag/types';
import type { Db } from '../../prisma/client';

/** Each [title, text] as one ready source of one chunk; their ids in order. */
export async function ingestTexts(
  deps: { db: Db; embedder: Embedder; store: VectorStore },
  tenantId: string,
  texts: readonly (readonly [title: string, text: string])[],
): Promise<string[]> {
  const ingest = createIngestActivities({ db: deps.db, adapters: () => deps });
  const ids: string[] = [];
  for (const [title, text] of texts) {
    const source = await deps.db.knowledgeSource.create({ data: { tenantId, kind: 'text', title, text } });
    const ref = { tenantId, sourceId: source.id, revision: 1 };
    expect(await ingest.extractSource(ref)).toMatchObject({ outcome: 'extracted', chunks: 1 });
    expect(await ingest.embedSourceChunks(ref)).toEqual({ remaining: 0 });
    expect(await ingest.finishIngestion(ref)).toEqual({ outcome: 'ready', chunks: 1 });
    ids.push(source.id);
  }
  return ids;
}
