// Reading uploaded CSV files from disk, always as a stream: delimiter and BOM detection, the
// header and a preview, and the record iterator the import pipeline consumes.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { AppError } from '../errors';

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface CsvFormat {
  delimiter: Delimiter;
  bom: boolean;
}

const SNIFF_BYTES = 64 * 1024;
const UTF8_BOM = '\uFEFF';

/**
 * Detects the delimiter from the first line (outside quotes) of the first 64 KB: the most frequent
 * of comma, semicolon and tab, comma on a tie or when there is none (a single column). Throws
 * 400 `empty_file` when the file holds nothing but a BOM and white space.
 */
export async function detectFormat(path: string): Promise<CsvFormat> {
  const handle = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const bom = text.startsWith(UTF8_BOM);
  if (bom) text = text.slice(1);
  if (text.trim() === '') throw new AppError(400, 'empty_file', 'the file is empty');
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as Delimiter))
      counts.set(ch as Delimiter, (counts.get(ch as Delimiter) ?? 0) + 1);
  }
  let delimiter: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(delimiter) ?? 0)) delimiter = d;
  return { delimiter, bom };
}

/** A record as the file holds it, with its row number (the header is row 1, as in a spreadsheet). */
export interface CsvRecord {
  rowNumber: number;
  cells: string[];
}

export const isBlankRecord = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

/**
 * The file's records, streamed: quoted fields with newlines and doubled quotes, the BOM stripped,
 * ragged rows tolerated. Blank lines keep their row number but are not yielded.
 */
export async function* readRecords(
  path: string,
  delimiter: Delimiter,
  signal?: AbortSignal,
): AsyncGenerator<CsvRecord> {
  const parser = createReadStream(path).pipe(
    parse({ delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }),
  );
  let rowNumber = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber++;
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      if (isBlankRecord(record)) continue;
      yield { rowNumber, cells: record };
    }
  } finally {
    parser.destroy();
  }
}

/** Header names made unique and non-empty: a blank header becomes "Column 3", a repeat "Phone (2)". */
export function normalizeHeaders(cells: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((raw, i) => {
    const base = raw.trim() || `Column ${i + 1}`;
    const n = (seen.get(base.toLowerCase()) ?? 0) + 1;
    seen.set(base.toLowerCase(), n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

const looksLikeData = (cell: string) => /^\S+@\S+\.\S+$/.test(cell.trim()) || /^[+\d][\d\s().-]{5,}$/.test(cell.trim());

export interface CsvInspection extends CsvFormat {
  headers: string[];
  preview: string[][];
  totalRows: number;
}

const PREVIEW_ROWS = 20;
const PREVIEW_CELL_CHARS = 500;

/**
 * Reads the whole file once, streaming: the header row, the first 20 rows (cells cut to 500
 * characters for the preview) and how many non-blank data rows there are.
 */
export async function inspectCsv(path: string): Promise<CsvInspection> {
  const format = await detectFormat(path);
  let headers: string[] | undefined;
  const preview: string[][] = [];
  let totalRows = 0;
  try {
    for await (const { cells } of readRecords(path, format.delimiter)) {
      if (!headers) {
        if (cells.some(looksLikeData)) {
          throw new AppError(
            400,
            'missing_header',
            'the first row looks like data (a phone number or an email): the file needs a header row naming its columns',
          );
        }
        headers = normalizeHeaders(cells);
        continue;
      }
      totalRows++;
      if (preview.length < PREVIEW_ROWS) preview.push(cells.map((c) => c.slice(0, PREVIEW_CELL_CHARS)));
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(400, 'invalid_csv', `the file is not valid CSV: ${(err as Error).message}`);
  }
  if (!headers) throw new AppError(400, 'missing_header', 'the file has no header row');
  return { ...format, headers, preview, totalRows };
}
