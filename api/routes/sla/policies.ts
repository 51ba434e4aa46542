import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type SlaPolicy, SlaPolicySchema } from '../../../flow/sla';
import type { SlaPolicy as SlaPolicyRow } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { AppError, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import { uniqueName, writeErrors } from './shared';

const EXAMPLE_POLICY = {
  name: 'Urgent support',
  appliesTo: { channels: ['sms', 'whatsapp'], teams: ['support'], tags: [], priorities: ['high', 'urgent'] },
  firstResponse: { minutes: 30, clock: 'business' },
  nextResponse: { minutes: 60, clock: 'business' },
  resolution: { minutes: 8 * 60, clock: 'business' },
  warnAt: [0.75],
  calendarId: '2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182',
  escalationPolicyId: null,
  rank: 10,
  enabled: true,
} as const;

// Examples are complete: the component shows the policy as stored, every default filled in.
const SlaPolicyWriteSchema = SlaPolicySchema.meta({ id: 'SlaPolicyWrite', examples: [EXAMPLE_POLICY] });

const SlaPolicyOutSchema = z
  .object({
    id: z.string().uuid(),
    ...SlaPolicySchema.shape,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'SlaPolicy',
    examples: [
      {
        id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
        ...EXAMPLE_POLICY,
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

function toPolicy(row: SlaPolicyRow) {
  const parsed = SlaPolicySchema.safeParse(row.definition);
  if (!parsed.success)
    throw new AppError(422, 'invalid_sla_policy', 'the stored SLA policy is no longer valid: save it again');
  return {
    id: row.id,
    ...parsed.data,
    name: row.name,
    rank: row.rank,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function loadPolicy(request: FastifyRequest, id: string): Promise<SlaPolicyRow> {
  const row = await request.tenantDb.slaPolicy.findUnique({ where: { id } });
  if (!row) throw notFound('SLA policy');
  return row;
}

/** The calendar and the ladder a policy names must exist in the tenant. */
async function checkReferences(request: FastifyRequest, policy: SlaPolicy) {
  if (policy.calendarId && !(await request.tenantDb.businessCalendar.findUnique({ where: { id: policy.calendarId } })))
    throw new AppError(400, 'unknown_calendar', `no business calendar ${policy.calendarId} in this tenant`, [
      { path: '/calendarId', message: 'no such business calendar' },
    ]);
  if (
    policy.escalationPolicyId &&
    !(await request.tenantDb.escalationPolicy.findUnique({ where: { id: policy.escalationPolicyId } }))
  )
    throw new AppError(
      400,
      'unknown_escalation_policy',
      `no escalation policy ${policy.escalationPolicyId} in this tenant`,
      [{ path: '/escalationPolicyId', message: 'no such escalation policy' }],
    );
}

const columns = (policy: SlaPolicy) => ({
  name: policy.name,
  rank: policy.rank,
  enabled: policy.enabled,
  definition: toJson(policy),
});

/**
 * SLA policies: first-response, next-response and resolution targets for the conversations they
 * apply to. A conversation's clocks follow the first enabled policy (by rank) that matches it when
 * its first customer message arrives; editing a policy changes clocks started after that.
 */
export const policyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/sla-policies',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'SLA policies, in the order they are tried (rank, then age)',
        response: { 200: z.object({ items: z.array(SlaPolicyOutSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.slaPolicy.findMany({
        orderBy: [{ rank: 'asc' }, { createdAt: 'asc' }],
        take: 1_000,
      });
      return { items: rows.map(toPolicy) };
    },
  );

  app.post(
    '/sla-policies',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Create an SLA policy',
        description:
          'Targets are whole minutes, at least one. `calendarId` and `escalationPolicyId` must name ones in this tenant ' +
          '(400 `unknown_calendar`, `unknown_escalation_policy`).',
        body: SlaPolicyWriteSchema,
        response: { 201: SlaPolicyOutSchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const policy = request.body;
      await checkReferences(request, policy);
      const row = await uniqueName('SLA policy', policy.name, () =>
        request.tenantDb.slaPolicy.create({
          data: { tenantId: requirePrincipal(request).tenantId, ...columns(policy) },
        }),
      );
      await request.audit('sla_policy.created', {
        targetType: 'sla_policy',
        targetId: row.id,
        details: { name: row.name, rank: row.rank, enabled: row.enabled },
      });
      return reply.status(201).send(toPolicy(row));
    },
  );

  app.get(
    '/sla-policies/:id',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'An SLA policy',
        params: IdParamsSchema,
        response: { 200: SlaPolicyOutSchema, ...errorResponses },
      },
    },
    async (request) => toPolicy(await loadPolicy(request, request.params.id)),
  );

  app.put(
    '/sla-policies/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Replace an SLA policy',
        description: 'Clocks already running keep the policy they started with; conversations starting later use this.',
        params: IdParamsSchema,
        body: SlaPolicyWriteSchema,
        response: { 200: SlaPolicyOutSchema, ...writeErrors },
      },
    },
    async (request) => {
      const current = await loadPolicy(request, request.params.id);
      const policy = request.body;
      await checkReferences(request, policy);
      const row = await uniqueName('SLA policy', policy.name, () =>
        request.tenantDb.slaPolicy.update({ where: { id: current.id }, data: columns(policy) }),
      );
      await request.audit('sla_policy.updated', {
        targetType: 'sla_policy',
        targetId: row.id,
        details: { name: row.name, rank: row.rank, enabled: row.enabled },
      });
      return toPolicy(row);
    },
  );

  app.delete(
    '/sla-policies/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Delete an SLA policy (its recorded history stays, without the policy)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await loadPolicy(request, request.params.id);
      await request.tenantDb.slaPolicy.delete({ where: { id: current.id } });
      await request.audit('sla_policy.deleted', {
        targetType: 'sla_policy',
        targetId: current.id,
        details: { name: current.name },
      });
      return reply.status(204).send(null);
    },
  );
};
