// Hybrid retrieval over a tenant's knowledge: PostgreSQL full-text search and the vector store,
// each ranked on its own, fused by reciprocal rank (RRF). Every query is scoped to one tenant in
// SQL and in the vector store, and only undeleted sources that have been indexed answer (a source
// being re-indexed keeps answering from what it had).
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
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
  /** The fused score (RRF); in a single mode, that mode's own score. */
  score: number;
  /** 1-based rank in each list, when the chunk was in it. */
  lexicalRank: number | null;
  vectorRank: number | null;
  /** PostgreSQL's ts_rank_cd, and the vector store's cosine similarity. */
  lexicalScore: number | null;
  vectorScore: number | null;
}

export interface RetrieverDeps {
  db: Db;
  embedder: Embedder;
  store: VectorStore;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RRF's constant: 60 is the value of the original paper (Cormack et al., 2009) and of most engines. */
const RRF_K = 60;
/** Each list is cut here before fusing: enough depth for fusion to matter, small enough to be fast. */
const CANDIDATES = 50;

interface Candidate {
  chunkId: string;
  rank: number;
  score: number;
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
    const [lexical, vector] = await Promise.all([
      mode === 'vector' ? [] : this.lexical(q),
      mode === 'lexical' ? [] : this.vector(q),
    ]);
    const fused = new Map<string, { lexical?: Candidate; vector?: Candidate; score: number }>();
    for (const [list, key] of [
      [lexical, 'lexical'],
      [vector, 'vector'],
    ] as const) {
      for (const c of list) {
        const entry = fused.get(c.chunkId) ?? { score: 0 };
        entry[key] = c;
        entry.score += mode === 'hybrid' ? 1 / (RRF_K + c.rank) : c.score;
        fused.set(c.chunkId, entry);
      }
    }
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
          lexicalScore: e.lexical?.score ?? null,
          vectorScore: e.vector?.score ?? null,
        },
      ];
    });
  }

  /** Full-text candidates: any of the question's content words, English stems or exact words. */
  private async lexical(q: RetrievalQuery): Promise<Candidate[]> {
    const terms = contentWords(q.query).slice(0, 32);
    if (terms.length === 0) return [];
    // Words are letters and digits only (contentWords), so the tsquery syntax cannot be injected.
    const tsquery = terms.join(' | ');
    const rows = await this.deps.db.$queryRaw<{ id: string; rank: number }[]>`
      SELECT c.id, ts_rank_cd(c.search, query, 32)::float8 AS rank
        FROM "KnowledgeChunk" c
        JOIN "KnowledgeSource" s ON s.id = c."sourceId",
             LATERAL (SELECT to_tsquery('english', ${tsquery}) || to_tsquery('simple', ${tsquery}) AS query) t
       WHERE c."tenantId" = ${q.tenantId}::uuid
         AND s."tenantId" = ${q.tenantId}::uuid
         AND s."deletedAt" IS NULL
         AND s."ingestedAt" IS NOT NULL
         ${q.visibility === 'public' ? Prisma.sql`AND s.visibility = 'public'` : Prisma.empty}
         ${q.sourceIds?.length ? Prisma.sql`AND c."sourceId" = ANY(${q.sourceIds}::uuid[])` : Prisma.empty}
         AND c.search @@ query
       ORDER BY rank DESC, c.id
       LIMIT ${CANDIDATES}`;
    return rows.map((r, i) => ({ chunkId: r.id, rank: i + 1, score: r.rank }));
  }

  /** Nearest chunks by embedding, then only those of ready, visible sources. */
  private async vector(q: RetrievalQuery): Promise<Candidate[]> {
    if (q.query.trim().length === 0) return [];
    const [vector] = await this.deps.embedder.embed([q.query]);
    if (!vector) return [];
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
