import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Prisma } from '../../../generated/prisma/client';
import { ContactFilterSchema, LIVE, searchWhere, toPrismaWhere } from '../../contacts/filter';
import { csvCell as cell } from '../../csv';
import { AppError } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';

const EXPORT_BATCH = 1000;

const BASE_COLUMNS = [
  'id',
  'firstName',
  'lastName',
  'phone',
  'email',
  'timeZone',
  'tags',
  'leadStatus',
  'score',
  'dnc',
  'createdAt',
  'updatedAt',
] as const;

function parseFilter(text: string | undefined): Prisma.ContactWhereInput {
  if (!text) return { ...LIVE };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError(400, 'invalid_filter', 'filter must be a JSON contact filter');
  }
  const parsed = ContactFilterSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      400,
      'invalid_filter',
      'the filter is not a valid contact filter',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  return toPrismaWhere(parsed.data);
}

export const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/exports/contacts.csv',
    {
      config: { permission: 'contacts.export' },
      schema: {
        tags: ['exports'],
        summary: "Download the tenant's live contacts matching a filter as CSV (streamed)",
        querystring: z.object({
          filter: z.string().max(20_000).optional().describe('a JSON ContactFilter'),
          search: z.string().max(200).optional(),
        }),
        produces: ['text/csv'],
        response: {
          200: {
            description: 'The contacts, one per line, with a header row',
            content: { 'text/csv': { schema: z.string() } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenantId = requirePrincipal(request).tenantId;
      const { filter, search } = request.query;
      const where: Prisma.ContactWhereInput = {
        AND: [parseFilter(filter), LIVE, ...(search?.trim() ? [searchWhere(search)] : [])],
      };
      const db = request.tenantDb;
      const definitions = await db.customFieldDefinition.findMany({
        where: { tenantId },
        select: { key: true },
        orderBy: { key: 'asc' },
      });
      const fieldKeys = definitions.map((d) => d.key);
      await request.audit('contacts.exported', {
        targetType: 'contact',
        details: { filter: filter ? (JSON.parse(filter) as unknown) : null, search: search ?? null },
      });

      async function* rows() {
        let after: string | undefined;
        for (;;) {
          const batch = await db.contact.findMany({
            where: { AND: [where, { tenantId }, ...(after ? [{ id: { gt: after } }] : [])] },
            orderBy: { id: 'asc' },
            take: EXPORT_BATCH,
          });
          for (const c of batch) {
            const fields = (c.fields && typeof c.fields === 'object' ? c.fields : {}) as Record<string, unknown>;
            yield [
              c.id,
              cell(c.firstName),
              cell(c.lastName),
              c.phone ?? '',
              cell(c.email),
              c.timeZone ?? '',
              cell(c.tags.join(';')),
              cell(c.leadStatus),
              String(c.score),
              String(c.dnc),
              c.createdAt.toISOString(),
              c.updatedAt.toISOString(),
              ...fieldKeys.map((k) => cell(fields[k])),
            ];
          }
          const last = batch[batch.length - 1];
          if (!last || batch.length < EXPORT_BATCH) return;
          after = last.id;
        }
      }
      const source = Readable.from(rows());
      const csv = source.pipe(
        stringify({ header: true, columns: [...BASE_COLUMNS, ...fieldKeys.map((k) => `fields.${k}`)] }),
      );
      // A database error mid-stream ends the download early rather than hanging it.
      source.on('error', (err) => {
        request.log.error({ err }, 'contact export failed');
        csv.destroy(err);
      });
      const stamp = new Date().toISOString().slice(0, 10);
      return (
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="contacts-${stamp}.csv"`)
          // The response schemas describe the error bodies; a stream is sent as it is, never serialized.
          .send(csv as never)
      );
    },
  );
};

export default exportRoutes;
