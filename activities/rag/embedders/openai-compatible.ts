import { OpenAIEmbeddings } from '@langchain/openai';
import { z } from 'zod';
import type { Embedder } from '../types';

/** Output sizes of OpenAI's models when no `dimensions` is requested. */
const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** The options without their cross-field check, so a config union can extend them. */
export const OpenAiEmbedderFieldsSchema = z.object({
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: z.string().url(),
  apiKey: z.string().min(1),
  model: z.string().min(1),
  /** Requested from the API (text-embedding-3 and later can shorten their vectors); required for models not listed above. */
  dimensions: z.number().int().positive().optional(),
  /** Texts per request; OpenAI accepts up to 2048 inputs per request. */
  batchSize: z.number().int().min(1).max(2048).default(256),
  /** Retries of 5xx, 429 and network failures, with exponential backoff (LangChain's). 4xx fail at once. */
  maxRetries: z.number().int().min(0).max(10).default(3),
  timeoutMs: z.number().int().positive().default(60_000),
});

/** An embedder must know its output size before the first call: stores size their tables by it. */
export function requireKnownDimensions(options: { model: string; dimensions?: number }, ctx: z.RefinementCtx): void {
  if (options.dimensions === undefined && KNOWN_DIMENSIONS[options.model] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['dimensions'],
      message: `the output size of model "${options.model}" is not known: set dimensions`,
    });
  }
}

export const OpenAiEmbedderOptionsSchema = OpenAiEmbedderFieldsSchema.superRefine(requireKnownDimensions);
export type OpenAiEmbedderOptions = z.input<typeof OpenAiEmbedderOptionsSchema>;

/**
 * Embeddings from any server speaking OpenAI's `POST /embeddings` (OpenAI, Azure-style gateways,
 * vLLM, Ollama, LiteLLM...), through LangChain's client. Vectors are returned as the server sends
 * them (OpenAI's are already unit length); the stores compare by cosine, so scale does not matter.
 *
 * Blank texts get the zero vector without a request: OpenAI rejects empty inputs, and it keeps the
 * same meaning as the in-process embedder (nothing to compare).
 */
export class OpenAiCompatibleEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly client: OpenAIEmbeddings;

  constructor(options: OpenAiEmbedderOptions) {
    const parsed = OpenAiEmbedderOptionsSchema.parse(options);
    this.id = `openai:${parsed.model}`;
    this.dimensions = parsed.dimensions ?? (KNOWN_DIMENSIONS[parsed.model] as number);
    this.client = new OpenAIEmbeddings({
      apiKey: parsed.apiKey,
      model: parsed.model,
      dimensions: parsed.dimensions,
      batchSize: parsed.batchSize,
      maxRetries: parsed.maxRetries,
      timeout: parsed.timeoutMs,
      // Without an explicit baseURL the OpenAI SDK would fall back to OPENAI_BASE_URL or api.openai.com.
      configuration: { baseURL: parsed.baseUrl },
    });
  }

  async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = new Array(texts.length);
    const withText: number[] = [];
    texts.forEach((text, i) => {
      if (text.trim().length > 0) withText.push(i);
      else vectors[i] = new Array(this.dimensions).fill(0);
    });
    if (withText.length === 0) return vectors;
    const embedded = await this.client.embedDocuments(withText.map((i) => texts[i] as string));
    if (embedded.length !== withText.length) {
      throw new Error(`${this.id} returned ${embedded.length} embeddings for ${withText.length} texts`);
    }
    withText.forEach((textIndex, k) => {
      const vector = embedded[k] as number[];
      // A server that ignores `dimensions` (or a misconfigured model) would poison the store.
      if (vector.length !== this.dimensions) {
        throw new Error(`${this.id} returned a vector of ${vector.length} dimensions, expected ${this.dimensions}`);
      }
      vectors[textIndex] = vector;
    });
    return vectors;
  }
}
