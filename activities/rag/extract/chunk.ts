// Text to retrieval-sized chunks with their position in the text and a content hash.
//
// Offsets: LangChain's splitters return strings, not positions. With `keepSeparator: true` (the
// recursive splitters' default, set explicitly below because the offsets depend on it) every chunk
// is a verbatim, trimmed substring of the input, and chunks come out in document order, each one
// overlapping its predecessor by at most `overlap` characters. So each chunk is found with
// `indexOf`, searching from max(previous start + 1, previous end − overlap): never past the true
// position, and close enough that the search is short even in a very long text. In repetitive
// text the match can be an identical earlier occurrence; `text.slice(start, end)` is the chunk
// either way, which is what the offsets promise.

import { createHash } from 'node:crypto';
import { MarkdownTextSplitter, RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { ExtractedFormat } from './extract-text';

export interface Chunk {
  /** Position in the document, from 0. */
  ordinal: number;
  text: string;
  /** `text === input.slice(start, end)`, in UTF-16 code units (JavaScript string offsets). */
  start: number;
  end: number;
  /** sha256 (hex) of `text`: an unchanged chunk keeps its hash, so re-indexing can skip it. */
  hash: string;
}

export interface ChunkOptions {
  /**
   * Maximum chunk length in characters (UTF-16 code units). Default 1000. A chunk can be one longer
   * when it is widened to keep a surrogate pair (an emoji) whole.
   */
  chunkSize?: number;
  /**
   * Characters repeated between consecutive chunks, so a sentence cut in two is whole in one.
   * Default 15% of the chunk size (150 for the default size).
   */
  overlap?: number;
  /** `markdown` splits at headings first; everything else at paragraphs, lines, then words. */
  format?: ExtractedFormat;
}

export const DEFAULT_CHUNK_SIZE = 1000;
/** The default overlap as a share of the chunk size, so a small chunkSize alone is valid. */
export const DEFAULT_CHUNK_OVERLAP_SHARE = 0.15;

export async function chunkText(text: string, opts: ChunkOptions = {}): Promise<Chunk[]> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const overlap = opts.overlap ?? Math.floor(chunkSize * DEFAULT_CHUNK_OVERLAP_SHARE);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= chunkSize) {
    throw new RangeError(`overlap must be an integer from 0 to chunkSize − 1`);
  }

  const fields = { chunkSize, chunkOverlap: overlap, keepSeparator: true };
  const splitter =
    opts.format === 'markdown' ? new MarkdownTextSplitter(fields) : new RecursiveCharacterTextSplitter(fields);
  const pieces = await splitter.splitText(text);

  const chunks: Chunk[] = [];
  let previous = { start: -1, end: 0 };
  for (const piece of pieces) {
    if (piece.trim() === '') continue;
    const found = locate(text, piece, Math.max(previous.start + 1, previous.end - overlap), previous.start + 1);
    previous = found;
    const { start, end } = wholeCodePoints(text, found.start, found.end);
    const chunkText = text.slice(start, end);
    chunks.push({ ordinal: chunks.length, text: chunkText, start, end, hash: sha256(chunkText) });
  }
  return chunks;
}

function locate(text: string, piece: string, from: number, fallbackFrom: number): { start: number; end: number } {
  let start = text.indexOf(piece, from);
  // Not expected (see the comment at the top); a wider search keeps the offsets honest regardless.
  if (start === -1) start = text.indexOf(piece, fallbackFrom);
  if (start === -1) start = text.indexOf(piece);
  if (start === -1) throw new Error('chunkText: a chunk is not a substring of the text (splitter changed?)');
  return { start, end: start + piece.length };
}

/**
 * When a run without spaces is longer than a chunk (Japanese, Chinese, a long URL) the splitter
 * cuts between UTF-16 code units and can split an emoji or rare ideograph in half. Widen such a
 * chunk by the missing half so no chunk holds a lone surrogate (it would not survive UTF-8).
 */
function wholeCodePoints(text: string, start: number, end: number): { start: number; end: number } {
  const startsWithLowHalf =
    start > 0 && isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1));
  const endsWithHighHalf =
    end < text.length && isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end));
  return { start: startsWithLowHalf ? start - 1 : start, end: endsWithHighHalf ? end + 1 : end };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
