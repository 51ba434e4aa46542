import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { parseApiKey, secretMatches } from '../api-keys';
import { AppError } from '../errors';
import { forTenant, type TenantDb } from '../tenant-scope';

export interface Principal {
  kind: 'api_key';
  tenantId: string;
  apiKeyId: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The tenant-scoped client. Only set on authenticated routes. */
    tenantDb: TenantDb;
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

const LAST_USED_RESOLUTION_MS = 60_000;

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

/**
 * API-key authentication. A valid key makes the request a tenant principal; every data access
 * after that goes through `request.tenantDb`, scoped to the key's tenant.
 */
export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('tenantDb', null as unknown as TenantDb);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearer(request);
      if (!token) throw new AppError(401, 'unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
      const parsed = parseApiKey(token);
      if (!parsed) throw new AppError(401, 'unauthorized', 'malformed API key');
      const key = await app.db.apiKey.findUnique({ where: { prefix: parsed.prefix } });
      if (!key || key.revokedAt || !secretMatches(parsed.secret, key.hash)) {
        throw new AppError(401, 'unauthorized', 'invalid or revoked API key');
      }
      const now = Date.now();
      if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        // Best effort and coarse, so authentication never waits on a write per request.
        app.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } }).catch((err: unknown) => {
          request.log.warn({ err }, 'could not record API key use');
        });
      }
      request.principal = { kind: 'api_key', tenantId: key.tenantId, apiKeyId: key.id, scopes: key.scopes };
      request.tenantDb = forTenant(app.db, key.tenantId);
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(401, 'unauthorized', 'authentication required');
  return request.principal;
}
