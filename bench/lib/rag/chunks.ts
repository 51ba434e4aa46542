// The corpus as the ingestion would store it: each document through extractText (the same
// normalisation a pasted text source gets) and chunkText, at the benchmark's chunk size.
import { createHash } from 'node:crypto';
import { chunkText } from '../../../activities/rag/extract/chunk';
import { extractText } from '../../../activities/rag/extract/extract-text';
import type { CorpusDoc } from './corpus';

export interface PreparedChunk {
  ordinal: number;
  text: string;
  /** sha256 hex of the text, as chunkText computes it. */
  hash: string;
  start: number;
  end: number;
}

export interface PreparedDoc extends CorpusDoc {
  /** The normalised text the chunks are cut from (what a text source stores). */
  normalized: string;
  chunks: PreparedChunk[];
}

export interface ChunkSettings {
  chunkSize: number;
  overlap: number;
}

export async function prepareDocs(docs: CorpusDoc[], settings: ChunkSettings): Promise<PreparedDoc[]> {
  const prepared: PreparedDoc[] = [];
  for (const doc of docs) {
    const extracted = await extractText({ kind: 'text', text: doc.text });
    const pieces = await chunkText(extracted.text, {
      chunkSize: settings.chunkSize,
      overlap: settings.overlap,
      format: extracted.format,
    });
    prepared.push({
      ...doc,
      normalized: extracted.text,
      chunks: pieces.map((p) => ({ ordinal: p.ordinal, text: p.text, hash: p.hash, start: p.start, end: p.end })),
    });
  }
  return prepared;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Environment integer with a default; refuses anything but a positive integer. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
