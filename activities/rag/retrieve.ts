// Hybrid retrieval over a tenant's knowledge: PostgreSQL full-text search and the vector store,
// each finding candidates on its own, fused by a weighted sum of both scores of every candidate
// (the word share a chunk holds, its rescaled cosine to the question). Every query is scoped to one tenant in
// SQL and in the vector store, and only undeleted sources that have been indexed answer (a source
// being re-indexed keeps answering from what it had).
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { semanticScore } from './similarity';
import type { Embedder, VectorStore } from './types';
import { contentWords } from './words';

export type RetrievalMode = 'hybrid' | 'lexical' | 'vector';

export interface RetrievalQuery {
  tenantId: string;
  query: string;
  topK?: number;
  /** Only these sources (empty: all of the tenant's). */
  sourceIds?: string[];
  /** `public`: only sources that may be quoted to customers (what the ai-reply node uses). */
  visibility?: 'public' | 'all';
  mode?: RetrievalMode;
}

export interface RetrievedChunk {
  chunkId: string;
  sourceId: string;
  title: string;
  ordinal: number;
  text: string;
  /** Hybrid: the weighted sum of both scores (0..1); in a single mode, that mode's own score. */
  score: number;
  /** 1-based rank in each list, when the chunk was in it. */
  lexicalRank: number | null;
  vectorRank: number | null;
  /**
   * Full text: the IDF-weighted share of the question's words the chunk holds (0..1). Vector: the
   * cosine similarity to the question — in hybrid mode for every returned chunk, ranked or not.
   */
  lexicalScore: number | null;
  vectorScore: number | null;
}

export interface RetrieverDeps {
  db: Db;
  embedder: Embedder;
  store: VectorStore;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Hybrid score = this × the word share + the rest × the rescaled cosine. Words weigh more: a
 * passage that names the question's rare words is rarely wrong, while a sentence embedder's nearest
 * neighbours are often only about the same thing (bench/rag).
 */
const LEXICAL_WEIGHT = 0.6;
/** Each list is cut here before fusing: enough depth for fusion to matter, small enough to be fast. */
const CANDIDATES = 50;
/**
 * Full-text search ranks only the chunks holding the question's rarest words, taken rarest first
 * until their chunks would pass this many. Ranking every chunk that shares a common word with the
 * question was most of a lexical query's time at 50k chunks.
 */
const CANDIDATE_POOL = 4000;
/** ts_rank_cd (0..1 with normalisation 32) only orders chunks that hold the same words. */
const TS_RANK_WEIGHT = 0.05;

/** BM25's inverse document frequency: never negative, highest for a word no chunk holds. */
function idf(total: number, df: number): number {
  return Math.log(1 + (total - df + 0.5) / (df + 0.5));
}

interface TermWeight {
  word: string;
  /** Chunks of the tenant that hold the word (its English stem or the word itself). */
  df: number;
  idf: number;
}

interface Candidate {
  chunkId: string;
  rank: number;
  score: number;
}

interface Fused {
  lexical?: Candidate;
  vector?: Candidate;
  /** Hybrid: the score of a side whose list did not hold the chunk, completed by fuse(). */
  lexicalScore?: number;
  vectorScore?: number | null;
  score: number;
}

/** Each side's score: from its list, else as fuse() completed it, else none. */
function scoresOf(e: Fused): { lexicalScore: number | null; vectorScore: number | null } {
  return {
    lexicalScore: e.lexical?.score ?? e.lexicalScore ?? null,
    vectorScore: e.vector?.score ?? e.vectorScore ?? null,
  };
}

interface WordWeights {
  /** The words some chunk holds, rarest first. */
  weights: TermWeight[];
  /** Their IDFs, plus the IDF a word no chunk holds for each such word of the question. */
  totalIdf: number;
  /** The rarest words whose chunks are ranked. */
  pool: string[];
}

export class Retriever {
  constructor(private readonly deps: RetrieverDeps) {}

  async search(query: RetrievalQuery): Promise<RetrievedChunk[]> {
    // Source ids come from flows and voice agents as free text: one that is not a source id cannot
    // match, and a selection of only such ids selects nothing (rather than everything).
    const sourceIds = query.sourceIds?.filter((id) => UUID.test(id));
    if (query.sourceIds?.length && !sourceIds?.length) return [];
    const q = { ...query, ...(sourceIds ? { sourceIds } : {}) };
    const topK = Math.min(Math.max(q.topK ?? 5, 1), 50);
    const mode = q.mode ?? 'hybrid';
    const embedding = mode === 'lexical' ? undefined : this.embedQuery(q.query);
    const words = mode === 'vector' ? undefined : this.wordWeights(q);
    const [lexical, vector] = await Promise.all([
      words ? words.then((w) => this.lexical(q, w)) : [],
      embedding ? embedding.then((v) => (v ? this.vector(q, v) : [])) : [],
    ]);
    const fused = new Map<string, Fused>();
    for (const [list, key] of [
      [lexical, 'lexical'],
      [vector, 'vector'],
    ] as const) {
      for (const c of list) fused.set(c.chunkId, { ...fused.get(c.chunkId), [key]: c, score: c.score });
    }
    if (mode === 'hybrid') await this.fuse(q, fused, await embedding, await words);
    const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]));
    const top = ranked.slice(0, topK);
    if (top.length === 0) return [];
    const rows = await this.deps.db.knowledgeChunk.findMany({
      where: { id: { in: top.map(([id]) => id) }, tenantId: q.tenantId },
      select: { id: true, sourceId: true, ordinal: true, text: true, source: { select: { title: true } } },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return top.flatMap(([id, e]) => {
      const row = byId.get(id);
      if (!row) return [];
      return [
        {
          chunkId: id,
          sourceId: row.sourceId,
          title: row.source.title,
          ordinal: row.ordinal,
          text: row.text,
          score: e.score,
          lexicalRank: e.lexical?.rank ?? null,
          vectorRank: e.vector?.rank ?? null,
          ...scoresOf(e),
        },
      ];
    });
  }

  /**
   * Hybrid: each candidate's two scores, the missing one completed (the cosine of a chunk only full
   * text found, read from the store; the word share of a chunk only vector search found, from
   * PostgreSQL), then one weighted sum. Reciprocal-rank fusion was measured first (bench/rag): it
   * lifts any chunk both lists hold above the best chunk of one list, and with a weak embedder that
   * let vector search's near misses displace the passage full text had ranked first.
   */
  private async fuse(
    q: RetrievalQuery,
    fused: Map<string, Fused>,
    vector: number[] | undefined,
    words: WordWeights | undefined,
  ): Promise<void> {
    const entries = [...fused.entries()];
    const [cosines, shares] = await Promise.all([
      vector
        ? this.similarities(
            q.tenantId,
            vector,
            entries.filter(([, e]) => !e.vector).map(([id]) => id),
          )
        : new Map<string, number>(),
      words
        ? this.lexical(
            q,
            words,
            entries.filter(([, e]) => !e.lexical).map(([id]) => id),
          ).then((list) => new Map(list.map((c) => [c.chunkId, c.score])))
        : new Map<string, number>(),
    ]);
    for (const [id, e] of entries) {
      if (!e.vector) e.vectorScore = cosines.get(id) ?? null;
      if (!e.lexical) e.lexicalScore = shares.get(id) ?? 0;
      const { lexicalScore, vectorScore } = scoresOf(e);
      e.score = LEXICAL_WEIGHT * (lexicalScore ?? 0) + (1 - LEXICAL_WEIGHT) * semanticScore(vectorScore ?? 0);
    }
  }

  /** The question's words with their rarity among the tenant's chunks, and the chunks to rank. */
  private async wordWeights(q: RetrievalQuery): Promise<WordWeights | undefined> {
    const words = contentWords(q.query).slice(0, 32);
    if (words.length === 0) return undefined;
    const { weights, total } = await this.termWeights(q.tenantId, words);
    if (weights.length === 0) return undefined;
    // A word no chunk holds is the question's most specific information, and every chunk lacks it:
    // it weighs in the total, so "the capital of Mongolia" is not half answered by "capital" alone.
    const unknown = words.length - weights.length;
    const totalIdf = weights.reduce((sum, w) => sum + w.idf, 0) + unknown * idf(total, 0);
    const pool: string[] = [];
    let pooled = 0;
    for (const w of weights) {
      if (pool.length > 0 && pooled + w.df > CANDIDATE_POOL) break;
      pool.push(w.word);
      pooled += w.df;
    }
    return { weights, totalIdf, pool };
  }

  /**
   * Full-text candidates, ranked by how much of the question's information a chunk holds: each
   * content word weighs its inverse document frequency in the tenant's chunks (BM25's IDF), so a
   * chunk with the one rare word of a question outranks one with three common ones — PostgreSQL's
   * ts_rank_cd has no notion of rarity — and ts_rank_cd (frequency, proximity) breaks ties.
   * Only chunks holding one of the rarest words are ranked at all (CANDIDATE_POOL), which keeps a
   * question full of common words from ranking half the corpus; `only`: score just these chunks.
   */
  private async lexical(q: RetrievalQuery, words: WordWeights | undefined, only?: string[]): Promise<Candidate[]> {
    if (!words || only?.length === 0) return [];
    const { weights, totalIdf, pool } = words;
    // Words are letters and digits only (contentWords), so the tsquery syntax cannot be injected.
    const rows = await this.deps.db.$queryRaw<{ id: string; score: number }[]>`
      WITH terms AS (
        SELECT array_agg(to_tsquery('english', word) || to_tsquery('simple', word) ORDER BY i) AS queries,
               array_agg(idf ORDER BY i) AS idfs
          FROM unnest(${weights.map((w) => w.word)}::text[], ${weights.map((w) => w.idf)}::float8[])
               WITH ORDINALITY AS t(word, idf, i)
      )
      SELECT c.id,
             -- The share of the question's information the chunk holds (0..1), nudged by ts_rank_cd.
             least(1, (SELECT coalesce(sum(u.idf), 0) FROM unnest(terms.queries, terms.idfs) AS u(query, idf)
                        WHERE c.search @@ u.query) / ${totalIdf}::float8
                      + ${TS_RANK_WEIGHT}::float8 * ts_rank_cd(c.search, whole.query, 32))::float8 AS score
        FROM "KnowledgeChunk" c
        JOIN "KnowledgeSource" s ON s.id = c."sourceId",
             terms,
             LATERAL (SELECT to_tsquery('english', ${weights.map((w) => w.word).join(' | ')})
                          || to_tsquery('simple', ${weights.map((w) => w.word).join(' | ')}) AS query) whole,
             LATERAL (SELECT to_tsquery('english', ${pool.join(' | ')})
                          || to_tsquery('simple', ${pool.join(' | ')}) AS query) candidates
       WHERE c."tenantId" = ${q.tenantId}::uuid
         AND s."tenantId" = ${q.tenantId}::uuid
         AND s."deletedAt" IS NULL
         AND s."ingestedAt" IS NOT NULL
         ${q.visibility === 'public' ? Prisma.sql`AND s.visibility = 'public'` : Prisma.empty}
         ${q.sourceIds?.length ? Prisma.sql`AND c."sourceId" = ANY(${q.sourceIds}::uuid[])` : Prisma.empty}
         ${only ? Prisma.sql`AND c.id = ANY(${only}::uuid[])` : Prisma.sql`AND c.search @@ candidates.query`}
       ORDER BY score DESC, c.id
       LIMIT ${CANDIDATES}`;
    return rows.map((r, i) => ({ chunkId: r.id, rank: i + 1, score: r.score }));
  }

  /**
   * Each word that occurs in the tenant's chunks, with its document frequency and IDF, rarest
   * first. Counted per query through the GIN index: exact, and current the moment a source is
   * indexed, at a few milliseconds per word.
   */
  private async termWeights(tenantId: string, words: string[]): Promise<{ weights: TermWeight[]; total: number }> {
    const rows = await this.deps.db.$queryRaw<{ word: string; df: number; total: number }[]>`
      SELECT t.word,
             (SELECT count(*) FROM "KnowledgeChunk" c
               WHERE c."tenantId" = ${tenantId}::uuid
                 AND c.search @@ (to_tsquery('english', t.word) || to_tsquery('simple', t.word)))::int AS df,
             (SELECT count(*) FROM "KnowledgeChunk" c WHERE c."tenantId" = ${tenantId}::uuid)::int AS total
        FROM unnest(${words}::text[]) AS t(word)`;
    const weights = rows
      .filter((r) => r.df > 0)
      .map((r) => ({ word: r.word, df: r.df, idf: idf(r.total, r.df) }))
      .sort((a, b) => a.df - b.df || a.word.localeCompare(b.word));
    return { weights, total: rows[0]?.total ?? 0 };
  }

  private async embedQuery(query: string): Promise<number[] | undefined> {
    if (query.trim().length === 0) return undefined;
    const [vector] = await this.deps.embedder.embed([query]);
    return vector;
  }

  /**
   * The question's cosine similarity to chunks full-text search found but vector search did not
   * rank: read from the store (no second embedding), so every passage an answer may cite is judged
   * by meaning as well as by words.
   */
  private async similarities(tenantId: string, vector: number[], chunkIds: string[]): Promise<Map<string, number>> {
    if (chunkIds.length === 0) return new Map();
    const matches = await this.deps.store.query({
      tenantId,
      vector,
      topK: chunkIds.length,
      embedderId: this.deps.embedder.id,
      chunkIds,
    });
    return new Map(matches.map((m) => [m.metadata.chunkId, m.score]));
  }

  /** Nearest chunks by embedding, then only those of ready, visible sources. */
  private async vector(q: RetrievalQuery, vector: number[]): Promise<Candidate[]> {
    const matches = await this.deps.store.query({
      tenantId: q.tenantId,
      vector,
      // Over-fetch: some matches may belong to sources that are deleted, failed or internal.
      topK: CANDIDATES * 2,
      embedderId: this.deps.embedder.id,
      ...(q.sourceIds?.length ? { sourceIds: q.sourceIds } : {}),
    });
    if (matches.length === 0) return [];
    const allowed = await this.deps.db.knowledgeChunk.findMany({
      where: {
        id: { in: matches.map((m) => m.metadata.chunkId) },
        tenantId: q.tenantId,
        source: {
          tenantId: q.tenantId,
          deletedAt: null,
          ingestedAt: { not: null },
          ...(q.visibility === 'public' ? { visibility: 'public' } : {}),
        },
      },
      select: { id: true },
    });
    const ok = new Set(allowed.map((r) => r.id));
    return matches
      .filter((m) => ok.has(m.metadata.chunkId))
      .slice(0, CANDIDATES)
      .map((m, i) => ({ chunkId: m.metadata.chunkId, rank: i + 1, score: m.score }));
  }
}
