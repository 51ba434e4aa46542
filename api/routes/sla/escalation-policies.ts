import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type EscalationPolicy, EscalationPolicySchema } from '../../../flow/escalation';
import type { EscalationPolicy as EscalationPolicyRow } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { AppError, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import { inUse, membersAmong, notAMember, policiesReferring, uniqueName, writeErrors } from './shared';

const EXAMPLE_LADDER = {
  name: 'Support ladder',
  levels: [
    { targets: [{ type: 'on_call', team: 'support' }], channels: ['in_app', 'sms'], ackTimeoutMinutes: 10 },
    {
      targets: [
        { type: 'user', userId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d' },
        { type: 'team', team: 'support-leads' },
      ],
      channels: ['in_app', 'email'],
      ackTimeoutMinutes: 20,
    },
  ],
  repeat: 1,
};

const EscalationPolicyWriteSchema = EscalationPolicySchema.meta({
  id: 'EscalationPolicyWrite',
  examples: [EXAMPLE_LADDER],
});

const EscalationPolicyOutSchema = z
  .object({
    id: z.string().uuid(),
    ...EscalationPolicySchema.shape,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'EscalationPolicy',
    examples: [
      {
        id: '4d5e6f70-8192-4a3b-9c4d-5e6f70819203',
        ...EXAMPLE_LADDER,
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

function toLadder(row: EscalationPolicyRow) {
  const parsed = EscalationPolicySchema.safeParse(row.definition);
  if (!parsed.success)
    throw new AppError(
      422,
      'invalid_escalation_policy',
      'the stored escalation policy is no longer valid: save it again',
    );
  return { id: row.id, ...parsed.data, name: row.name, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

async function loadLadder(request: FastifyRequest, id: string): Promise<EscalationPolicyRow> {
  const row = await request.tenantDb.escalationPolicy.findUnique({ where: { id } });
  if (!row) throw notFound('escalation policy');
  return row;
}

/** Every `user` target must be a member of the tenant: a ladder must not page a stranger. */
async function checkTargets(request: FastifyRequest, ladder: EscalationPolicy) {
  const users = ladder.levels.flatMap((level, i) =>
    level.targets.flatMap((t, j) =>
      t.type === 'user' ? [{ userId: t.userId, path: `/levels/${i}/targets/${j}/userId` }] : [],
    ),
  );
  const members = await membersAmong(
    request,
    users.map((u) => u.userId),
  );
  const stranger = users.find((u) => !members.has(u.userId));
  if (stranger) throw notAMember(stranger.userId, stranger.path);
}

/**
 * Escalation policies: ladders of levels, each notifying its targets (a member, a team, the team's
 * on-call member) and waiting for an acknowledgement before the next. An SLA policy names the
 * ladder its breaches start.
 */
export const escalationPolicyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/escalation-policies',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'Escalation policies, by name',
        response: { 200: z.object({ items: z.array(EscalationPolicyOutSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.escalationPolicy.findMany({ orderBy: [{ name: 'asc' }], take: 1_000 });
      return { items: rows.map(toLadder) };
    },
  );

  app.post(
    '/escalation-policies',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Create an escalation policy',
        description: 'A `user` target must be a member of this tenant (400 `not_a_member`).',
        body: EscalationPolicyWriteSchema,
        response: { 201: EscalationPolicyOutSchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const ladder = request.body;
      await checkTargets(request, ladder);
      const row = await uniqueName('escalation policy', ladder.name, () =>
        request.tenantDb.escalationPolicy.create({
          data: { tenantId: requirePrincipal(request).tenantId, name: ladder.name, definition: toJson(ladder) },
        }),
      );
      await request.audit('escalation_policy.created', {
        targetType: 'escalation_policy',
        targetId: row.id,
        details: { name: row.name, levels: ladder.levels.length },
      });
      return reply.status(201).send(toLadder(row));
    },
  );

  app.get(
    '/escalation-policies/:id',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'An escalation policy',
        params: IdParamsSchema,
        response: { 200: EscalationPolicyOutSchema, ...errorResponses },
      },
    },
    async (request) => toLadder(await loadLadder(request, request.params.id)),
  );

  app.put(
    '/escalation-policies/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Replace an escalation policy',
        params: IdParamsSchema,
        body: EscalationPolicyWriteSchema,
        response: { 200: EscalationPolicyOutSchema, ...writeErrors },
      },
    },
    async (request) => {
      const current = await loadLadder(request, request.params.id);
      const ladder = request.body;
      await checkTargets(request, ladder);
      const row = await uniqueName('escalation policy', ladder.name, () =>
        request.tenantDb.escalationPolicy.update({
          where: { id: current.id },
          data: { name: ladder.name, definition: toJson(ladder) },
        }),
      );
      await request.audit('escalation_policy.updated', {
        targetType: 'escalation_policy',
        targetId: row.id,
        details: { name: row.name, levels: ladder.levels.length },
      });
      return toLadder(row);
    },
  );

  app.delete(
    '/escalation-policies/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Delete an escalation policy no SLA policy names (409 `in_use` otherwise)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (request, reply) => {
      const current = await loadLadder(request, request.params.id);
      const users = await policiesReferring(request, 'escalationPolicyId', current.id);
      if (users.length > 0) throw inUse('escalation policy', users);
      await request.tenantDb.escalationPolicy.delete({ where: { id: current.id } });
      await request.audit('escalation_policy.deleted', {
        targetType: 'escalation_policy',
        targetId: current.id,
        details: { name: current.name },
      });
      return reply.status(204).send(null);
    },
  );
};
