import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FIELD_TYPES } from '../../contacts/model';
import { AppError, conflict } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { ContactIdParams, conflictResponses, isUniqueViolation } from './shared';

const FieldDefinitionSchema = z
  .object({
    id: z.string().uuid(),
    key: z.string(),
    label: z.string(),
    type: z.enum(FIELD_TYPES),
    options: z.array(z.string()),
    createdAt: z.date(),
  })
  .meta({
    id: 'ContactFieldDefinition',
    examples: [
      {
        id: 'c9d0e1f2-a3b4-4c5d-8e6f-7a8b9c0d1e2f',
        key: 'plan',
        label: 'Plan',
        type: 'select',
        options: ['free', 'pro', 'enterprise'],
        createdAt: '2026-11-02T14:05:00.000Z',
      },
    ],
  });

const OptionsSchema = z.array(z.string().trim().min(1).max(200)).max(200);

const CreateSchema = z
  .object({
    key: z
      .string()
      .regex(
        /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/,
        'letters, digits and _, starting with a letter (used as {{contact.fields.<key>}})',
      ),
    label: z.string().trim().min(1).max(200),
    type: z.enum(FIELD_TYPES),
    options: OptionsSchema.default([]),
  })
  .refine((d) => (d.type === 'select' ? d.options.length > 0 : d.options.length === 0), {
    message: 'a select field needs options; other types take none',
    path: ['options'],
  })
  .meta({
    id: 'ContactFieldCreate',
    examples: [{ key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro', 'enterprise'] }],
  });

type Row = { id: string; key: string; label: string; type: string; options: string[]; createdAt: Date };
const toDefinition = (r: Row) => ({ ...r, type: z.enum(FIELD_TYPES).catch('text').parse(r.type) });

/** The tenant's typed custom fields. Reading needs contacts.read; changing them is a setting. */
export const contactFieldRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/contact-fields',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['contact fields'],
        summary: 'Custom field definitions',
        response: { 200: z.object({ items: z.array(FieldDefinitionSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.customFieldDefinition.findMany({
        where: { tenantId: requirePrincipal(request).tenantId },
        orderBy: [{ createdAt: 'asc' }, { key: 'asc' }],
      });
      return { items: rows.map(toDefinition) };
    },
  );

  app.post(
    '/contact-fields',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['contact fields'],
        summary: 'Define a custom field',
        body: CreateSchema,
        response: { 201: FieldDefinitionSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request, reply) => {
      try {
        const row = await request.tenantDb.customFieldDefinition.create({
          data: { ...request.body, tenantId: requirePrincipal(request).tenantId },
        });
        return reply.status(201).send(toDefinition(row));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('field_key_taken', `a field "${request.body.key}" already exists`);
        throw err;
      }
    },
  );

  const load = async (request: Parameters<typeof requirePrincipal>[0], id: string) => {
    const row = await request.tenantDb.customFieldDefinition.findFirst({
      where: { id, tenantId: requirePrincipal(request).tenantId },
    });
    if (!row) throw new AppError(404, 'not_found', 'field not found');
    return row;
  };

  app.patch(
    '/contact-fields/:id',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['contact fields'],
        summary: "Change a field's label or options (its key and type are fixed)",
        params: ContactIdParams,
        body: z
          .object({ label: z.string().trim().min(1).max(200).optional(), options: OptionsSchema.optional() })
          .meta({ examples: [{ label: 'Plan', options: ['free', 'pro', 'enterprise', 'custom'] }] }),
        response: { 200: FieldDefinitionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const current = await load(request, request.params.id);
      const { label, options } = request.body;
      if (options !== undefined && (current.type === 'select') !== options.length > 0)
        throw new AppError(400, 'invalid_options', 'a select field needs options; other types take none');
      const row = await request.tenantDb.customFieldDefinition.update({
        where: { id: current.id },
        data: { ...(label !== undefined ? { label } : {}), ...(options !== undefined ? { options } : {}) },
      });
      return toDefinition(row);
    },
  );

  app.delete(
    '/contact-fields/:id',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['contact fields'],
        summary: "Delete a field definition (contacts' values stay, untyped)",
        params: ContactIdParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await load(request, request.params.id);
      await request.tenantDb.customFieldDefinition.delete({ where: { id: current.id } });
      return reply.status(204).send(null);
    },
  );
};
