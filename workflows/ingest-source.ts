import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';

type Activities = typeof activities;

export interface IngestSourceInput {
  tenantId: string;
  sourceId: string;
  revision: number;
  /** Set across continue-as-new: the text is chunked, only embedding is left. */
  embedding?: boolean;
}

export type IngestSourceResult =
  | { outcome: 'ready'; chunks: number }
  | { outcome: 'superseded' }
  | { outcome: 'failed'; code: string; message: string };

export const ingestWorkflowId = (sourceId: string) => `ingest-${sourceId}`;

const { extractSource } = proxyActivities<Pick<Activities, 'extractSource'>>({
  // A URL may be slow and a 50 MB PDF takes a while to parse.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});
const { embedSourceChunks } = proxyActivities<Pick<Activities, 'embedSourceChunks'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
const { finishIngestion, failIngestion } = proxyActivities<Pick<Activities, 'finishIngestion' | 'failIngestion'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One source revision through extract → chunk → embed → upsert (workflow id `ingest-<source>`).
 * Progress is on the source row (stage, chunks, embedded). A failure the retries cannot fix marks
 * the source failed with its reason; a newer revision or a deletion supersedes this one.
 */
export async function ingestSource(input: IngestSourceInput): Promise<IngestSourceResult> {
  if (!input.embedding) {
    let extracted: Awaited<ReturnType<Activities['extractSource']>>;
    try {
      extracted = await extractSource(input);
    } catch (err) {
      const { code, message } = failureOf(err, 'extraction_failed');
      await failIngestion({ ...input, code, message });
      return { outcome: 'failed', code, message };
    }
    if (extracted.outcome !== 'extracted') return extracted;
  }
  for (;;) {
    let step: Awaited<ReturnType<Activities['embedSourceChunks']>>;
    try {
      step = await embedSourceChunks(input);
    } catch (err) {
      const { code, message } = failureOf(err, 'embedding_failed');
      await failIngestion({ ...input, code, message });
      return { outcome: 'failed', code, message };
    }
    if (step.superseded) return { outcome: 'superseded' };
    if (step.remaining === 0) break;
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof ingestSource>({ ...input, embedding: true });
    }
  }
  return finishIngestion(input);
}

function failureOf(err: unknown, fallback: string): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? fallback, message: cause.message };
  return { code: fallback, message: cause instanceof Error ? cause.message : String(cause) };
}

const { purgeSource } = proxyActivities<Pick<Activities, 'purgeSource'>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** A deleted source's chunks and vectors go, retried until the vector store takes the delete. */
export async function purgeKnowledgeSource(input: { tenantId: string; sourceId: string }): Promise<void> {
  await purgeSource(input);
}
