// Sources (uploads, pasted text, URLs) to clean text, and text to chunks. The modules stay small;
// this is the one import the knowledge base needs.

export { type Chunk, type ChunkOptions, chunkText, DEFAULT_CHUNK_OVERLAP_SHARE, DEFAULT_CHUNK_SIZE } from './chunk';
export { ExtractionError, type ExtractionErrorCode, isExtractionError } from './errors';
export {
  DEFAULT_MAX_BYTES,
  type ExtractedFormat,
  type ExtractedText,
  type ExtractionInput,
  type ExtractOptions,
  extractText,
} from './extract-text';
export { extractFromUrl, type FetchedSource, type FetchSourceOptions, fetchSource } from './url';
