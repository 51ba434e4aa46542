// What the ingestion workflow does to the world: extract a source's text, cut it into chunks kept
// in PostgreSQL (with their full-text vectors), embed the chunks into the vector store, and retire
// what a new revision no longer has. Every step is keyed by the source's revision and the chunk's
// content, so a retried or repeated activity does its work once and a newer revision wins.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../../prisma/client';
import { uuidFromKey } from '../ids';
import { chunkText } from './extract/chunk';
import { ExtractionError } from './extract/errors';
import { extractFromUrl, extractText } from './extract/index';
import type { Embedder, VectorStore } from './types';

export interface IngestDeps {
  db: Db;
  /** The embedder and the store, built on first use (a worker that never ingests loads no model). */
  adapters: () => { embedder: Embedder; store: VectorStore };
  fetchImpl?: typeof fetch;
  /** Let URL sources reach loopback and private addresses (tests and local development only). */
  allowPrivateUrls?: boolean;
}

export interface IngestRef {
  tenantId: string;
  sourceId: string;
  revision: number;
}

export type ExtractOutcome =
  | { outcome: 'extracted'; chunks: number; toEmbed: number }
  | { outcome: 'superseded' }
  | { outcome: 'failed'; code: string; message: string };

/** Chunks embedded per activity call: small enough to heartbeat often, large enough to batch well. */
const EMBED_PER_CALL = 256;
const EMBED_BATCH = 32;

/** A chunk's id: the same text at the same place of the same source keeps its id (and its vector). */
export function chunkId(sourceId: string, ordinal: number, hash: string): string {
  return uuidFromKey(`${sourceId}:${ordinal}:${hash}`);
}

export function createIngestActivities(deps: IngestDeps) {
  const { db } = deps;
  const embedderOf = () => deps.adapters().embedder;
  const storeOf = () => deps.adapters().store;

  /** The source at this revision, or null when it was deleted or changed since. */
  async function current(ref: IngestRef) {
    const source = await db.knowledgeSource.findFirst({ where: { id: ref.sourceId, tenantId: ref.tenantId } });
    if (!source || source.deletedAt || source.revision !== ref.revision) return null;
    return source;
  }

  async function heartbeat(detail: unknown) {
    try {
      Context.current().heartbeat(detail);
    } catch {
      // Called outside an activity (unit tests): nothing to tell.
    }
  }

  return {
    /** Extract → chunk. A bad document fails the source with a reason; a flaky URL retries. */
    async extractSource(ref: IngestRef): Promise<ExtractOutcome> {
      const source = await current(ref);
      if (!source) return { outcome: 'superseded' };
      await db.knowledgeSource.update({
        where: { id: source.id },
        data: { status: 'ingesting', stage: 'extract', errorCode: null, errorMessage: null },
      });
      let extracted: Awaited<ReturnType<typeof extractText>>;
      try {
        extracted =
          source.kind === 'url'
            ? await extractFromUrl(source.url ?? '', {
                ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
                ...(deps.allowPrivateUrls ? { allowPrivate: true } : {}),
              })
            : source.kind === 'file'
              ? await extractText({
                  kind: 'file',
                  filename: source.filename ?? 'upload',
                  ...(source.contentType ? { contentType: source.contentType } : {}),
                  bytes: new Uint8Array(source.content ?? new Uint8Array()),
                })
              : await extractText({ kind: 'text', text: source.text ?? '' });
      } catch (err) {
        if (err instanceof ExtractionError && !err.retryable) {
          await fail(ref, err.code, err.message);
          return { outcome: 'failed', code: err.code, message: err.message };
        }
        if (err instanceof ExtractionError) {
          throw ApplicationFailure.retryable(err.message, err.code);
        }
        throw err;
      }
      await heartbeat({ stage: 'chunk' });
      const pieces = await chunkText(extracted.text, { format: extracted.format });
      const chunks = pieces.map((p) => ({
        id: chunkId(source.id, p.ordinal, p.hash),
        tenantId: source.tenantId,
        sourceId: source.id,
        ordinal: p.ordinal,
        text: p.text,
        hash: p.hash,
        startChar: p.start,
        endChar: p.end,
      }));
      const contentHash = createHash('sha256').update(extracted.text).digest('hex');
      const ids = chunks.map((c) => c.id);
      await db.$transaction(
        async (tx) => {
          // Chunks the new text no longer has go; unchanged ones stay with their vectors.
          await tx.knowledgeChunk.deleteMany({ where: { sourceId: source.id, id: { notIn: ids } } });
          for (let i = 0; i < chunks.length; i += 1000) {
            await tx.knowledgeChunk.createMany({ data: chunks.slice(i, i + 1000), skipDuplicates: true });
          }
          await tx.$executeRaw`
            UPDATE "KnowledgeChunk"
               SET search = to_tsvector('english', text) || to_tsvector('simple', text)
             WHERE "sourceId" = ${source.id}::uuid AND search IS NULL`;
          await tx.knowledgeSource.update({
            where: { id: source.id },
            data: {
              stage: 'embed',
              contentHash,
              chunkCount: chunks.length,
              embeddedCount: await tx.knowledgeChunk.count({
                where: { sourceId: source.id, embedderId: embedderOf().id },
              }),
              ...(source.kind === 'text' ? {} : { text: extracted.text }),
              ...(extracted.pages !== undefined ? { pages: extracted.pages } : {}),
              ...(source.title.trim() === '' && extracted.title ? { title: extracted.title.slice(0, 300) } : {}),
            },
          });
        },
        { timeout: 60_000 },
      );
      const toEmbed = await db.knowledgeChunk.count({
        where: { sourceId: source.id, OR: [{ embedderId: null }, { embedderId: { not: embedderOf().id } }] },
      });
      return { outcome: 'extracted', chunks: chunks.length, toEmbed };
    },

    /** Embeds up to EMBED_PER_CALL chunks that lack this embedder's vector; says how many remain. */
    async embedSourceChunks(ref: IngestRef): Promise<{ remaining: number; superseded?: true }> {
      const source = await current(ref);
      if (!source) return { remaining: 0, superseded: true };
      const stale = { sourceId: source.id, OR: [{ embedderId: null }, { embedderId: { not: embedderOf().id } }] };
      const todo = await db.knowledgeChunk.findMany({
        where: stale,
        orderBy: { ordinal: 'asc' },
        take: EMBED_PER_CALL,
        select: { id: true, ordinal: true, text: true },
      });
      let embedded = await db.knowledgeChunk.count({ where: { sourceId: source.id, embedderId: embedderOf().id } });
      for (let i = 0; i < todo.length; i += EMBED_BATCH) {
        const batch = todo.slice(i, i + EMBED_BATCH);
        const vectors = await embedderOf().embed(batch.map((c) => c.text));
        await storeOf().upsert(
          source.tenantId,
          batch.map((c, j) => ({
            id: c.id,
            values: vectors[j] as number[],
            metadata: {
              tenantId: source.tenantId,
              sourceId: source.id,
              chunkId: c.id,
              ordinal: c.ordinal,
              embedderId: embedderOf().id,
            },
          })),
        );
        // Marked only after the store holds them: a crash in between embeds them again, harmlessly.
        await db.knowledgeChunk.updateMany({
          where: { id: { in: batch.map((c) => c.id) } },
          data: { embedderId: embedderOf().id },
        });
        embedded += batch.length;
        await db.knowledgeSource.update({ where: { id: source.id }, data: { embeddedCount: embedded } });
        await heartbeat({ embedded });
      }
      return { remaining: await db.knowledgeChunk.count({ where: stale }) };
    },

    /** Retires vectors of chunks the revision dropped, and opens the source for answers. */
    async finishIngestion(ref: IngestRef): Promise<{ outcome: 'ready'; chunks: number } | { outcome: 'superseded' }> {
      const source = await current(ref);
      if (!source) return { outcome: 'superseded' };
      const keep = await db.knowledgeChunk.findMany({ where: { sourceId: source.id }, select: { id: true } });
      await storeOf().deleteSource(
        source.tenantId,
        source.id,
        keep.map((c) => c.id),
      );
      await db.knowledgeSource.updateMany({
        where: { id: source.id, revision: ref.revision },
        data: {
          status: 'ready',
          stage: 'done',
          embedderId: embedderOf().id,
          ingestedAt: new Date(),
          errorCode: null,
          errorMessage: null,
        },
      });
      return { outcome: 'ready', chunks: keep.length };
    },

    /** Records why a revision could not be ingested (after its retries ran out, or at once). */
    async failIngestion(ref: IngestRef & { code: string; message: string }): Promise<void> {
      await fail(ref, ref.code, ref.message);
    },

    /** A deleted source's vectors and chunks go. */
    async purgeSource(input: { tenantId: string; sourceId: string }): Promise<void> {
      await storeOf().deleteSource(input.tenantId, input.sourceId);
      await db.knowledgeChunk.deleteMany({ where: { sourceId: input.sourceId, tenantId: input.tenantId } });
    },
  };

  async function fail(ref: IngestRef, code: string, message: string) {
    await db.knowledgeSource.updateMany({
      where: { id: ref.sourceId, tenantId: ref.tenantId, revision: ref.revision },
      data: { status: 'failed', errorCode: code, errorMessage: message.slice(0, 1000) },
    });
  }
}
