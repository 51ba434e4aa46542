import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OnCallShift } from '../../../generated/prisma/client';
import { notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import { membersAmong, notAMember } from './shared';

const OnCallShiftWriteSchema = z
  .object({
    team: z.string().trim().min(1).max(100),
    userId: z.string().uuid(),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
  })
  .refine((s) => s.endsAt.getTime() > s.startsAt.getTime(), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  })
  .meta({
    id: 'OnCallShiftWrite',
    examples: [
      {
        team: 'support',
        userId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        startsAt: '2026-11-23T17:00:00.000Z',
        endsAt: '2026-11-24T01:00:00.000Z',
      },
    ],
  });

const OnCallShiftSchema = z
  .object({
    id: z.string().uuid(),
    team: z.string(),
    userId: z.string().uuid(),
    startsAt: z.date(),
    endsAt: z.date(),
  })
  .meta({
    id: 'OnCallShift',
    examples: [
      {
        id: '5e6f7081-92a3-4b4c-8d5e-6f708192a3b4',
        team: 'support',
        userId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        startsAt: '2026-11-23T17:00:00.000Z',
        endsAt: '2026-11-24T01:00:00.000Z',
      },
    ],
  });

const toShift = (row: OnCallShift) => ({
  id: row.id,
  team: row.team,
  userId: row.userId,
  startsAt: row.startsAt,
  endsAt: row.endsAt,
});

/** Who is on call for a team, and when: an escalation ladder's `on_call` target pages them. */
export const onCallRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/on-call-shifts',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'On-call shifts by start, those not over yet unless `from` says otherwise',
        querystring: z.object({
          team: z.string().max(100).optional(),
          /** Shifts still running at or after this instant (now when omitted). */
          from: z.coerce.date().optional(),
          /** Shifts starting before this instant. */
          to: z.coerce.date().optional(),
          limit: z.coerce.number().int().min(1).max(1_000).default(200),
        }),
        response: { 200: z.object({ items: z.array(OnCallShiftSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { team, from, to, limit } = request.query;
      const rows = await request.tenantDb.onCallShift.findMany({
        where: {
          ...(team ? { team } : {}),
          endsAt: { gt: from ?? new Date() },
          ...(to ? { startsAt: { lt: to } } : {}),
        },
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      return { items: rows.map(toShift) };
    },
  );

  app.post(
    '/on-call-shifts',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Put a member on call for a team',
        description: 'The user must be a member of this tenant (400 `not_a_member`); shifts of a team may overlap.',
        body: OnCallShiftWriteSchema,
        response: { 201: OnCallShiftSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { team, userId, startsAt, endsAt } = request.body;
      if (!(await membersAmong(request, [userId])).has(userId)) throw notAMember(userId, '/userId');
      const row = await request.tenantDb.onCallShift.create({
        data: { tenantId: requirePrincipal(request).tenantId, team, userId, startsAt, endsAt },
      });
      await request.audit('on_call_shift.created', {
        targetType: 'on_call_shift',
        targetId: row.id,
        details: { team, userId, startsAt, endsAt },
      });
      return reply.status(201).send(toShift(row));
    },
  );

  app.delete(
    '/on-call-shifts/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Remove an on-call shift',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await request.tenantDb.onCallShift.findUnique({ where: { id: request.params.id } });
      if (!row) throw notFound('on-call shift');
      await request.tenantDb.onCallShift.delete({ where: { id: row.id } });
      await request.audit('on_call_shift.deleted', {
        targetType: 'on_call_shift',
        targetId: row.id,
        details: { team: row.team, userId: row.userId },
      });
      return reply.status(204).send(null);
    },
  );
};
