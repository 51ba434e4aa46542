import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { toJson } from '../../prisma/json';
import { parseApiKey, secretMatches } from '../api-keys';
import { verifyAccessToken } from '../auth/tokens';
import { AppError } from '../errors';
import { expandPermissions, isBuiltInRole, type Permission, ROLE_PERMISSIONS } from '../permissions';
import { commonErrorResponses } from '../schemas';
import { type TenantDb, tenantDbFor } from '../tenant-scope';

export interface Principal {
  kind: 'user' | 'api_key';
  tenantId: string;
  userId?: string;
  sessionId?: string;
  apiKeyId?: string;
  role?: string;
  permissions: ReadonlySet<Permission>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a /v1 route needs. Every /v1 route declares one, or says it is public. */
    permission?: Permission;
    public?: boolean;
    /** For a signed-in user acting on their own account (sessions, password, 2FA): no tenant permission. */
    self?: boolean;
    /** The route handles Idempotency-Key itself (the generic replay is skipped). */
    ownIdempotency?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The tenant-scoped client. Only set on authenticated routes. */
    tenantDb: TenantDb;
    /** Records a sensitive action in the tenant's audit log, attributed to the principal. */
    audit(
      action: string,
      entry?: { targetType?: string; targetId?: string; details?: unknown; tenantId?: string },
    ): Promise<void>;
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    jwtSecret: string;
    /** Every /v1 route with its access rule. */
    routeAccess: RouteAccess[];
  }
}

const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * Verified API keys are remembered briefly so a busy integration does not cost a database read per
 * request. Revoking a key clears it here at once; other API instances notice within this TTL.
 */
const KEY_CACHE_TTL_MS = 10_000;
const keyCache = new Map<string, { principal: Principal; keyId: string; until: number }>();

export function forgetApiKey(keyId: string): void {
  for (const [token, entry] of keyCache) if (entry.keyId === keyId) keyCache.delete(token);
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

/** The permissions a member's role grants (built-in, or a tenant's custom role). */
export async function rolePermissions(
  app: FastifyInstance,
  tenantId: string,
  role: string,
): Promise<ReadonlySet<Permission>> {
  if (isBuiltInRole(role)) return new Set(ROLE_PERMISSIONS[role]);
  if (role.startsWith('custom:')) {
    const custom = await app.db.customRole.findFirst({ where: { id: role.slice('custom:'.length), tenantId } });
    if (custom) return expandPermissions(custom.permissions);
  }
  return new Set();
}

async function apiKeyPrincipal(app: FastifyInstance, request: FastifyRequest, token: string): Promise<Principal> {
  const cached = keyCache.get(token);
  if (cached && cached.until > Date.now()) return cached.principal;
  const parsed = parseApiKey(token);
  if (!parsed) throw new AppError(401, 'unauthorized', 'malformed API key');
  const key = await app.db.apiKey.findUnique({ where: { prefix: parsed.prefix } });
  if (!key || key.revokedAt || !secretMatches(parsed.secret, key.hash)) {
    throw new AppError(401, 'unauthorized', 'invalid or revoked API key');
  }
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now())
    throw new AppError(401, 'unauthorized', 'the API key has expired');
  const now = Date.now();
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Best effort and coarse, so authentication never waits on a write per request.
    app.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } }).catch((err: unknown) => {
      request.log.warn({ err }, 'could not record API key use');
    });
  }
  const principal: Principal = {
    kind: 'api_key',
    tenantId: key.tenantId,
    apiKeyId: key.id,
    permissions: expandPermissions(key.scopes),
  };
  const until = Math.min(now + KEY_CACHE_TTL_MS, key.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(token, { principal, keyId: key.id, until });
  return principal;
}

async function userPrincipal(app: FastifyInstance, token: string): Promise<Principal> {
  const claims = verifyAccessToken(app.jwtSecret, token);
  if (!claims) throw new AppError(401, 'unauthorized', 'invalid or expired access token: refresh it or sign in again');
  const [membership, session] = await Promise.all([
    app.db.membership.findUnique({ where: { tenantId_userId: { tenantId: claims.tid, userId: claims.sub } } }),
    app.db.session.findUnique({ where: { id: claims.sid } }),
  ]);
  // A revoked session (logout, "sign out everywhere", reuse detected) ends its access tokens too.
  if (!session || session.revokedAt || session.userId !== claims.sub)
    throw new AppError(401, 'unauthorized', 'the session has ended');
  if (!membership) throw new AppError(401, 'unauthorized', 'you are no longer a member of this tenant');
  return {
    kind: 'user',
    tenantId: claims.tid,
    userId: claims.sub,
    sessionId: claims.sid,
    role: membership.role,
    permissions: await rolePermissions(app, claims.tid, membership.role),
  };
}

/**
 * Authentication (API keys `sbk_…` or user access tokens), authorization (the route's declared
 * permission against the principal's), and the audit log. Every data access after that goes through
 * `request.tenantDb`, scoped to the principal's tenant.
 */
export const authPlugin = fp<{ jwtSecret: string }>(
  async (app, { jwtSecret }) => {
    app.decorate('jwtSecret', jwtSecret);
    app.decorateRequest('principal', null);
    app.decorateRequest('tenantDb', null as unknown as TenantDb);
    app.decorateRequest('audit', async function audit(this: FastifyRequest, action, entry = {}) {
      const p = this.principal;
      const tenantId = entry.tenantId ?? p?.tenantId;
      if (!tenantId) return;
      await app.db.auditLog.create({
        data: {
          tenantId,
          actorType: p?.kind ?? 'system',
          actorId: p?.userId ?? p?.apiKeyId ?? null,
          action,
          targetType: entry.targetType ?? null,
          targetId: entry.targetId ?? null,
          ip: this.ip,
          details: toJson(entry.details ?? {}),
        },
      });
    });

    app.decorate('authenticate', async (request: FastifyRequest) => {
      if (request.routeOptions.config.public) return;
      const token = bearer(request);
      if (!token)
        throw new AppError(
          401,
          'unauthorized',
          'missing credentials: send "Authorization: Bearer <API key or access token>"',
        );
      const principal = token.startsWith('sbk_')
        ? await apiKeyPrincipal(app, request, token)
        : await userPrincipal(app, token);
      request.principal = principal;
      request.tenantDb = tenantDbFor(app.db, principal.tenantId);
    });

    app.decorate('authorize', async (request: FastifyRequest) => {
      const { permission, public: isPublic, self } = request.routeOptions.config;
      if (isPublic) return;
      const principal = requirePrincipal(request);
      if (self) {
        if (principal.kind !== 'user')
          throw new AppError(403, 'forbidden', 'this is for signed-in users, not API keys');
        return;
      }
      if (!permission || !principal.permissions.has(permission)) {
        throw new AppError(403, 'forbidden', `this needs the "${permission ?? 'unknown'}" permission`);
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(401, 'unauthorized', 'authentication required');
  return request.principal;
}

export interface RouteAccess {
  method: string;
  url: string;
  permission?: string;
  public?: boolean;
  self?: boolean;
}

/**
 * Refuses, at start-up, a /v1 route that declares neither a permission nor that it is public, and
 * records every route's access rule (tests walk them all: the role matrix and tenant isolation).
 */
export function requireDeclaredPermissions(app: FastifyInstance, registry: RouteAccess[]): void {
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { permission?: string; public?: boolean; self?: boolean };
    if (route.method === 'HEAD') return;
    if (!config.public && !config.self && !config.permission) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
    }
    for (const method of [route.method].flat()) {
      registry.push({ method: String(method), url: route.url, ...config });
    }
    if (route.schema) {
      const declared = (route.schema.response ?? {}) as Record<string, unknown>;
      route.schema.response = { ...commonErrorResponses, ...declared };
    }
  });
}
