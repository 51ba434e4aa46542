import { useMemo } from 'react';
import { z } from 'zod';
import type { Request } from '../../api-client';
import { useSession } from '../session';
import type { Transfers } from '../transfers';

// The knowledge API's answers as the browser reads them (api/routes/knowledge): dates are ISO strings.

export const VISIBILITIES = ['public', 'internal'] as const;
export const SOURCE_STATUSES = ['pending', 'ingesting', 'ready', 'failed'] as const;
export const SEARCH_MODES = ['hybrid', 'lexical', 'vector'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

const ProblemSchema = z.object({ code: z.string(), message: z.string() });

/** A knowledge source and where its ingestion is (`progress.embedded` of `progress.chunks`). */
export const SourceSchema = z.object({
  id: z.string(),
  kind: z.enum(['text', 'file', 'url']),
  title: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  visibility: z.enum(VISIBILITIES),
  url: z.string().nullable(),
  filename: z.string().nullable(),
  contentType: z.string().nullable(),
  revision: z.number(),
  status: z.enum(SOURCE_STATUSES),
  progress: z.object({ stage: z.string().nullable(), chunks: z.number(), embedded: z.number() }),
  error: ProblemSchema.nullable(),
  pages: z.number().nullable(),
  embedderId: z.string().nullable(),
  ingestedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Source = z.infer<typeof SourceSchema>;

const SourcePageSchema = z.object({ items: z.array(SourceSchema), nextCursor: z.string().nullable() });

/** One line per uploaded file: its new source, or why it was refused. */
const UploadResultSchema = z.object({
  items: z.array(z.object({ filename: z.string(), source: SourceSchema.nullable(), error: ProblemSchema.nullable() })),
});
export type UploadResult = z.infer<typeof UploadResultSchema>;

/** A ranked passage; the lexical and vector sides are null when that side did not find it. */
export const PassageSchema = z.object({
  chunkId: z.string(),
  sourceId: z.string(),
  title: z.string(),
  ordinal: z.number(),
  text: z.string(),
  score: z.number(),
  lexicalRank: z.number().nullable(),
  vectorRank: z.number().nullable(),
  lexicalScore: z.number().nullable(),
  vectorScore: z.number().nullable(),
});
export type Passage = z.infer<typeof PassageSchema>;

export const AnswerSchema = z.object({
  answer: z.string(),
  confidence: z.number(),
  /** True when nothing answers well enough: the answer is then empty rather than a guess. */
  unsure: z.boolean(),
  answeredBy: z.string(),
  citations: z.array(z.object({ sourceId: z.string(), title: z.string(), snippet: z.string() })),
  passages: z.array(PassageSchema),
});
export type Answer = z.infer<typeof AnswerSchema>;

/** What every new source may carry besides its content. */
export interface SourceMeta {
  title: string;
  visibility: (typeof VISIBILITIES)[number];
  tags: string[];
  category: string;
}

export const isBusy = (s: Source) => s.status === 'pending' || s.status === 'ingesting';

export function knowledgeApi(request: Request, transfers: Transfers) {
  const id = encodeURIComponent;
  const meta = (m: SourceMeta) => ({
    ...(m.title.trim() ? { title: m.title.trim() } : {}),
    visibility: m.visibility,
    tags: m.tags,
    ...(m.category.trim() ? { category: m.category.trim() } : {}),
  });
  return {
    list: (params: URLSearchParams) =>
      request('GET', `/v1/knowledge-sources?limit=100&${params.toString()}`, SourcePageSchema),
    get: (sourceId: string) => request('GET', `/v1/knowledge-sources/${id(sourceId)}`, SourceSchema),
    /** Files go up as multipart; the fields come first because the API applies them to the files after them. */
    async upload(files: File[], m: SourceMeta): Promise<UploadResult> {
      const form = new FormData();
      form.append('visibility', m.visibility);
      if (m.tags.length) form.append('tags', m.tags.join(','));
      if (m.category.trim()) form.append('category', m.category.trim());
      for (const file of files) {
        // A title names the one file after it; with several files each keeps its own name.
        if (files.length === 1 && m.title.trim()) form.append('title', m.title.trim());
        form.append('file', file, file.name);
      }
      return UploadResultSchema.parse(await transfers.upload('/v1/knowledge-sources/upload', form));
    },
    addText: (text: string, m: SourceMeta) =>
      request('POST', '/v1/knowledge-sources', SourceSchema, { kind: 'text', ...meta(m), text }),
    addUrl: (url: string, m: SourceMeta) =>
      request('POST', '/v1/knowledge-sources', SourceSchema, { kind: 'url', ...meta(m), url }),
    update: (sourceId: string, patch: { title?: string; visibility?: string; tags?: string[] }) =>
      request('PATCH', `/v1/knowledge-sources/${id(sourceId)}`, SourceSchema, patch),
    reindex: (sourceId: string) => request('POST', `/v1/knowledge-sources/${id(sourceId)}/reindex`, SourceSchema),
    remove: (sourceId: string) => request('DELETE', `/v1/knowledge-sources/${id(sourceId)}`, z.null()),
    search: (query: string, mode: SearchMode, topK: number, visibility: 'all' | 'public') =>
      request('POST', '/v1/knowledge/search', z.object({ items: z.array(PassageSchema) }), {
        query,
        mode,
        topK,
        visibility,
      }),
    ask: (question: string, minConfidence: number, visibility: 'all' | 'public') =>
      request('POST', '/v1/knowledge/ask', AnswerSchema, { question, minConfidence, visibility }),
  };
}
export type KnowledgeApi = ReturnType<typeof knowledgeApi>;

/** "a, b ,c" → ["a", "b", "c"], without empties or repeats. */
export const parseTags = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

/** The knowledge API bound to the session's key, stable across renders. */
export function useKnowledgeApi(): KnowledgeApi {
  const { request, transfers } = useSession();
  return useMemo(() => knowledgeApi(request, transfers), [request, transfers]);
}
