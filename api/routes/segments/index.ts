import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { ContactFilterSchema, toPrismaWhere } from '../../contacts/filter';
import { ContactSchema, toContact } from '../../contacts/model';
import { AppError, conflict } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';

const SegmentSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    filter: ContactFilterSchema,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'Segment',
    examples: [
      {
        id: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
        name: 'Hot SMS leads',
        filter: {
          match: 'all',
          conditions: [
            { type: 'consent', channel: 'sms', status: 'granted' },
            { type: 'tag', op: 'has', value: 'vip' },
          ],
        },
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const SegmentInputSchema = z.object({ name: z.string().trim().min(1).max(200), filter: ContactFilterSchema }).meta({
  id: 'SegmentWrite',
  examples: [
    {
      name: 'Hot SMS leads',
      filter: {
        match: 'all',
        conditions: [
          { type: 'leadStatus', op: 'in', values: ['qualified'] },
          { type: 'consent', channel: 'sms', status: 'granted' },
          { type: 'dnc', value: false },
        ],
      },
    },
  ],
});

const conflictResponses = { 409: ErrorBodySchema } as const;

type SegmentRow = { id: string; name: string; filter: unknown; createdAt: Date; updatedAt: Date };

function parseFilter(raw: unknown) {
  const parsed = ContactFilterSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError(422, 'invalid_segment_filter', 'the stored filter is no longer valid: save the segment again');
  return parsed.data;
}

const toSegment = (row: SegmentRow) => ({
  id: row.id,
  name: row.name,
  filter: parseFilter(row.filter),
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

async function loadSegment(request: FastifyRequest, id: string) {
  // Segment is not in tenant-scope's list, so the tenant is named explicitly.
  const row = await request.tenantDb.segment.findFirst({ where: { id, tenantId: requirePrincipal(request).tenantId } });
  if (!row) throw new AppError(404, 'not_found', 'segment not found');
  return row;
}

/** Saved contact filters: a segment is evaluated live, in SQL, every time it is read. */
export const segmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/segments',
    {
      config: { permission: 'segments.read' },
      schema: {
        tags: ['segments'],
        summary: 'Segments, newest first',
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(SegmentSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await request.tenantDb.segment.findMany({
        where: { tenantId: requirePrincipal(request).tenantId, ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toSegment), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/segments',
    {
      config: { permission: 'segments.write' },
      schema: {
        tags: ['segments'],
        summary: 'Save a segment',
        body: SegmentInputSchema,
        response: { 201: SegmentSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request, reply) => {
      try {
        const row = await request.tenantDb.segment.create({
          data: {
            tenantId: requirePrincipal(request).tenantId,
            name: request.body.name,
            filter: toJson(request.body.filter),
          },
        });
        return reply.status(201).send(toSegment(row));
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict('segment_name_taken', `a segment "${request.body.name}" already exists`);
        throw err;
      }
    },
  );

  app.post(
    '/segments/preview',
    {
      config: { permission: 'segments.read' },
      schema: {
        tags: ['segments'],
        summary: 'Count and sample the contacts a filter selects, without saving it',
        body: z
          .object({ filter: ContactFilterSchema, sampleSize: z.number().int().min(0).max(50).default(10) })
          .meta({ examples: [{ filter: { match: 'any', conditions: [{ type: 'tag', op: 'has', value: 'vip' }] } }] }),
        response: { 200: z.object({ count: z.number().int(), sample: z.array(ContactSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const where = toPrismaWhere(request.body.filter);
      const [count, sample] = await Promise.all([
        request.tenantDb.contact.count({ where }),
        request.tenantDb.contact.findMany({
          where,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: request.body.sampleSize,
        }),
      ]);
      return { count, sample: sample.map(toContact) };
    },
  );

  app.get(
    '/segments/:id',
    {
      config: { permission: 'segments.read' },
      schema: {
        tags: ['segments'],
        summary: 'A segment',
        params: IdParamsSchema,
        response: { 200: SegmentSchema, ...errorResponses },
      },
    },
    async (request) => toSegment(await loadSegment(request, request.params.id)),
  );

  app.put(
    '/segments/:id',
    {
      config: { permission: 'segments.write' },
      schema: {
        tags: ['segments'],
        summary: "Replace a segment's name and filter",
        params: IdParamsSchema,
        body: SegmentInputSchema,
        response: { 200: SegmentSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request) => {
      const current = await loadSegment(request, request.params.id);
      try {
        const row = await request.tenantDb.segment.update({
          where: { id: current.id },
          data: { name: request.body.name, filter: toJson(request.body.filter) },
        });
        return toSegment(row);
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict('segment_name_taken', `a segment "${request.body.name}" already exists`);
        throw err;
      }
    },
  );

  app.delete(
    '/segments/:id',
    {
      config: { permission: 'segments.write' },
      schema: {
        tags: ['segments'],
        summary: 'Delete a segment',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await loadSegment(request, request.params.id);
      await request.tenantDb.segment.delete({ where: { id: current.id } });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/segments/:id/count',
    {
      config: { permission: 'segments.read' },
      schema: {
        tags: ['segments'],
        summary: 'How many live contacts the segment selects now (one SQL count)',
        params: IdParamsSchema,
        response: {
          200: z.object({ count: z.number().int() }).meta({ examples: [{ count: 1284 }] }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const segment = await loadSegment(request, request.params.id);
      return { count: await request.tenantDb.contact.count({ where: toPrismaWhere(parseFilter(segment.filter)) }) };
    },
  );

  app.get(
    '/segments/:id/contacts',
    {
      config: { permission: 'segments.read' },
      schema: {
        tags: ['segments'],
        summary: "The segment's contacts, newest first",
        params: IdParamsSchema,
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const segment = await loadSegment(request, request.params.id);
      const { limit, cursor } = request.query;
      const rows = await request.tenantDb.contact.findMany({
        where: { AND: [toPrismaWhere(parseFilter(segment.filter)), afterCursor('createdAt', cursor)] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toContact), nextCursor: result.nextCursor };
    },
  );
};

export default segmentRoutes;
