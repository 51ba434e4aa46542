import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toJson } from '../../../prisma/json';
import { notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';

export const ContactInputSchema = z.object({
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'phone must be E.164, e.g. +14155550100')
    .optional(),
  email: z.string().email().optional(),
  timeZone: z.string().max(64).optional(),
  tags: z.array(z.string().min(1).max(100)).max(100).default([]),
  fields: z.record(z.string(), z.unknown()).default({}),
});

export const ContactSchema = ContactInputSchema.extend({
  id: z.string().uuid(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  timeZone: z.string().nullable(),
  leadStatus: z.string().nullable(),
  score: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).meta({ id: 'Contact' });

const FieldsSchema = z.record(z.string(), z.unknown());

function toContact(row: {
  id: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  timeZone: string | null;
  leadStatus: string | null;
  score: number;
  tags: string[];
  fields: unknown;
  createdAt: Date;
  updatedAt: Date;
}) {
  return { ...row, fields: FieldsSchema.parse(row.fields ?? {}) };
}

export const contactRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/contacts',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Create a contact',
        body: ContactInputSchema,
        response: { 201: ContactSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await request.tenantDb.contact.create({
        data: { ...request.body, fields: toJson(request.body.fields), tenantId: requirePrincipal(request).tenantId },
      });
      return reply.status(201).send(toContact(row));
    },
  );

  app.get(
    '/contacts',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['contacts'],
        summary: 'List contacts, newest first',
        querystring: PageQuerySchema.extend({ search: z.string().max(200).optional() }),
        response: {
          200: z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, search } = request.query;
      const rows = await request.tenantDb.contact.findMany({
        where: {
          ...(search
            ? {
                OR: [
                  { firstName: { contains: search, mode: 'insensitive' as const } },
                  { lastName: { contains: search, mode: 'insensitive' as const } },
                  { email: { contains: search, mode: 'insensitive' as const } },
                  { phone: { contains: search } },
                ],
              }
            : {}),
          ...afterCursor('createdAt', cursor),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toContact), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/contacts/:id',
    {
      config: { permission: 'contacts.read' },
      schema: { tags: ['contacts'], params: IdParamsSchema, response: { 200: ContactSchema, ...errorResponses } },
    },
    async (request) => {
      const row = await request.tenantDb.contact.findUnique({ where: { id: request.params.id } });
      if (!row) throw notFound('contact');
      return toContact(row);
    },
  );
};
