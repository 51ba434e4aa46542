// KnowledgeBase.ask without a chat model, for any retrieval mode. `ask` always retrieves in hybrid
// mode; to compare the modes' answers this runs its extractive step (knowledge-base.ts's
// extractiveAnswer) on the results of Retriever.search in the mode asked. The benchmark checks the mirror against the
// real `ask` in hybrid mode on every question, so a change to knowledge-base.ts shows up as a
// disagreement instead of silently skewing the per-mode numbers.
import { extractiveAnswer } from '../../../activities/rag/knowledge-base';
import type { RetrievalMode, RetrievedChunk, Retriever } from '../../../activities/rag/retrieve';

/** `ask`'s default number of passages. */
export const ASK_PASSAGES = 4;

export interface MirroredAnswer {
  answer: string;
  confidence: number;
  /** The one chunk an extractive answer cites (null: nothing retrieved). */
  cited: RetrievedChunk | null;
  /** What retrieval gave it, best first. */
  passages: RetrievedChunk[];
}

export async function extractiveAsk(
  retriever: Retriever,
  tenantId: string,
  question: string,
  mode: RetrievalMode,
): Promise<MirroredAnswer> {
  const passages = await retriever.search({ tenantId, query: question, topK: ASK_PASSAGES, visibility: 'all', mode });
  return extractFrom(question, passages);
}

export function extractFrom(question: string, passages: RetrievedChunk[]): MirroredAnswer {
  const [first, ...rest] = passages;
  return first
    ? { ...extractiveAnswer(question, [first, ...rest]), passages }
    : { answer: '', confidence: 0, cited: null, passages };
}
