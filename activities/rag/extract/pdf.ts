import { getDocumentProxy } from 'unpdf';
import { ExtractionError } from './errors';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

export interface PdfText {
  /** Pages joined by a blank line, so a page break is a paragraph break for the chunker. */
  text: string;
  pages: number;
  title?: string;
}

export async function extractPdf(bytes: Uint8Array): Promise<PdfText> {
  const pdf = await openPdf(bytes);
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) pages.push(await pageText(pdf, n));
    return { text: pages.join('\n\n'), pages: pdf.numPages, title: await readTitle(pdf) };
  } catch (error) {
    // Opening only reads the cross-reference table; a damaged page stream shows up here.
    throw asPdfError(error);
  } finally {
    await pdf.loadingTask.destroy();
  }
}

async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  try {
    // A copy: pdf.js may transfer (detach) the buffer it is handed, and the caller still owns these
    // bytes. `verbosity: 0` keeps pdf.js's warnings about sloppy producers off the worker's log.
    return await getDocumentProxy(bytes.slice(), { verbosity: 0 });
  } catch (error) {
    throw asPdfError(error);
  }
}

/**
 * One page's text, as unpdf's `extractText` builds it (items in content order, a newline where
 * pdf.js saw a line end). Page by page rather than unpdf's all-pages-at-once, so a 2,000-page
 * manual holds one page's operator data in memory at a time instead of all of them.
 */
async function pageText(pdf: PdfDocument, pageNumber: number): Promise<string> {
  const page = await pdf.getPage(pageNumber);
  try {
    const { items } = await page.getTextContent();
    return items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join('');
  } finally {
    page.cleanup();
  }
}

async function readTitle(pdf: PdfDocument): Promise<string | undefined> {
  try {
    const { info } = await pdf.getMetadata();
    // `info` is pdf.js's untyped document-information dictionary.
    const title: unknown = (info as Record<string, unknown>).Title;
    return typeof title === 'string' && title.trim() ? title.trim() : undefined;
  } catch {
    // A broken metadata stream costs the title, not the document.
    return undefined;
  }
}

/** pdf.js errors carry their class in `name`; the classes themselves are not exported by unpdf. */
function asPdfError(error: unknown): ExtractionError {
  const name = error instanceof Error ? error.name : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') {
    return new ExtractionError('pdf_encrypted', 'The PDF is password-protected: upload a copy without a password', {
      cause: error,
    });
  }
  return new ExtractionError('pdf_corrupt', `The PDF could not be read (${detail}): it may be damaged or truncated`, {
    cause: error,
  });
}
