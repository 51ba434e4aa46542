// Answers from a tenant's knowledge: retrieve, then either quote the best passages (no model
// configured — extractive, never invented) or ask a chat model to answer from numbered passages
// and cite them. Either way the answer carries its citations and a confidence; below the caller's
// threshold the ai-reply node takes `unsure` instead of guessing.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { Answer, KnowledgeAnswerer } from './answerer';
import { type RetrievalQuery, type RetrievedChunk, Retriever, type RetrieverDeps } from './retrieve';
import { semanticScore } from './similarity';
import { stems } from './words';

export interface KnowledgeBaseDeps extends RetrieverDeps {
  /** A chat model (LangChain); none: extractive answers. */
  chat?: BaseChatModel;
}

export interface AskInput {
  tenantId: string;
  question: string;
  sourceIds?: string[];
  visibility?: 'public' | 'all';
  /** Passages given to the model (or considered for an extract). */
  passages?: number;
}

export interface AskResult extends Answer {
  /** extractive | the chat model's name. */
  answeredBy: string;
  passages: RetrievedChunk[];
}

/** The model's way of saying the passages do not answer the question. */
const UNSURE = 'UNSURE';

export class KnowledgeBase implements KnowledgeAnswerer {
  readonly retriever: Retriever;

  constructor(private readonly deps: KnowledgeBaseDeps) {
    this.retriever = new Retriever(deps);
  }

  search(q: RetrievalQuery): Promise<RetrievedChunk[]> {
    return this.retriever.search(q);
  }

  /** The ai-reply node's and the voice agent's entry: customer-facing, so public sources only. */
  async answer(input: { tenantId: string; question: string; sourceIds: string[] }): Promise<Answer> {
    const { answer, confidence, citations } = await this.ask({ ...input, visibility: 'public' });
    return { answer, confidence, citations };
  }

  async ask(input: AskInput): Promise<AskResult> {
    const passages = await this.retriever.search({
      tenantId: input.tenantId,
      query: input.question,
      topK: input.passages ?? 4,
      visibility: input.visibility ?? 'all',
      ...(input.sourceIds?.length ? { sourceIds: input.sourceIds } : {}),
    });
    if (passages.length === 0) return { answer: '', confidence: 0, citations: [], answeredBy: 'none', passages };
    return this.deps.chat ? this.generate(input.question, passages, this.deps.chat) : extract(input.question, passages);
  }

  private async generate(question: string, passages: RetrievedChunk[], chat: BaseChatModel): Promise<AskResult> {
    const numbered = passages.map((p, i) => `[${i + 1}] (${p.title})\n${p.text}`).join('\n\n');
    const reply = await chat.invoke([
      new SystemMessage(
        'You answer customer questions using only the numbered passages below. Cite every claim with ' +
          'the passage number in square brackets, like [1]. If the passages do not contain the answer, ' +
          `reply with exactly ${UNSURE} and nothing else. Never use outside knowledge. Answer in the ` +
          `language of the question, briefly.\n\n${numbered}`,
      ),
      new HumanMessage(question),
    ]);
    const text = (typeof reply.content === 'string' ? reply.content : reply.text).trim();
    const answeredBy = chat.getName();
    const cited = [...new Set([...text.matchAll(/\[(\d{1,2})\]/g)].map((m) => Number(m[1])))]
      .filter((n) => n >= 1 && n <= passages.length)
      .map((n) => passages[n - 1] as RetrievedChunk);
    // An answer that cites nothing from the passages is not grounded, whatever it says.
    if (text === '' || text.toUpperCase().startsWith(UNSURE) || cited.length === 0) {
      return { answer: '', confidence: 0, citations: [], answeredBy, passages };
    }
    return {
      answer: text,
      confidence: Math.max(...cited.map((p) => relevance(question, p))),
      citations: cited.map(citation),
      answeredBy,
      passages,
    };
  }
}

/** The best passage's sentences that bear on the question, in their order, cited. */
function extract(question: string, passages: RetrievedChunk[]): AskResult {
  const { answer, confidence, cited } = extractiveAnswer(question, passages as [RetrievedChunk, ...RetrievedChunk[]]);
  return { answer, confidence, citations: [citation(cited)], answeredBy: 'extractive', passages };
}

/**
 * The extractive answer: retrieval's first passage and its (up to three) sentences that share the
 * question's stems. Exported for bench/rag, which asks it of every retrieval mode. The first
 * passage, not the one relevance() prefers: hybrid ranking already weighs words by rarity and
 * meaning, and re-choosing by relevance() cited a relevant passage less often (bench/rag: 32% of
 * questions against 41%).
 */
export function extractiveAnswer(
  question: string,
  passages: [RetrievedChunk, ...RetrievedChunk[]],
): { answer: string; confidence: number; cited: RetrievedChunk } {
  const [best] = passages;
  const terms = stems(question);
  const sentences = splitSentences(best.text);
  const scored = sentences.map((s, i) => ({ s, i, hits: [...stems(s)].filter((w) => terms.has(w)).length }));
  const chosen = scored
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.i - b.i)
    .slice(0, 3)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.s);
  // No sentence shares a word (a match by meaning only): the passage's opening stands for it.
  const answer = (chosen.length > 0 ? chosen : sentences.slice(0, 2)).join(' ').slice(0, 600);
  return { answer, confidence: relevance(question, best), cited: best };
}

/**
 * How well a passage answers a question, 0..1: the larger of its embedding similarity (rescaled so
 * an unrelated pair is 0 and a close one 1) and the share of the question's words it contains.
 */
export function relevance(question: string, p: RetrievedChunk): number {
  const semantic = p.vectorScore === null ? 0 : semanticScore(p.vectorScore);
  const terms = [...stems(question)];
  const words = stems(p.text);
  const coverage = terms.length === 0 ? 0 : terms.filter((t) => words.has(t)).length / terms.length;
  return Math.round(Math.max(semantic, coverage) * 100) / 100;
}

function citation(p: RetrievedChunk) {
  return { sourceId: p.sourceId, title: p.title, snippet: p.text.slice(0, 200) };
}

function splitSentences(text: string): string[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  return [...segmenter.segment(text)].map((s) => s.segment.trim()).filter((s) => s.length > 0);
}
