import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import { stringify } from 'csv-stringify';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type CountryCode, isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { toJson } from '../../../prisma/json';
import { AppError, notFound } from '../../errors';
import { DELIMITERS, type Delimiter, inspectCsv, readRecords } from '../../imports/csv';
import { type CustomFieldDef, MappingSchema, planColumns, suggestMapping } from '../../imports/mapping';
import { type ImportResult, normalizeRow, runImport } from '../../imports/pipeline';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import { type TenantDb, tenantDbFor } from '../../tenant-scope';

export interface ImportRoutesOptions {
  /** Largest accepted upload; beyond it 413 `file_too_large`. Default: IMPORT_MAX_FILE_BYTES or 50 MB. */
  maxFileBytes?: number;
  /** Where uploads wait for their import. Default: <os.tmpdir()>/switchboard-imports. */
  uploadDir?: string;
}

const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Uploads never started are removed after a day. */
const STALE_UPLOAD_MS = 24 * 3600_000;
/** A running import's process touches it this often… */
const IMPORT_HEARTBEAT_MS = Number(process.env.SWITCHBOARD_IMPORT_HEARTBEAT_MS) || 10_000;
/** …and one untouched for this long is taken to be interrupted. */
const IMPORT_STALE_MS = IMPORT_HEARTBEAT_MS * 4;

/** What the job's `mapping` column holds: the file's format, then the mapping it was started with. */
const JobMetaSchema = z.object({
  delimiter: z.enum(DELIMITERS),
  bom: z.boolean(),
  headers: z.array(z.string()),
  columns: z.record(z.string(), z.string()).nullable().default(null),
  dedupe: z.enum(['update', 'skip']).nullable().default(null),
});
type JobMeta = z.infer<typeof JobMetaSchema>;

const ImportJobSchema = z
  .object({
    id: z.string().uuid(),
    status: z.enum(['pending', 'running', 'completed', 'failed']),
    filename: z.string(),
    delimiter: z.string(),
    headers: z.array(z.string()),
    mapping: z.record(z.string(), z.string()).nullable(),
    dedupe: z.enum(['update', 'skip']).nullable(),
    defaultCountry: z.string().nullable(),
    totalRows: z.number().int(),
    processedRows: z.number().int(),
    createdRows: z.number().int(),
    updatedRows: z.number().int(),
    skippedRows: z.number().int(),
    errorRows: z.number().int(),
    /** processedRows / totalRows, 0…1. */
    progress: z.number(),
    error: z.string().nullable(),
    createdAt: z.date(),
    finishedAt: z.date().nullable(),
  })
  .meta({
    id: 'ImportJob',
    examples: [
      {
        id: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a',
        status: 'completed',
        filename: 'hubspot-export.csv',
        delimiter: ',',
        headers: ['First Name', 'Mobile', 'E-mail', 'Plan'],
        mapping: { 'First Name': 'firstName', Mobile: 'phone', 'E-mail': 'email', Plan: 'fields.plan' },
        dedupe: 'update',
        defaultCountry: 'US',
        totalRows: 1200,
        processedRows: 1200,
        createdRows: 1105,
        updatedRows: 80,
        skippedRows: 0,
        errorRows: 15,
        progress: 1,
        error: null,
        createdAt: '2026-11-02T14:05:00.000Z',
        finishedAt: '2026-11-02T14:06:12.000Z',
      },
    ],
  });

type JobRow = {
  id: string;
  status: string;
  filename: string;
  mapping: unknown;
  defaultCountry: string | null;
  totalRows: number;
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  skippedRows: number;
  errorRows: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

function toJob(row: JobRow): z.infer<typeof ImportJobSchema> {
  const meta = JobMetaSchema.parse(row.mapping);
  return {
    id: row.id,
    status: row.status as z.infer<typeof ImportJobSchema>['status'],
    filename: row.filename,
    delimiter: meta.delimiter,
    headers: meta.headers,
    mapping: meta.columns,
    dedupe: meta.dedupe,
    defaultCountry: row.defaultCountry,
    totalRows: row.totalRows,
    processedRows: row.processedRows,
    createdRows: row.createdRows,
    updatedRows: row.updatedRows,
    skippedRows: row.skippedRows,
    errorRows: row.errorRows,
    progress: row.status === 'completed' ? 1 : row.totalRows > 0 ? Math.min(1, row.processedRows / row.totalRows) : 0,
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

const StartBodySchema = z
  .object({
    mapping: MappingSchema,
    defaultCountry: z
      .string()
      .transform((c) => c.toUpperCase())
      .refine(isSupportedCountry, 'an ISO 3166 country code libphonenumber knows, e.g. US')
      .optional(),
    dedupe: z.enum(['update', 'skip']).default('update'),
    saveMappingAs: z.string().trim().min(1).max(100).optional(),
  })
  .meta({
    'x-examples': {
      hubspot: {
        value: {
          mapping: { 'First Name': 'firstName', Mobile: 'phone', 'E-mail': 'email', Plan: 'fields.plan' },
          defaultCountry: 'US',
          dedupe: 'update',
          saveMappingAs: 'HubSpot export',
        },
      },
    },
  });

/** Rows with problems a check answers in full; beyond them it only counts. */
const CHECK_MAX_ERRORS = 500;

const CheckBodySchema = StartBodySchema.pick({ mapping: true, defaultCountry: true })
  .extend({
    /** How many rows with problems to list (the rest are counted). */
    limit: z.number().int().min(1).max(CHECK_MAX_ERRORS).default(100),
  })
  .meta({
    'x-examples': {
      hubspot: { value: { mapping: { Name: 'firstName', Mobile: 'phone' }, defaultCountry: 'US', limit: 100 } },
    },
  });

const CheckResultSchema = z
  .object({
    totalRows: z.number().int(),
    /** Rows that would become (or update) a contact. */
    validRows: z.number().int(),
    /** Rows the import would refuse, each reported in `errors`. */
    errorRows: z.number().int(),
    /** Valid rows whose phone or email repeats an earlier row of the file: merged into it on import. */
    duplicateRows: z.number().int(),
    /** The first rows with problems, in file order (row 1 is the header, as in a spreadsheet). */
    errors: z.array(
      z.object({
        rowNumber: z.number().int(),
        errors: z.array(z.object({ column: z.string(), message: z.string() })),
        raw: z.record(z.string(), z.string()),
      }),
    ),
    /** True when more rows have problems than `errors` lists. */
    truncated: z.boolean(),
  })
  .meta({
    id: 'ImportCheck',
    examples: [
      {
        totalRows: 3,
        validRows: 2,
        errorRows: 1,
        duplicateRows: 0,
        errors: [
          {
            rowNumber: 3,
            errors: [{ column: 'Mobile', message: 'invalid phone number "12": not a phone number' }],
            raw: { Name: 'Bob', Mobile: '12' },
          },
        ],
        truncated: false,
      },
    ],
  });

async function tenantCatalog(db: TenantDb, tenantId: string) {
  const [customFields, leadStages] = await Promise.all([
    db.customFieldDefinition.findMany({
      where: { tenantId },
      select: { key: true, label: true, type: true, options: true },
      orderBy: { key: 'asc' },
    }),
    db.leadStage.findMany({ where: { tenantId }, select: { key: true, label: true }, orderBy: { position: 'asc' } }),
  ]);
  return { customFields: customFields as CustomFieldDef[], leadStages };
}

async function findJob(request: FastifyRequest, id: string) {
  const tenantId = requirePrincipal(request).tenantId;
  const row = await request.tenantDb.importJob.findFirst({ where: { id, tenantId } });
  if (!row) throw notFound('import');
  return row;
}

export const importRoutes: FastifyPluginAsyncZod<ImportRoutesOptions> = async (app, opts) => {
  const maxFileBytes = opts.maxFileBytes ?? (Number(process.env.IMPORT_MAX_FILE_BYTES) || DEFAULT_MAX_FILE_BYTES);
  const uploadDir = opts.uploadDir ?? join(tmpdir(), 'switchboard-imports');
  await mkdir(uploadDir, { recursive: true });
  // Uploads whose import was never started.
  for (const name of await readdir(uploadDir).catch(() => [] as string[])) {
    const path = join(uploadDir, name);
    const s = await stat(path).catch(() => null);
    if (s && Date.now() - s.mtimeMs > STALE_UPLOAD_MS) await rm(path, { force: true }).catch(() => undefined);
  }
  const uploadPath = (id: string) => join(uploadDir, `${id}.csv`);

  await app.register(multipart, { limits: { fileSize: maxFileBytes, files: 1, fields: 10, parts: 20 } });

  // Imports run in an API process, after the request answered, each batch committing its rows with
  // the job's counters. Closing the app interrupts them without failing them; a crash leaves their
  // heartbeat to go stale. Either way any API process resumes them from `processedRows`.
  const running = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
  let sweepTimer: NodeJS.Timeout | null = null;
  app.addHook('onClose', async () => {
    if (sweepTimer) clearInterval(sweepTimer);
    for (const r of running.values()) r.abort.abort();
    await Promise.allSettled([...running.values()].map((r) => r.done));
  });

  /**
   * Runs (or resumes) a job this process has just claimed. `claim.heartbeatAt` is the heartbeat
   * the claim saw: only one process can swap it for its own.
   */
  async function launch(jobId: string, tenantId: string, claim: { heartbeatAt: Date | null }): Promise<void> {
    const db = tenantDbFor(app.db, tenantId);
    const claimed = await db.importJob.updateMany({
      where: { id: jobId, tenantId, status: 'running', heartbeatAt: claim.heartbeatAt },
      data: { heartbeatAt: new Date() },
    });
    if (claimed.count !== 1 || running.has(jobId)) return;
    const job = await db.importJob.findFirstOrThrow({ where: { id: jobId, tenantId } });
    const meta = JobMetaSchema.parse(job.mapping);
    const path = uploadPath(job.id);
    if (!meta.columns || !(await stat(path).catch(() => null))) {
      await db.importJob.update({
        where: { id: job.id, tenantId },
        data: { status: 'failed', error: 'the uploaded file is gone: upload it again', finishedAt: new Date() },
      });
      return;
    }
    const catalog = await tenantCatalog(db, tenantId);
    const abort = new AbortController();
    const heartbeat = setInterval(() => {
      db.importJob
        .updateMany({ where: { id: job.id, tenantId, status: 'running' }, data: { heartbeatAt: new Date() } })
        .catch((err: unknown) => app.log.warn({ err, importId: job.id }, 'import heartbeat failed'));
    }, IMPORT_HEARTBEAT_MS);
    const done = runImport({
      db,
      tenantId,
      jobId: job.id,
      path,
      delimiter: meta.delimiter as Delimiter,
      headers: meta.headers,
      plan: planColumns(meta.columns, meta.headers, catalog.customFields),
      customFields: catalog.customFields,
      leadStages: catalog.leadStages,
      defaultCountry: (job.defaultCountry as CountryCode | null) ?? undefined,
      dedupe: meta.dedupe ?? 'update',
      signal: abort.signal,
      skipRows: job.processedRows,
      // Recorded before the job says it is finished, so a finished job always has its entry.
      onFinish: async (result: ImportResult) => {
        const final = await db.importJob.findFirst({ where: { id: job.id, tenantId } });
        await app.db.auditLog
          .create({
            data: {
              tenantId,
              actorType: job.createdById ? 'user' : 'system',
              actorId: job.createdById,
              action: 'contacts.imported',
              targetType: 'import',
              targetId: job.id,
              details: toJson({
                filename: job.filename,
                status: result.status,
                ...(result.error ? { error: result.error } : {}),
                processedRows: final?.processedRows ?? result.processedRows,
                createdRows: final?.createdRows ?? result.createdRows,
                updatedRows: final?.updatedRows ?? result.updatedRows,
                skippedRows: final?.skippedRows ?? result.skippedRows,
                errorRows: final?.errorRows ?? result.errorRows,
                resumed: job.processedRows > 0,
              }),
            },
          })
          .catch((err: unknown) => app.log.error({ err, importId: job.id }, 'could not audit the import'));
      },
    }).finally(() => {
      clearInterval(heartbeat);
      running.delete(job.id);
    });
    running.set(job.id, { abort, done });
  }

  /** Resumes running imports whose process stopped beating (crashed, or shut down mid-file). */
  async function resumeInterrupted(): Promise<void> {
    const stale = await app.db.importJob.findMany({
      where: {
        status: 'running',
        OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: new Date(Date.now() - IMPORT_STALE_MS) } }],
      },
      select: { id: true, tenantId: true, heartbeatAt: true },
      take: 20,
    });
    for (const job of stale) {
      if (running.has(job.id)) continue;
      app.log.info({ importId: job.id }, 'resuming an interrupted import');
      await launch(job.id, job.tenantId, { heartbeatAt: job.heartbeatAt });
    }
  }
  const sweep = () =>
    void resumeInterrupted().catch((err: unknown) => app.log.warn({ err }, 'could not look for interrupted imports'));
  app.addHook('onReady', async () => {
    sweep();
    sweepTimer = setInterval(sweep, IMPORT_HEARTBEAT_MS);
    sweepTimer.unref();
  });

  app.post(
    '/imports',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: 'Upload a CSV file: answers its columns, a preview and a suggested mapping',
        consumes: ['multipart/form-data'],
        response: {
          201: z.object({
            id: z.string().uuid(),
            filename: z.string(),
            delimiter: z.string(),
            bom: z.boolean(),
            headers: z.array(z.string()),
            preview: z.array(z.array(z.string())),
            totalRows: z.number().int(),
            suggestedMapping: z.record(z.string(), z.string()),
            /** The saved mapping the suggestion comes from, when the headers match one exactly. */
            savedMapping: z.string().nullable(),
          }),
          413: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenantId = requirePrincipal(request).tenantId;
      if (!request.isMultipart())
        throw new AppError(415, 'unsupported_media_type', 'upload the CSV file as multipart/form-data');
      const id = randomUUID();
      const path = uploadPath(id);
      let filename = 'upload.csv';
      try {
        const file = await request.file().catch((err: unknown) => {
          // A malformed multipart body (no boundary, cut short) is the client's to fix.
          throw new AppError(
            400,
            'invalid_multipart',
            `the upload is not valid multipart: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
        if (!file) throw new AppError(400, 'file_required', 'the request has no file part');
        filename = (file.filename || filename).slice(0, 255);
        await pipeline(file.file, createWriteStream(path));
        // A stream past the limit ends early and says so.
        if (file.file.truncated)
          throw new AppError(413, 'file_too_large', `the file is larger than ${maxFileBytes} bytes`);
        const inspection = await inspectCsv(path);
        const [saved, catalog] = await Promise.all([
          request.tenantDb.columnMapping.findMany({ where: { tenantId }, orderBy: { createdAt: 'desc' }, take: 100 }),
          tenantCatalog(request.tenantDb, tenantId),
        ]);
        const suggestion = suggestMapping(
          inspection.headers,
          saved.map((s) => ({ name: s.name, mapping: MappingSchema.catch({}).parse(s.mapping) })),
          catalog.customFields,
        );
        const meta: JobMeta = {
          delimiter: inspection.delimiter,
          bom: inspection.bom,
          headers: inspection.headers,
          columns: null,
          dedupe: null,
        };
        await request.tenantDb.importJob.create({
          data: {
            id,
            tenantId,
            status: 'pending',
            filename,
            mapping: toJson(meta),
            totalRows: inspection.totalRows,
            createdById: request.principal?.userId ?? request.principal?.apiKeyId ?? null,
          },
        });
        return reply.status(201).send({
          id,
          filename,
          delimiter: inspection.delimiter,
          bom: inspection.bom,
          headers: inspection.headers,
          preview: inspection.preview,
          totalRows: inspection.totalRows,
          suggestedMapping: suggestion.mapping,
          savedMapping: suggestion.savedMapping,
        });
      } catch (err) {
        await rm(path, { force: true }).catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE')
          throw new AppError(413, 'file_too_large', `the file is larger than ${maxFileBytes} bytes`);
        if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
          throw new AppError(415, 'unsupported_media_type', 'upload the CSV file as multipart/form-data');
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
          throw new AppError(400, 'too_many_parts', 'upload one CSV file per import');
        throw err;
      }
    },
  );

  app.post(
    '/imports/:id/check',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: 'Dry run: validate every row of an uploaded file against a mapping, writing nothing',
        description:
          'The row checks the import applies (phone and email normalization, time zones, custom field types, ' +
          'lead statuses, a phone or an email per row), so a person sees the bad rows before starting. Matching ' +
          'against existing contacts happens only on import.',
        params: IdParamsSchema,
        body: CheckBodySchema,
        response: { 200: CheckResultSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const tenantId = requirePrincipal(request).tenantId;
      const job = await findJob(request, request.params.id);
      if (job.status !== 'pending')
        throw new AppError(409, 'import_already_started', `the import is ${job.status}; upload the file again`);
      const meta = JobMetaSchema.parse(job.mapping);
      const { mapping, defaultCountry, limit } = request.body;
      const catalog = await tenantCatalog(request.tenantDb, tenantId);
      const plan = planColumns(mapping, meta.headers, catalog.customFields);
      const path = uploadPath(job.id);
      if (!(await stat(path).catch(() => null)))
        throw new AppError(409, 'upload_expired', 'the uploaded file is no longer here: upload it again');
      const result: z.infer<typeof CheckResultSchema> = {
        totalRows: 0,
        validRows: 0,
        errorRows: 0,
        duplicateRows: 0,
        errors: [],
        truncated: false,
      };
      const seen = new Set<string>();
      let header = true;
      for await (const record of readRecords(path, meta.delimiter as Delimiter)) {
        if (header) {
          header = false;
          continue;
        }
        result.totalRows++;
        const row = normalizeRow(record, {
          headers: meta.headers,
          plan,
          customFields: catalog.customFields,
          leadStages: catalog.leadStages,
          defaultCountry: defaultCountry as CountryCode | undefined,
        });
        if ('errors' in row) {
          result.errorRows++;
          if (result.errors.length < limit) result.errors.push(row);
          else result.truncated = true;
          continue;
        }
        result.validRows++;
        const keys = [row.data.phone && `p:${row.data.phone}`, row.data.email && `e:${row.data.email}`].filter(
          (k): k is string => Boolean(k),
        );
        if (keys.some((k) => seen.has(k))) result.duplicateRows++;
        for (const k of keys) seen.add(k);
      }
      return result;
    },
  );

  app.post(
    '/imports/:id/start',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: 'Start importing an uploaded file with a column mapping; runs in the background',
        params: IdParamsSchema,
        body: StartBodySchema,
        response: { 202: ImportJobSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenantId = requirePrincipal(request).tenantId;
      const job = await findJob(request, request.params.id);
      if (job.status !== 'pending')
        throw new AppError(409, 'import_already_started', `the import is ${job.status}; upload the file again`);
      const meta = JobMetaSchema.parse(job.mapping);
      const { mapping, defaultCountry, dedupe, saveMappingAs } = request.body;
      const catalog = await tenantCatalog(request.tenantDb, tenantId);
      planColumns(mapping, meta.headers, catalog.customFields); // refuses a mapping that does not fit
      const path = uploadPath(job.id);
      if (!(await stat(path).catch(() => null))) {
        await request.tenantDb.importJob.update({
          where: { id: job.id, tenantId },
          data: { status: 'failed', error: 'the uploaded file is gone (the API restarted?)', finishedAt: new Date() },
        });
        throw new AppError(409, 'upload_expired', 'the uploaded file is no longer here: upload it again');
      }
      // Only one start wins.
      const claimed = await request.tenantDb.importJob.updateMany({
        where: { id: job.id, tenantId, status: 'pending' },
        data: {
          status: 'running',
          mapping: toJson({ ...meta, columns: mapping, dedupe } satisfies JobMeta),
          defaultCountry: defaultCountry ?? null,
        },
      });
      if (claimed.count !== 1) throw new AppError(409, 'import_already_started', 'the import has already started');
      if (saveMappingAs) {
        await request.tenantDb.columnMapping.upsert({
          where: { tenantId_name: { tenantId, name: saveMappingAs } },
          create: { tenantId, name: saveMappingAs, mapping: toJson(mapping) },
          update: { mapping: toJson(mapping), createdAt: new Date() },
        });
      }
      await launch(job.id, tenantId, { heartbeatAt: null });
      const row = await findJob(request, job.id);
      return reply.status(202).send(toJob(row));
    },
  );

  app.get(
    '/imports/:id',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: 'An import: status, progress and counters',
        params: IdParamsSchema,
        response: { 200: ImportJobSchema, ...errorResponses },
      },
    },
    async (request) => toJob(await findJob(request, request.params.id)),
  );

  app.get(
    '/imports',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: 'Imports, newest first',
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(ImportJobSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const tenantId = requirePrincipal(request).tenantId;
      const rows = await request.tenantDb.importJob.findMany({
        where: { tenantId, ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toJob), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/imports/:id/errors.csv',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: "The rows that were not imported, one line per problem, with the row's original cells",
        params: IdParamsSchema,
        response: {
          200: {
            description: 'row,column,message,<the original columns>',
            content: { 'text/csv': { schema: z.string() } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const job = await findJob(request, request.params.id);
      const { headers } = JobMetaSchema.parse(job.mapping);
      const db = request.tenantDb;
      const ErrorsSchema = z.array(z.object({ column: z.string(), message: z.string() }));
      const RawSchema = z.record(z.string(), z.string()).catch({});
      async function* lines() {
        let after = 0;
        for (;;) {
          const batch = await db.importRowError.findMany({
            where: { importId: job.id, rowNumber: { gt: after } },
            orderBy: { rowNumber: 'asc' },
            take: 1000,
          });
          for (const e of batch) {
            const raw = RawSchema.parse(e.raw);
            const cells = headers.map((h) => raw[h] ?? '');
            for (const problem of ErrorsSchema.catch([]).parse(e.errors))
              yield [String(e.rowNumber), problem.column, problem.message, ...cells];
          }
          const last = batch[batch.length - 1];
          if (!last || batch.length < 1000) return;
          after = last.rowNumber;
        }
      }
      const csv = Readable.from(lines()).pipe(
        stringify({ header: true, columns: ['row', 'column', 'message', ...headers] }),
      );
      const name = job.filename.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
      return (
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}-errors.csv"`)
          // The response schemas describe the error bodies; a stream is sent as it is, never serialized.
          .send(csv as never)
      );
    },
  );

  app.get(
    '/column-mappings',
    {
      config: { permission: 'contacts.import' },
      schema: {
        tags: ['imports'],
        summary: 'Saved column mappings, newest first',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string().uuid(),
                name: z.string(),
                mapping: z.record(z.string(), z.string()),
                createdAt: z.date(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenantId = requirePrincipal(request).tenantId;
      const rows = await request.tenantDb.columnMapping.findMany({
        where: { tenantId },
        orderBy: { createdAt: 'desc' },
      });
      return { items: rows.map((r) => ({ ...r, mapping: MappingSchema.catch({}).parse(r.mapping) })) };
    },
  );
};

export default importRoutes;
