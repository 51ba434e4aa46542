import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KnowledgeSource } from '../../../generated/prisma/client';
import { AppError, notFound } from '../../errors';
import { startIngestion, startPurge } from '../../knowledge/ingestion';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';

/** One file of a batch upload; larger files are refused (the rest of the batch goes on). */
export const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
const MAX_FILES = 20;
const MAX_TEXT_CHARS = 2_000_000;

const VisibilitySchema = z.enum(['public', 'internal']);
const TagsSchema = z.array(z.string().trim().min(1).max(50)).max(50);
const MetaShape = {
  title: z.string().trim().max(300).optional(),
  category: z.string().trim().min(1).max(100).nullable().optional(),
  tags: TagsSchema.optional(),
  /** public: may be quoted to customers (ai-reply, voice agents); internal: agents only. */
  visibility: VisibilitySchema.optional(),
};

const CreateSourceSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('text'),
      ...MetaShape,
      title: z.string().trim().min(1).max(300),
      text: z.string().max(MAX_TEXT_CHARS),
    }),
    z.object({
      kind: z.literal('url'),
      ...MetaShape,
      url: z
        .string()
        .url()
        .max(2000)
        .refine((u) => /^https?:\/\//i.test(u), 'only http and https URLs can be fetched'),
    }),
  ])
  .meta({
    examples: [
      {
        kind: 'text',
        title: 'Refund policy',
        text: 'You can request a full refund within 30 days of purchase.',
        category: 'billing',
        tags: ['refunds'],
        visibility: 'public',
      },
      { kind: 'url', url: 'https://example.com/help/shipping', category: 'shipping' },
    ],
  });

const UpdateSourceSchema = z
  .object({
    ...MetaShape,
    title: z.string().trim().min(1).max(300).optional(),
    /** Text sources: new text (re-indexed). */
    text: z.string().max(MAX_TEXT_CHARS).optional(),
    /** URL sources: a new address (fetched and re-indexed). */
    url: z.string().url().max(2000).optional(),
  })
  .meta({ examples: [{ title: 'Refunds (2027)', tags: ['refunds', 'billing'] }, { visibility: 'internal' }] });

const SourceSchema = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(['text', 'file', 'url']),
    title: z.string(),
    category: z.string().nullable(),
    tags: z.array(z.string()),
    visibility: VisibilitySchema,
    url: z.string().nullable(),
    filename: z.string().nullable(),
    contentType: z.string().nullable(),
    revision: z.number().int(),
    /** pending → ingesting → ready, or failed with `error`. */
    status: z.enum(['pending', 'ingesting', 'ready', 'failed']),
    progress: z.object({
      stage: z.string().nullable(),
      chunks: z.number().int(),
      embedded: z.number().int(),
    }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    pages: z.number().int().nullable(),
    embedderId: z.string().nullable(),
    ingestedAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'KnowledgeSource',
    examples: [
      {
        id: '4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f',
        kind: 'file',
        title: 'Shipping handbook',
        category: 'shipping',
        tags: ['delivery'],
        visibility: 'public',
        url: null,
        filename: 'shipping.pdf',
        contentType: 'application/pdf',
        revision: 1,
        status: 'ready',
        progress: { stage: 'done', chunks: 42, embedded: 42 },
        error: null,
        pages: 12,
        embedderId: 'use-lite-512@energetic-ai-0.2.0',
        ingestedAt: '2026-11-20T09:31:00.000Z',
        createdAt: '2026-11-20T09:30:00.000Z',
        updatedAt: '2026-11-20T09:31:00.000Z',
      },
    ],
  });

const StatusFilter = z.enum(['pending', 'ingesting', 'ready', 'failed']);

function toSource(row: KnowledgeSource) {
  return {
    id: row.id,
    kind: z.enum(['text', 'file', 'url']).parse(row.kind),
    title: row.title,
    category: row.category,
    tags: row.tags,
    visibility: VisibilitySchema.catch('internal').parse(row.visibility),
    url: row.url,
    filename: row.filename,
    contentType: row.contentType,
    revision: row.revision,
    status: StatusFilter.catch('pending').parse(row.status),
    progress: { stage: row.stage, chunks: row.chunkCount, embedded: row.embeddedCount },
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? row.errorCode } : null,
    pages: row.pages,
    embedderId: row.embedderId,
    ingestedAt: row.ingestedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const UploadResultSchema = z.object({
  items: z.array(
    z.object({
      filename: z.string(),
      source: SourceSchema.nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});

const knowledgeSourceRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(multipart, {
    limits: { fileSize: MAX_SOURCE_BYTES, files: MAX_FILES, fields: 20, parts: MAX_FILES + 20 },
    // A file over the limit is reported on its own line, not as a failed batch.
    throwFileSizeLimit: false,
  });

  const load = async (db: typeof app.db, id: string) => {
    const row = await db.knowledgeSource.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw notFound('knowledge source');
    return row;
  };

  app.get(
    '/knowledge-sources',
    {
      config: { permission: 'knowledge.read' },
      schema: {
        tags: ['knowledge'],
        summary: 'Knowledge sources with their ingestion progress, newest first',
        querystring: PageQuerySchema.extend({
          status: StatusFilter.optional(),
          category: z.string().max(100).optional(),
          tag: z.string().max(50).optional(),
          search: z.string().max(200).optional(),
        }),
        response: {
          200: z.object({ items: z.array(SourceSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, status, category, tag, search } = request.query;
      const rows = await request.tenantDb.knowledgeSource.findMany({
        where: {
          deletedAt: null,
          ...(status ? { status } : {}),
          ...(category ? { category } : {}),
          ...(tag ? { tags: { has: tag } } : {}),
          ...(search ? { title: { contains: search, mode: 'insensitive' as const } } : {}),
          ...afterCursor('createdAt', cursor),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        // The text and the bytes can be large; the list does not need them.
        omit: { text: true, content: true },
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map((r) => toSource(r as KnowledgeSource)), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/knowledge-sources',
    {
      config: { permission: 'knowledge.write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Add pasted text or a URL; ingestion starts at once',
        description:
          'Answers 201 with the source `pending`; follow `status` and `progress` with GET. A URL is fetched by the ingestion workflow (redirects followed up to 5, loops refused).',
        body: CreateSourceSchema,
        response: { 201: SourceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenantId = requirePrincipal(request).tenantId;
      const body = request.body;
      if (body.kind === 'text' && body.text.trim() === '') {
        throw new AppError(400, 'empty_document', 'the text is empty: there is nothing to learn from it');
      }
      const row = await request.tenantDb.knowledgeSource.create({
        data: {
          tenantId,
          kind: body.kind,
          title: body.kind === 'url' ? (body.title ?? body.url) : body.title,
          category: body.category ?? null,
          tags: [...new Set(body.tags ?? [])],
          visibility: body.visibility ?? 'public',
          ...(body.kind === 'text' ? { text: body.text } : { url: body.url }),
        },
      });
      await startIngestion(app, { tenantId, sourceId: row.id, revision: row.revision });
      await request.audit('knowledge_source.created', {
        targetType: 'knowledge_source',
        targetId: row.id,
        details: { kind: row.kind, title: row.title },
      });
      return reply.status(201).send(toSource(row));
    },
  );

  app.post(
    '/knowledge-sources/upload',
    {
      config: { permission: 'knowledge.write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Upload files (PDF, DOCX, TXT, Markdown); one source per file',
        description: `multipart/form-data with up to ${MAX_FILES} files of at most ${MAX_SOURCE_BYTES / 1024 / 1024} MB each; fields \`category\`, \`tags\` (comma-separated) and \`visibility\` apply to every file after them; a \`title\` field names the one file that follows it (otherwise the file name is the title). Each file gets its own line: a source, or why it was refused — one bad file does not stop the rest.`,
        consumes: ['multipart/form-data'],
        response: { 200: UploadResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenantId = requirePrincipal(request).tenantId;
      if (!request.isMultipart()) {
        throw new AppError(415, 'unsupported_media_type', 'upload the files as multipart/form-data');
      }
      const fields: Record<string, string> = {};
      const items: z.infer<typeof UploadResultSchema>['items'] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            fields[part.fieldname] = String(part.value);
            continue;
          }
          const filename = (part.filename || 'upload').slice(0, 255);
          const chunks: Buffer[] = [];
          for await (const c of part.file) chunks.push(c as Buffer);
          if (part.file.truncated) {
            items.push({
              filename,
              source: null,
              error: {
                code: 'too_large',
                message: `${filename} is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB: split it or upload a smaller file`,
              },
            });
            continue;
          }
          const bytes = Buffer.concat(chunks);
          if (bytes.length === 0) {
            items.push({
              filename,
              source: null,
              error: { code: 'empty_document', message: `${filename} is empty` },
            });
            continue;
          }
          // A title names the one file after it; the other fields apply to every file after them.
          const title = fields.title?.trim();
          delete fields.title;
          const meta = uploadMeta(fields);
          if ('error' in meta) {
            items.push({ filename, source: null, error: meta.error });
            continue;
          }
          const row = await request.tenantDb.knowledgeSource.create({
            data: {
              tenantId,
              kind: 'file',
              title: (title || filename.replace(/\.[^.]+$/, '')).slice(0, 300),
              filename,
              contentType: part.mimetype || null,
              content: bytes,
              ...meta,
            },
          });
          await startIngestion(app, { tenantId, sourceId: row.id, revision: row.revision });
          items.push({ filename, source: toSource(row), error: null });
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
          // What arrived before the limit is kept and reported; the rest is refused, said so.
          items.push({
            filename: '(rest of the batch)',
            source: null,
            error: { code: 'too_many_files', message: `at most ${MAX_FILES} files per upload` },
          });
        } else if (items.length === 0) {
          throw new AppError(
            400,
            'invalid_multipart',
            `the upload is not valid multipart: ${err instanceof Error ? err.message : String(err)}`,
          );
        } else {
          items.push({
            filename: '(rest of the batch)',
            source: null,
            error: { code: 'invalid_multipart', message: 'the upload was cut short' },
          });
        }
      }
      if (items.length === 0) throw new AppError(400, 'file_required', 'the request has no file part');
      if (items.some((i) => i.source)) {
        await request.audit('knowledge_source.uploaded', {
          targetType: 'knowledge_source',
          details: { files: items.map((i) => ({ filename: i.filename, ok: i.source !== null })) },
        });
      }
      return { items };
    },
  );

  app.get(
    '/knowledge-sources/:id',
    {
      config: { permission: 'knowledge.read' },
      schema: {
        tags: ['knowledge'],
        summary: 'A knowledge source and its ingestion progress',
        params: IdParamsSchema,
        response: { 200: SourceSchema, ...errorResponses },
      },
    },
    async (request) => toSource(await load(request.tenantDb as typeof app.db, request.params.id)),
  );

  app.patch(
    '/knowledge-sources/:id',
    {
      config: { permission: 'knowledge.write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Change a source: its details at once, its text or URL by re-indexing',
        params: IdParamsSchema,
        body: UpdateSourceSchema,
        response: { 200: SourceSchema, ...errorResponses },
      },
    },
    async (request) => {
      const current = await load(request.tenantDb as typeof app.db, request.params.id);
      const body = request.body;
      if (body.text !== undefined && current.kind !== 'text') {
        throw new AppError(400, 'not_a_text_source', 'only a text source has text to replace; upload the file again');
      }
      if (body.url !== undefined && current.kind !== 'url') {
        throw new AppError(400, 'not_a_url_source', 'only a URL source has a URL');
      }
      if (body.text !== undefined && body.text.trim() === '') {
        throw new AppError(400, 'empty_document', 'the text is empty: delete the source instead');
      }
      const contentChanged =
        (body.text !== undefined && body.text !== current.text) || (body.url !== undefined && body.url !== current.url);
      const row = await request.tenantDb.knowledgeSource.update({
        where: { id: current.id },
        data: {
          ...(body.title !== undefined ? { title: body.title } : {}),
          ...(body.category !== undefined ? { category: body.category } : {}),
          ...(body.tags !== undefined ? { tags: [...new Set(body.tags)] } : {}),
          ...(body.visibility !== undefined ? { visibility: body.visibility } : {}),
          ...(body.text !== undefined ? { text: body.text } : {}),
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(contentChanged ? { revision: { increment: 1 }, status: 'pending', stage: null } : {}),
        },
      });
      if (contentChanged) {
        await startIngestion(app, { tenantId: row.tenantId, sourceId: row.id, revision: row.revision });
      }
      await request.audit('knowledge_source.updated', {
        targetType: 'knowledge_source',
        targetId: row.id,
        details: { reindexed: contentChanged },
      });
      return toSource(row);
    },
  );

  app.post(
    '/knowledge-sources/:id/reindex',
    {
      config: { permission: 'knowledge.write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Ingest a source again (a URL is fetched again; unchanged chunks keep their vectors)',
        params: IdParamsSchema,
        response: { 202: SourceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await load(request.tenantDb as typeof app.db, request.params.id);
      const row = await request.tenantDb.knowledgeSource.update({
        where: { id: current.id },
        data: { revision: { increment: 1 }, status: 'pending', stage: null },
      });
      await startIngestion(app, { tenantId: row.tenantId, sourceId: row.id, revision: row.revision });
      return reply.status(202).send(toSource(row));
    },
  );

  app.delete(
    '/knowledge-sources/:id',
    {
      config: { permission: 'knowledge.write' },
      schema: {
        tags: ['knowledge'],
        summary: 'Delete a source: it stops answering at once; its chunks and vectors are removed',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await load(request.tenantDb as typeof app.db, request.params.id);
      // A running ingestion sees the deletion at its next step and stops.
      await request.tenantDb.knowledgeSource.update({
        where: { id: current.id },
        data: { deletedAt: new Date(), revision: { increment: 1 }, content: null },
      });
      await startPurge(app, current.tenantId, current.id);
      await request.audit('knowledge_source.deleted', {
        targetType: 'knowledge_source',
        targetId: current.id,
        details: { title: current.title },
      });
      return reply.status(204).send(null);
    },
  );
};

export default knowledgeSourceRoutes;

/**
 * The upload form's fields for one file. An unknown visibility is that file's error, never a quiet
 * `public`: a document meant for agents must not become quotable to customers by a typo.
 */
function uploadMeta(
  fields: Record<string, string>,
):
  | { category: string | null; tags: string[]; visibility: z.infer<typeof VisibilitySchema> }
  | { error: { code: string; message: string } } {
  const visibility = VisibilitySchema.safeParse(fields.visibility?.trim() || 'public');
  if (!visibility.success) {
    return {
      error: {
        code: 'invalid_visibility',
        message: `visibility must be public or internal, not "${fields.visibility?.slice(0, 50)}"`,
      },
    };
  }
  const tags = TagsSchema.safeParse(
    (fields.tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
  if (!tags.success) {
    return { error: { code: 'invalid_tags', message: 'at most 50 tags of at most 50 characters each' } };
  }
  return {
    category: fields.category?.trim().slice(0, 100) || null,
    tags: [...new Set(tags.data)],
    visibility: visibility.data,
  };
}
