// Starting a source's ingestion from the API, and catching up on the ones that never started
// (Temporal was down when they were saved) or were indexed with another embedder.
import type { FastifyInstance } from 'fastify';
import { type IngestSourceInput, ingestWorkflowId } from '../../workflows/ingest-source';

type App = Pick<FastifyInstance, 'temporal' | 'taskQueue' | 'db' | 'log'>;

/**
 * Starts ingesting a source's revision. A newer revision replaces a running ingestion of an older
 * one (every step checks the revision, so the old one could not write anyway). False when Temporal
 * would not take it: the source stays `pending` and the catch-up sweep starts it later.
 */
export async function startIngestion(
  app: App,
  ref: IngestSourceInput,
  policy: 'replace' | 'keep' = 'replace',
): Promise<boolean> {
  try {
    await app.temporal.workflow.start('ingestSource', {
      workflowId: ingestWorkflowId(ref.sourceId),
      taskQueue: app.taskQueue,
      args: [ref],
      workflowIdConflictPolicy: policy === 'replace' ? 'TERMINATE_EXISTING' : 'USE_EXISTING',
    });
    return true;
  } catch (err) {
    app.log.warn({ err, sourceId: ref.sourceId }, 'ingestion not started; the catch-up sweep will start it');
    return false;
  }
}

/** Deletes a source's chunks and vectors durably (the row is already marked deleted). */
export async function startPurge(app: App, tenantId: string, sourceId: string): Promise<void> {
  try {
    await app.temporal.workflow.start('purgeKnowledgeSource', {
      workflowId: `purge-${sourceId}`,
      taskQueue: app.taskQueue,
      args: [{ tenantId, sourceId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (err) {
    // Retrieval already ignores a deleted source; the sweep retries the purge.
    app.log.warn({ err, sourceId }, 'purge not started; the catch-up sweep will start it');
  }
}

/**
 * Sources that should be ingesting but may have no workflow (saved while Temporal was away, or
 * seeded), and ready
 * sources indexed with another embedder than the current one: start them (existing runs are kept).
 * Deleted sources with chunks left are purged.
 */
export async function catchUpIngestion(app: App, embedderId: string, limit = 500): Promise<number> {
  const stale = await app.db.knowledgeSource.findMany({
    where: {
      deletedAt: null,
      OR: [
        { status: 'pending' },
        // An ingestion that has not moved for a while may have lost its workflow (a running one is kept).
        { status: 'ingesting', updatedAt: { lt: new Date(Date.now() - 10 * 60_000) } },
        { status: 'ready', embedderId: { not: embedderId } },
      ],
    },
    select: { id: true, tenantId: true, revision: true },
    take: limit,
  });
  for (const s of stale) {
    await startIngestion(app, { tenantId: s.tenantId, sourceId: s.id, revision: s.revision }, 'keep');
  }
  const deleted = await app.db.knowledgeSource.findMany({
    where: { deletedAt: { not: null }, chunks: { some: {} } },
    select: { id: true, tenantId: true },
    take: limit,
  });
  for (const s of deleted) await startPurge(app, s.tenantId, s.id);
  return stale.length + deleted.length;
}
