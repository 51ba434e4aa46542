import { looksLikeText } from './decode';
import { ExtractionError } from './errors';

export type DocumentKind = 'pdf' | 'docx' | 'html' | 'markdown' | 'text';

export interface FileDescription {
  filename: string;
  contentType?: string;
  bytes: Uint8Array;
}

/**
 * What a file is, trusting the bytes first (a PDF renamed .txt is still a PDF), then the declared
 * content type, then the extension, and finally a sniff for text. Known binary formats we cannot
 * read, and bytes nothing identifies that do not look like text, are `unsupported_type`.
 */
export function detectKind(file: FileDescription): DocumentKind {
  const fromBytes = kindFromMagic(file.bytes);
  if (fromBytes === 'zip') {
    // A zip without `word/document.xml` is a DOCX only if someone says so (mammoth then finds the
    // main part through the package relationships, or fails with docx_corrupt); otherwise it is a
    // spreadsheet, presentation, EPUB or plain archive.
    const declared = kindFromContentType(file.contentType) ?? kindFromExtension(file.filename);
    if (declared === 'docx') return 'docx';
    throw unsupported(file, 'a zip archive that is not a Word document');
  }
  if (typeof fromBytes === 'object') throw unsupported(file, fromBytes.unsupported);
  if (fromBytes) return fromBytes;

  const declared = kindFromContentType(file.contentType) ?? kindFromExtension(file.filename);
  if (declared === 'unsupported') throw unsupported(file, 'a format we cannot read');
  if (declared) return declared;

  if (looksLikeText(file.bytes)) return looksLikeHtml(file.bytes) ? 'html' : 'text';
  throw unsupported(file, 'binary data of an unknown format');
}

type Magic = DocumentKind | 'zip' | { unsupported: string } | undefined;

const PDF_HEADER = ascii('%PDF-');
const ZIP_LOCAL_HEADER = Uint8Array.of(0x50, 0x4b, 0x03, 0x04);
const DOCX_MAIN_PART = ascii('word/document.xml');

/** Signatures of formats people upload by mistake, so they get a useful message. */
const UNSUPPORTED_SIGNATURES: Array<{ bytes: Uint8Array; what: string }> = [
  {
    bytes: Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1),
    what: 'a legacy Office file (.doc/.xls/.ppt): save it as .docx or PDF',
  },
  { bytes: Uint8Array.of(0x89, 0x50, 0x4e, 0x47), what: 'a PNG image' },
  { bytes: Uint8Array.of(0xff, 0xd8, 0xff), what: 'a JPEG image' },
  { bytes: ascii('GIF8'), what: 'a GIF image' },
  { bytes: ascii('RIFF'), what: 'a RIFF media file' },
  { bytes: Uint8Array.of(0x1f, 0x8b), what: 'a gzip archive' },
  { bytes: ascii('7z\xbc\xaf'), what: 'a 7-Zip archive' },
  { bytes: ascii('Rar!'), what: 'a RAR archive' },
  { bytes: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), what: 'an executable' },
  { bytes: ascii('{\\rtf'), what: 'an RTF document: save it as .docx or PDF' },
];

function kindFromMagic(bytes: Uint8Array): Magic {
  // Only at the very start: a text file that mentions `%PDF-` is not a PDF. (The few producers that
  // put junk before the header still get through when the name or content type says PDF.)
  if (startsWith(bytes, PDF_HEADER)) return 'pdf';
  if (startsWith(bytes, ZIP_LOCAL_HEADER)) {
    // The part name appears in the local and central directory headers, uncompressed.
    return indexOf(bytes, DOCX_MAIN_PART) !== -1 ? 'docx' : 'zip';
  }
  const known = UNSUPPORTED_SIGNATURES.find((s) => startsWith(bytes, s.bytes));
  return known ? { unsupported: known.what } : undefined;
}

const CONTENT_TYPES: Record<string, DocumentKind | 'unsupported'> = {
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'application/json': 'text',
  'application/msword': 'unsupported',
};

function kindFromContentType(contentType: string | undefined): DocumentKind | 'unsupported' | undefined {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!essence) return undefined;
  const known = CONTENT_TYPES[essence];
  if (known) return known;
  if (essence.startsWith('text/')) return 'text';
  if (/^(image|audio|video|font)\//.test(essence)) return 'unsupported';
  // application/octet-stream and friends say nothing: let the extension decide.
  return undefined;
}

const EXTENSIONS: Record<string, DocumentKind | 'unsupported'> = {
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  mdown: 'markdown',
  mkd: 'markdown',
  txt: 'text',
  text: 'text',
  log: 'text',
  csv: 'text',
  tsv: 'text',
  json: 'text',
  doc: 'unsupported',
};

function kindFromExtension(filename: string): DocumentKind | 'unsupported' | undefined {
  const dot = filename.lastIndexOf('.');
  if (dot === -1) return undefined;
  return EXTENSIONS[filename.slice(dot + 1).toLowerCase()];
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

function unsupported(file: FileDescription, what: string): ExtractionError {
  return new ExtractionError('unsupported_type', `${file.filename || 'The file'} is ${what}`);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= bytes.length && prefix.every((b, i) => bytes[i] === b);
}

function indexOf(bytes: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle);
}
