// npx tsx bench/lib/rag/warm-cache.ts — fills the benchmark's embedding cache without running the
// benchmark (same corpus, same chunk settings, same cache as bench/rag.bench.ts). Optional
// RAG_BENCH_SHARD=i/n embeds every n-th distinct chunk starting at i, so n processes can share the
// work on a machine with cores to spare; each writes files of its own into the cache.
import { UseLiteEmbedder } from '../../../activities/rag/embedders';
import { prepareDocs } from './chunks';
import { loadCorpus } from './corpus';
import { EmbeddingCache } from './embedding-cache';
import { benchSettings, EMBEDDING_CACHE_DIR } from './settings';

const settings = benchSettings();
const [shard, shards] = (process.env.RAG_BENCH_SHARD ?? '0/1').split('/').map(Number) as [number, number];
if (!Number.isInteger(shard) || !Number.isInteger(shards) || shards < 1 || shard < 0 || shard >= shards) {
  throw new Error('RAG_BENCH_SHARD must look like 0/2');
}
const docs = await prepareDocs(loadCorpus(), settings);
const embedder = new UseLiteEmbedder();
const cache = new EmbeddingCache(EMBEDDING_CACHE_DIR, embedder.id, embedder.dimensions);
cache.load();
const distinct = new Map<string, string>();
for (const d of docs) for (const c of d.chunks) distinct.set(c.hash, c.text);
const mine = [...distinct.entries()].filter((_, i) => i % shards === shard).map(([hash, text]) => ({ hash, text }));
process.stdout.write(
  `warm-cache shard ${shard}/${shards}: ${mine.length} of ${distinct.size} distinct chunks ` +
    `(size ${settings.chunkSize}, overlap ${settings.overlap}); ${cache.size} vectors cached\n`,
);
let nextReport = 0.1;
const result = await cache.fill(mine, embedder, {
  onProgress(done, total, ms) {
    if (done / total >= nextReport || done === total) {
      nextReport = Math.floor((done / total) * 10 + 1) / 10;
      const rate = done / (ms / 1000);
      process.stdout.write(
        `  ${done}/${total} (${((done / total) * 100).toFixed(0)}%) ${rate.toFixed(1)} chunks/s, ` +
          `~${((total - done) / rate / 60).toFixed(1)} min left\n`,
      );
    }
  },
});
process.stdout.write(
  `warm-cache shard ${shard}/${shards}: embedded ${result.embedded}, ${result.cached} were cached\n`,
);
