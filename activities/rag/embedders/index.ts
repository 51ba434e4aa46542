import { z } from 'zod';
import type { Embedder } from '../types';
import { OpenAiCompatibleEmbedder, OpenAiEmbedderFieldsSchema, requireKnownDimensions } from './openai-compatible';
import { UseLiteEmbedder } from './use-lite';

export { OpenAiCompatibleEmbedder, type OpenAiEmbedderOptions } from './openai-compatible';
export { USE_LITE_DIMENSIONS, USE_LITE_EMBEDDER_ID, UseLiteEmbedder } from './use-lite';

export const EmbedderConfigSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('use-lite'), batchSize: z.number().int().positive().optional() }),
    OpenAiEmbedderFieldsSchema.extend({ kind: z.literal('openai') }),
  ])
  .superRefine((config, ctx) => {
    if (config.kind === 'openai') requireKnownDimensions(config, ctx);
  });
export type EmbedderConfig = z.input<typeof EmbedderConfigSchema>;

/** The embedder a configuration names; without one, the in-process model that needs no network. */
export function embedderFromConfig(config: EmbedderConfig = { kind: 'use-lite' }): Embedder {
  const parsed = EmbedderConfigSchema.parse(config);
  switch (parsed.kind) {
    case 'use-lite':
      return new UseLiteEmbedder({ batchSize: parsed.batchSize });
    case 'openai': {
      const { kind: _kind, ...options } = parsed;
      return new OpenAiCompatibleEmbedder(options);
    }
  }
}
