import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CitationSchema } from '../../../flow/engine/contracts';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';

const QueryShape = {
  /** Only these sources (default: all of the tenant's). */
  sourceIds: z.array(z.string().uuid()).max(500).optional(),
  /** `public`: only sources customers may be quoted (what the ai-reply node sees); default all. */
  visibility: z.enum(['public', 'all']).default('all'),
};

const ChunkSchema = z
  .object({
    chunkId: z.string(),
    sourceId: z.string(),
    title: z.string(),
    ordinal: z.number().int(),
    text: z.string(),
    score: z.number(),
    lexicalRank: z.number().int().nullable(),
    vectorRank: z.number().int().nullable(),
    lexicalScore: z.number().nullable(),
    vectorScore: z.number().nullable(),
  })
  .meta({ id: 'KnowledgeChunkMatch' });

const knowledgeSearchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/knowledge/search',
    {
      config: { permission: 'knowledge.read' },
      schema: {
        tags: ['knowledge'],
        summary: 'Ranked passages for a query: full-text and vector search, fused by a weighted sum of both scores',
        body: z
          .object({
            query: z.string().trim().min(1, 'the query is empty').max(2000),
            topK: z.number().int().min(1).max(50).default(5),
            mode: z.enum(['hybrid', 'lexical', 'vector']).default('hybrid'),
            ...QueryShape,
          })
          .meta({ examples: [{ query: 'how long do refunds take?', topK: 5 }] }),
        response: { 200: z.object({ items: z.array(ChunkSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenantId = requirePrincipal(request).tenantId;
      const kb = await app.knowledge();
      const { query, topK, mode, sourceIds, visibility } = request.body;
      const items = await kb.search({
        tenantId,
        query,
        topK,
        mode,
        visibility,
        ...(sourceIds ? { sourceIds } : {}),
      });
      return { items };
    },
  );

  app.post(
    '/knowledge/ask',
    {
      config: { permission: 'knowledge.read' },
      schema: {
        tags: ['knowledge'],
        summary: 'An answer from the knowledge base, with citations and a confidence',
        description:
          'With a chat model configured (SWITCHBOARD_CHAT_URL) the model answers from the retrieved passages and must cite them; otherwise the answer is extractive — the best passage’s relevant sentences. `unsure` is true when nothing answers the question well enough (below `minConfidence`): the answer is then empty rather than a guess.',
        body: z
          .object({
            question: z.string().trim().min(1, 'the question is empty').max(2000),
            minConfidence: z.number().min(0).max(1).default(0.5),
            ...QueryShape,
          })
          .meta({ examples: [{ question: 'Can I get my money back?' }] }),
        response: {
          200: z.object({
            answer: z.string(),
            confidence: z.number(),
            unsure: z.boolean(),
            answeredBy: z.string(),
            citations: z.array(CitationSchema),
            passages: z.array(ChunkSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenantId = requirePrincipal(request).tenantId;
      const kb = await app.knowledge();
      const { question, minConfidence, sourceIds, visibility } = request.body;
      const found = await kb.ask({ tenantId, question, visibility, ...(sourceIds ? { sourceIds } : {}) });
      const unsure = found.answer === '' || found.confidence < minConfidence;
      return {
        ...found,
        unsure,
        // Below the threshold the answer is withheld, as the ai-reply node withholds it.
        answer: unsure ? '' : found.answer,
        citations: unsure ? [] : found.citations,
      };
    },
  );
};

export default knowledgeSearchRoutes;
