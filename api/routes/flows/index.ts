import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FlowSchema, validateFlow } from '../../../flow';
import { toJson } from '../../../prisma/json';
import { AppError, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';

const FlowRecordSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    definition: FlowSchema,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Flow' });

const CreateFlowSchema = z.object({ name: z.string().min(1).max(200), definition: z.unknown() });

function toRecord(row: { id: string; name: string; definition: unknown; createdAt: Date; updatedAt: Date }) {
  // Parsed on read: a Json column is never trusted as a Flow without its schema.
  return { ...row, definition: FlowSchema.parse(row.definition) };
}

export const flowRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/flows',
    {
      schema: {
        tags: ['flows'],
        summary: 'Create a flow draft',
        description: 'The definition is validated; an invalid flow is refused with one issue per problem.',
        body: CreateFlowSchema,
        response: { 201: FlowRecordSchema, 422: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = validateFlow({ name: request.body.name, ...(request.body.definition as object) });
      if (!result.ok) throw new AppError(422, 'invalid_flow', 'the flow has problems', { issues: result.issues });
      const row = await request.tenantDb.flow.create({
        data: {
          name: request.body.name,
          definition: toJson(result.flow),
          tenantId: requirePrincipal(request).tenantId,
        },
      });
      return reply.status(201).send(toRecord(row));
    },
  );

  app.get(
    '/flows',
    {
      schema: {
        tags: ['flows'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(FlowRecordSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.flow.findMany({ orderBy: { updatedAt: 'desc' }, take: request.query.limit });
      return { items: rows.map(toRecord) };
    },
  );

  app.get(
    '/flows/:id',
    { schema: { tags: ['flows'], params: IdParamsSchema, response: { 200: FlowRecordSchema, ...errorResponses } } },
    async (request) => {
      const row = await request.tenantDb.flow.findUnique({ where: { id: request.params.id } });
      if (!row) throw notFound('flow');
      return toRecord(row);
    },
  );
};
