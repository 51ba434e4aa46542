// Embeddings of chunk texts kept on disk between benchmark runs: embedding 50k chunks with the
// in-process model takes the better part of an hour, a lookup takes a second.
//
// Layout: <root>/<embedder slug>-<hash of the embedder id>/<file>.emb, each file a run of records
// [32 bytes: sha256 of the chunk text][dimensions × float32, little-endian]. Files are written
// whole to a temporary name and renamed, so a crash never leaves a torn file; several processes
// may fill the same directory at once (each writes files of its own). The key is the embedder id
// (the directory) plus the sha256 of the text (the record), so identical texts share one vector
// and another model never reads these.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '../../../activities/rag/types';

const HASH_BYTES = 32;

export class EmbeddingCache {
  readonly directory: string;
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    root: string,
    readonly embedderId: string,
    readonly dimensions: number,
  ) {
    const slug = embedderId.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    const idHash = createHash('sha256').update(embedderId).digest('hex').slice(0, 8);
    this.directory = join(root, `${slug}-${dimensions}d-${idHash}`);
    mkdirSync(this.directory, { recursive: true });
  }

  get size(): number {
    return this.vectors.size;
  }

  /** Reads every file of the directory (again: picks up what other processes wrote meanwhile). */
  load(): void {
    const recordBytes = HASH_BYTES + this.dimensions * 4;
    for (const name of readdirSync(this.directory)) {
      if (!name.endsWith('.emb')) continue;
      const buf = readFileSync(join(this.directory, name));
      if (buf.length % recordBytes !== 0) {
        throw new Error(`embedding cache: ${name} is ${buf.length} bytes, not a multiple of ${recordBytes}`);
      }
      for (let at = 0; at < buf.length; at += recordBytes) {
        const key = buf.subarray(at, at + HASH_BYTES).toString('hex');
        if (this.vectors.has(key)) continue;
        // A copy: an aligned Float32Array of its own, not a view on the file's buffer.
        const floats = new Float32Array(this.dimensions);
        for (let i = 0; i < this.dimensions; i++) floats[i] = buf.readFloatLE(at + HASH_BYTES + i * 4);
        this.vectors.set(key, floats);
      }
    }
  }

  get(hash: string): Float32Array | undefined {
    return this.vectors.get(hash);
  }

  has(hash: string): boolean {
    return this.vectors.has(hash);
  }

  /** Keeps these vectors in memory and appends them to the directory as one new file. */
  put(entries: { hash: string; vector: ArrayLike<number> }[]): void {
    if (entries.length === 0) return;
    const recordBytes = HASH_BYTES + this.dimensions * 4;
    const buf = Buffer.alloc(entries.length * recordBytes);
    entries.forEach(({ hash, vector }, k) => {
      if (vector.length !== this.dimensions) {
        throw new Error(`embedding cache: a vector of ${vector.length} dimensions, expected ${this.dimensions}`);
      }
      const at = k * recordBytes;
      buf.write(hash, at, HASH_BYTES, 'hex');
      for (let i = 0; i < this.dimensions; i++) buf.writeFloatLE(vector[i] as number, at + HASH_BYTES + i * 4);
      this.vectors.set(hash, Float32Array.from(vector));
    });
    const name = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const tmp = join(this.directory, `${name}.tmp`);
    writeFileSync(tmp, buf);
    renameSync(tmp, join(this.directory, `${name}.emb`));
  }

  /**
   * Embeds the texts whose hash is not cached yet (each distinct text once), `perFile` at a time,
   * saving after each group so an interrupted run keeps its work. Reports progress as it goes.
   */
  async fill(
    texts: { hash: string; text: string }[],
    embedder: Embedder,
    opts: { perFile?: number; onProgress?: (done: number, total: number, elapsedMs: number) => void } = {},
  ): Promise<{ embedded: number; cached: number }> {
    if (embedder.id !== this.embedderId) throw new Error(`embedding cache of ${this.embedderId} fed by ${embedder.id}`);
    const todo = new Map<string, string>();
    for (const t of texts) if (!this.vectors.has(t.hash) && !todo.has(t.hash)) todo.set(t.hash, t.text);
    const missing = [...todo.entries()];
    const perFile = opts.perFile ?? 256;
    const started = performance.now();
    for (let i = 0; i < missing.length; i += perFile) {
      const group = missing.slice(i, i + perFile);
      const vectors = await embedder.embed(group.map(([, text]) => text));
      this.put(group.map(([hash], k) => ({ hash, vector: vectors[k] as number[] })));
      opts.onProgress?.(Math.min(i + perFile, missing.length), missing.length, performance.now() - started);
    }
    return { embedded: missing.length, cached: texts.length - missing.length };
  }
}
