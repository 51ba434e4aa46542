import mammoth from 'mammoth';
import { ExtractionError } from './errors';

/** The text of a Word document, paragraphs separated by blank lines (mammoth's raw-text output). */
export async function extractDocx(bytes: Uint8Array): Promise<{ text: string }> {
  try {
    // A view, not a copy: mammoth only reads the buffer.
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { value } = await mammoth.extractRawText({ buffer });
    return { text: value };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ExtractionError('docx_corrupt', `The Word document could not be read (${detail})`, { cause: error });
  }
}
