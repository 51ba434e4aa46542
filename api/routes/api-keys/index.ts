import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { generateApiKey } from '../../api-keys';
import { AppError, notFound } from '../../errors';
import { PERMISSIONS } from '../../permissions';
import { forgetApiKey, requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.date().nullable(),
    lastUsedAt: z.date().nullable(),
    revokedAt: z.date().nullable(),
    createdAt: z.date(),
  })
  .meta({
    id: 'ApiKey',
    examples: [
      {
        id: 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b',
        name: 'CRM sync',
        prefix: 'sbk_3f9a',
        scopes: ['contacts.read', 'contacts.write'],
        expiresAt: null,
        lastUsedAt: '2026-11-20T09:30:00.000Z',
        revokedAt: null,
        createdAt: '2026-11-02T14:05:00.000Z',
      },
    ],
  });

const pick = (k: z.infer<typeof ApiKeySchema> & Record<string, unknown>) => ApiKeySchema.parse(k);

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api-keys',
    {
      config: { permission: 'api_keys.read' },
      schema: {
        tags: ['api keys'],
        summary: "The tenant's API keys (never their secrets)",
        response: { 200: z.object({ items: z.array(ApiKeySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
      return { items: rows.map(pick) };
    },
  );

  app.post(
    '/api-keys',
    {
      config: { permission: 'api_keys.write' },
      schema: {
        tags: ['api keys'],
        summary: 'Create a scoped API key (the secret is shown once)',
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            scopes: z.array(z.union([z.enum(PERMISSIONS), z.literal('*')])).min(1),
            expiresAt: z.coerce.date().optional(),
          })
          .meta({ examples: [{ name: 'CRM sync', scopes: ['contacts.read', 'contacts.write'] }] }),
        response: { 201: ApiKeySchema.extend({ token: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const wanted = request.body.scopes.includes('*') ? [...PERMISSIONS] : request.body.scopes;
      const beyond = wanted.filter((s) => !p.permissions.has(s as (typeof PERMISSIONS)[number]));
      if (beyond.length)
        throw new AppError(403, 'forbidden', 'a key cannot have permissions you do not hold', { scopes: beyond });
      if (request.body.expiresAt && request.body.expiresAt.getTime() <= Date.now()) {
        throw new AppError(400, 'invalid_expiry', 'expiresAt must be in the future');
      }
      const key = generateApiKey();
      const row = await request.tenantDb.apiKey.create({
        data: {
          tenantId: p.tenantId,
          name: request.body.name,
          prefix: key.prefix,
          hash: key.hash,
          scopes: request.body.scopes.includes('*') ? ['*'] : [...new Set(request.body.scopes)],
          createdById: p.userId ?? null,
          expiresAt: request.body.expiresAt ?? null,
        },
      });
      await request.audit('api_key.created', {
        targetType: 'api_key',
        targetId: row.id,
        details: { name: row.name, scopes: row.scopes },
      });
      return reply.status(201).send({ ...pick(row), token: key.token });
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      config: { permission: 'api_keys.write' },
      schema: {
        tags: ['api keys'],
        summary: 'Revoke a key',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { count } = await request.tenantDb.apiKey.updateMany({
        where: { id: request.params.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (count === 0) throw notFound('API key');
      forgetApiKey(request.params.id);
      await request.audit('api_key.revoked', { targetType: 'api_key', targetId: request.params.id });
      return reply.status(204).send(null);
    },
  );
};
