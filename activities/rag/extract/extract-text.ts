// A document to clean text: the first step of ingestion. Everything returned here is normalised
// (see normalize.ts) and non-empty; everything refused is an ExtractionError with a stable code.

import { charsetOf, decodeText, sniffHtmlCharset } from './decode';
import { type DocumentKind, detectKind } from './detect';
import { extractDocx } from './docx';
import { ExtractionError } from './errors';
import { htmlToText } from './html';
import { isBlank, normalizeText } from './normalize';
import { extractPdf } from './pdf';

export type ExtractedFormat = 'text' | 'markdown' | 'pdf' | 'docx' | 'html';

export interface ExtractedText {
  text: string;
  title?: string;
  /** PDFs only. */
  pages?: number;
  format: ExtractedFormat;
}

export type ExtractionInput =
  | { kind: 'text'; text: string }
  | { kind: 'file'; filename: string; contentType?: string; bytes: Uint8Array }
  /** `url` is where the page came from, for the caller's records; it is never fetched. */
  | { kind: 'html'; html: string; url?: string };

export interface ExtractOptions {
  /** Larger inputs are refused before any parsing. Default 50 MB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export async function extractText(input: ExtractionInput, opts: ExtractOptions = {}): Promise<ExtractedText> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  switch (input.kind) {
    case 'text':
      refuseOversized(Buffer.byteLength(input.text, 'utf8'), maxBytes);
      return finish({ text: normalizeText(input.text), format: 'text' });
    case 'html':
      refuseOversized(Buffer.byteLength(input.html, 'utf8'), maxBytes);
      return finish({ ...htmlToText(input.html), format: 'html' });
    case 'file':
      // Before detection or decoding: a 2 GB upload must not be read, let alone parsed.
      refuseOversized(input.bytes.byteLength, maxBytes);
      if (input.bytes.byteLength === 0) throw emptyDocument(`${input.filename || 'The file'} is empty`);
      return finish(await extractFile(input, detectKind(input)));
  }
}

async function extractFile(
  file: { filename: string; contentType?: string; bytes: Uint8Array },
  kind: DocumentKind,
): Promise<ExtractedText> {
  switch (kind) {
    case 'pdf': {
      const { text, pages, title } = await extractPdf(file.bytes);
      return { text: normalizeText(text), pages, title, format: 'pdf' };
    }
    case 'docx':
      return { text: normalizeText((await extractDocx(file.bytes)).text), format: 'docx' };
    case 'html': {
      const charset = charsetOf(file.contentType) ?? sniffHtmlCharset(file.bytes);
      return { ...htmlToText(decodeText(file.bytes, charset)), format: 'html' };
    }
    case 'markdown': {
      const text = normalizeText(decodeText(file.bytes, charsetOf(file.contentType)), { keepIndentation: true });
      return { text, title: markdownTitle(text), format: 'markdown' };
    }
    case 'text':
      return { text: normalizeText(decodeText(file.bytes, charsetOf(file.contentType))), format: 'text' };
  }
}

function finish(result: ExtractedText): ExtractedText {
  if (isBlank(result.text)) {
    const why = result.format === 'pdf' ? ' (a scanned PDF has no text layer: it needs OCR first)' : '';
    throw emptyDocument(`The document has no text${why}`);
  }
  // Absent rather than undefined, so results compare and serialise cleanly.
  const { title, pages, ...rest } = result;
  return { ...rest, ...(title ? { title } : {}), ...(pages !== undefined ? { pages } : {}) };
}

function refuseOversized(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new ExtractionError(
      'too_large',
      `The document is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}`,
    );
  }
}

function emptyDocument(message: string): ExtractionError {
  return new ExtractionError('empty_document', message);
}

/** The first level-one ATX heading (`# Title`). */
function markdownTitle(text: string): string | undefined {
  return /^ {0,3}# +(.+?)(?: +#+)?$/m.exec(text)?.[1]?.trim() || undefined;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
