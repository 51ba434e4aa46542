// The benchmark's knobs (environment) and where it keeps its files.
import { fileURLToPath } from 'node:url';
import { envInt } from './chunks';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Ignored by git (.data/). */
export const BENCH_DATA_DIR = `${REPO_ROOT}.data/bench`;
export const EMBEDDING_CACHE_DIR = `${BENCH_DATA_DIR}/rag-embeddings`;
export const QUESTIONS_FILE = fileURLToPath(new URL('../../fixtures/rag/questions.json', import.meta.url));

export interface BenchSettings {
  /** Characters per chunk: 300 cuts the corpus (~12 M characters) into ~50,000 chunks. */
  chunkSize: number;
  /** Characters shared by consecutive chunks; default a fifth of the chunk size. */
  overlap: number;
  /** 0: the whole corpus; N: N documents, those the questions name first (a smoke run). */
  limitSources: number;
  /** Each mode answers the question set repeated to at least this many queries, timed. */
  latencyQueries: number;
}

export function benchSettings(): BenchSettings {
  const chunkSize = envInt('RAG_BENCH_CHUNK_SIZE', 300);
  const overlap = envInt('RAG_BENCH_CHUNK_OVERLAP', Math.round(chunkSize / 5));
  if (chunkSize < 50) throw new Error('RAG_BENCH_CHUNK_SIZE must be at least 50');
  if (overlap >= chunkSize) throw new Error('RAG_BENCH_CHUNK_OVERLAP must be smaller than RAG_BENCH_CHUNK_SIZE');
  return {
    chunkSize,
    overlap,
    limitSources: envInt('RAG_BENCH_LIMIT_SOURCES', 0),
    latencyQueries: Math.max(1, envInt('RAG_BENCH_LATENCY_QUERIES', 300)),
  };
}
