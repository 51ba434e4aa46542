import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LIVE } from '../../contacts/filter';
import { leadStages } from '../../contacts/model';
import { AppError, conflict } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { ContactIdParams, conflictResponses, isUniqueViolation } from './shared';

const StageSchema = z
  .object({ id: z.string().uuid(), key: z.string(), label: z.string(), position: z.number().int() })
  .meta({
    id: 'LeadStage',
    examples: [{ id: 'd2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a', key: 'demo_booked', label: 'Demo booked', position: 3 }],
  });
const StageListSchema = z.object({ items: z.array(StageSchema) });
const KeySchema = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and -');

const pick = (r: { id: string; key: string; label: string; position: number }) => ({
  id: r.id,
  key: r.key,
  label: r.label,
  position: r.position,
});

/**
 * The lead-status pipeline. A tenant without one gets new → contacted → qualified → won → lost on
 * first read; a contact's `leadStatus` must be one of these keys.
 */
export const leadStageRoutes: FastifyPluginAsyncZod = async (app) => {
  const list = async (request: Parameters<typeof requirePrincipal>[0]) => ({
    items: (await leadStages(request.tenantDb, requirePrincipal(request).tenantId)).map(pick),
  });

  const load = async (request: Parameters<typeof requirePrincipal>[0], id: string) => {
    const row = await request.tenantDb.leadStage.findFirst({
      where: { id, tenantId: requirePrincipal(request).tenantId },
    });
    if (!row) throw new AppError(404, 'not_found', 'lead stage not found');
    return row;
  };

  app.get(
    '/lead-stages',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['lead stages'],
        summary: 'The pipeline, in order',
        response: { 200: StageListSchema, ...errorResponses },
      },
    },
    async (request) => list(request),
  );

  app.post(
    '/lead-stages',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['lead stages'],
        summary: 'Add a stage at the end of the pipeline',
        body: z
          .object({ key: KeySchema, label: z.string().trim().min(1).max(100) })
          .meta({ examples: [{ key: 'demo_booked', label: 'Demo booked' }] }),
        response: { 201: StageSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const stages = await leadStages(request.tenantDb, tenantId);
      const position = Math.max(-1, ...stages.map((s) => s.position)) + 1;
      try {
        const row = await request.tenantDb.leadStage.create({ data: { ...request.body, tenantId, position } });
        return reply.status(201).send(pick(row));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('stage_key_taken', `a stage "${request.body.key}" already exists`);
        throw err;
      }
    },
  );

  app.put(
    '/lead-stages/order',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['lead stages'],
        summary: 'Reorder the pipeline: every stage key, once, in the new order',
        body: z
          .object({ keys: z.array(z.string()).min(1).max(100) })
          .meta({ examples: [{ keys: ['new', 'qualified', 'contacted', 'won', 'lost'] }] }),
        response: { 200: StageListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const stages = await leadStages(request.tenantDb, tenantId);
      const { keys } = request.body;
      const known = stages.map((s) => s.key);
      if (keys.length !== known.length || new Set(keys).size !== keys.length || !keys.every((k) => known.includes(k)))
        throw new AppError(400, 'invalid_order', 'give every stage key exactly once', { keys: known });
      await request.tenantDb.$transaction(
        keys.map((key, position) =>
          request.tenantDb.leadStage.updateMany({ where: { tenantId, key }, data: { position } }),
        ),
      );
      return list(request);
    },
  );

  app.patch(
    '/lead-stages/:id',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['lead stages'],
        summary: 'Rename a stage (its key, stored on contacts, stays)',
        params: ContactIdParams,
        body: z.object({ label: z.string().trim().min(1).max(100) }).meta({ examples: [{ label: 'Demo booked' }] }),
        response: { 200: StageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const current = await load(request, request.params.id);
      const row = await request.tenantDb.leadStage.update({
        where: { id: current.id },
        data: { label: request.body.label },
      });
      return pick(row);
    },
  );

  app.delete(
    '/lead-stages/:id',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['lead stages'],
        summary: 'Delete a stage no live contact is in (and not the last one)',
        params: ContactIdParams,
        response: { 204: z.null(), ...errorResponses, ...conflictResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const current = await load(request, request.params.id);
      const inUse = await request.tenantDb.contact.count({ where: { ...LIVE, leadStatus: current.key } });
      if (inUse)
        throw conflict('stage_in_use', `${inUse} contact(s) are in stage "${current.key}": move them first`, {
          contacts: inUse,
        });
      const total = await request.tenantDb.leadStage.count({ where: { tenantId } });
      if (total <= 1) throw conflict('last_stage', 'the pipeline needs at least one stage');
      await request.tenantDb.leadStage.delete({ where: { id: current.id } });
      return reply.status(204).send(null);
    },
  );
};
