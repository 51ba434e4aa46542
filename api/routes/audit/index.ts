import { stringify } from 'csv-stringify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { errorResponses } from '../../schemas';

const AuditSchema = z
  .object({
    id: z.string(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.unknown(),
    createdAt: z.date(),
  })
  .meta({
    id: 'AuditEntry',
    examples: [
      {
        id: 'c7d8e9f0-a1b2-4c3d-8e4f-5a6b7c8d9e0f',
        actorType: 'user',
        actorId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        action: 'member.invited',
        targetType: 'invitation',
        targetId: 'a1b2c3d4-e5f6-4a7b-8c9d-e0f1a2b3c4d5',
        ip: '203.0.113.7',
        details: { email: 'grace@example.com', role: 'agent' },
        createdAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const FilterSchema = z.object({
  action: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  targetId: z.string().max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

function where(q: z.infer<typeof FilterSchema>) {
  return {
    ...(q.action ? { action: q.action.endsWith('*') ? { startsWith: q.action.slice(0, -1) } : q.action } : {}),
    ...(q.actorId ? { actorId: q.actorId } : {}),
    ...(q.targetId ? { targetId: q.targetId } : {}),
    ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
  };
}

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (action may end with * to match a prefix)',
        querystring: PageQuerySchema.extend(FilterSchema.shape),
        response: {
          200: z.object({ items: z.array(AuditSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const rows = await request.tenantDb.auditLog.findMany({
        where: { ...where(filter), ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      return page(rows, limit, (r) => r.createdAt);
    },
  );

  app.get(
    '/audit/export.csv',
    {
      config: { permission: 'audit.export' },
      schema: {
        tags: ['audit'],
        summary: 'Export the (filtered) audit log as CSV',
        querystring: FilterSchema,
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await request.audit('audit.exported', { details: request.query });
      const csv = stringify({
        header: true,
        columns: ['createdAt', 'actorType', 'actorId', 'action', 'targetType', 'targetId', 'ip', 'details'],
      });
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"');
      const db = request.tenantDb;
      const f = where(request.query);
      void (async () => {
        let cursor: string | undefined;
        try {
          for (;;) {
            const rows = await db.auditLog.findMany({
              where: { ...f, ...afterCursor('createdAt', cursor) },
              orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
              take: 1001,
            });
            const batch = page(rows, 1000, (r) => r.createdAt);
            for (const r of batch.items)
              csv.write({ ...r, createdAt: r.createdAt.toISOString(), details: JSON.stringify(r.details) });
            if (!batch.nextCursor) break;
            cursor = batch.nextCursor;
          }
          csv.end();
        } catch (err) {
          csv.destroy(err instanceof Error ? err : new Error(String(err)));
        }
      })();
      return reply.send(csv);
    },
  );
};
