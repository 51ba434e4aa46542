// KnowledgeBase.ask without a chat model, for any retrieval mode. `ask` always retrieves in hybrid
// mode; to compare the modes' answers this mirrors its extractive path (retrieve `passages`
// chunks, cite the most relevant one, quote its sentences that share the question's stems) on
// the results of Retriever.search in the mode asked. The benchmark checks the mirror against the
// real `ask` in hybrid mode on every question, so a change to knowledge-base.ts shows up as a
// disagreement instead of silently skewing the per-mode numbers.
import { relevance } from '../../../activities/rag/knowledge-base';
import type { RetrievalMode, RetrievedChunk, Retriever } from '../../../activities/rag/retrieve';
import { stems } from '../../../activities/rag/words';

/** `ask`'s default number of passages. */
export const ASK_PASSAGES = 4;

export interface MirroredAnswer {
  answer: string;
  confidence: number;
  /** The one chunk an extractive answer cites (null: nothing retrieved). */
  cited: RetrievedChunk | null;
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
  if (passages.length === 0) return { answer: '', confidence: 0, cited: null };
  const best = [...passages].sort((a, b) => relevance(question, b) - relevance(question, a))[0] as RetrievedChunk;
  const terms = stems(question);
  const sentences = splitSentences(best.text);
  const scored = sentences.map((s, i) => ({ s, i, hits: [...stems(s)].filter((w) => terms.has(w)).length }));
  const chosen = scored
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.i - b.i)
    .slice(0, 3)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.s);
  const answer = (chosen.length > 0 ? chosen : sentences.slice(0, 2)).join(' ').slice(0, 600);
  return { answer, confidence: relevance(question, best), cited: best };
}

function splitSentences(text: string): string[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  return [...segmenter.segment(text)].map((s) => s.segment.trim()).filter((s) => s.length > 0);
}
