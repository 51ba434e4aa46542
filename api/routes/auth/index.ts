import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hashPassword, passwordProblems, verifyPassword } from '../../auth/passwords';
import { hashOpaque, newOpaqueToken, REFRESH_TOKEN_TTL_DAYS, signAccessToken } from '../../auth/tokens';
import { hashBackupCode, newBackupCodes, newTotpSecret, otpauthUrl, verifyTotp } from '../../auth/totp';
import { AppError, notFound } from '../../errors';
import { startOnboarding } from '../../onboarding/steps-from-api';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';

const EmailSchema = z.string().trim().toLowerCase().pipe(z.string().email('a valid email address').max(254));

const TokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), twoFactor: z.boolean() }),
    tenant: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
    role: z.string(),
  })
  .meta({
    id: 'Tokens',
    examples: [
      {
        accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIzZjFjIn0.c2lnbmF0dXJl',
        refreshToken: 'rt_8f3b2c1d9e4a4b6c8d0e2f4a6b8c0d1e',
        expiresIn: 900,
        user: {
          id: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          twoFactor: false,
        },
        tenant: { id: 'd0e1f2a3-b4c5-4d6e-9f7a-8b9c0d1e2f3a', name: 'Acme Dental', slug: 'acme-dental' },
        role: 'owner',
      },
    ],
  });

const LOCK_AFTER_FAILURES = 10;
const LOCK_MINUTES = 15;
const authRateLimit = { max: 10, timeWindow: '1 minute' };

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'tenant'
  );
}

/** Opens a session (a refresh-token family member) and issues both tokens. */
export async function issueTokens(
  app: FastifyInstance,
  request: FastifyRequest,
  input: { userId: string; tenantId: string; familyId?: string },
) {
  const refresh = newOpaqueToken();
  const session = await app.db.session.create({
    data: {
      tenantId: input.tenantId,
      userId: input.userId,
      familyId: input.familyId ?? randomUUID(),
      refreshHash: refresh.hash,
      userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
      ip: request.ip,
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    },
  });
  const [user, tenant, membership] = await Promise.all([
    app.db.user.findUniqueOrThrow({ where: { id: input.userId } }),
    app.db.tenant.findUniqueOrThrow({ where: { id: input.tenantId } }),
    app.db.membership.findUniqueOrThrow({
      where: { tenantId_userId: { tenantId: input.tenantId, userId: input.userId } },
    }),
  ]);
  return {
    accessToken: signAccessToken(app.jwtSecret, { sub: user.id, tid: tenant.id, sid: session.id }),
    refreshToken: refresh.token,
    expiresIn: 15 * 60,
    user: { id: user.id, email: user.email, name: user.name, twoFactor: user.totpEnabledAt !== null },
    tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug },
    role: membership.role,
  };
}

function policyError(problems: string[]) {
  return new AppError(400, 'weak_password', `the password is too weak: ${problems.join('; ')}`, { problems });
}

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/auth/signup',
    {
      config: { public: true, rateLimit: { max: 5, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Create a tenant and its owner',
        security: [],
        body: z
          .object({
            tenantName: z.string().trim().min(1).max(100),
            name: z.string().trim().min(1).max(100),
            email: EmailSchema,
            password: z.string().max(200),
          })
          .meta({
            examples: [
              {
                tenantName: 'Acme Clinics',
                name: 'Ada Lovelace',
                email: 'ada@acme.test',
                password: 'a long passphrase 42',
              },
            ],
          }),
        response: { 201: TokensSchema, 409: ErrorBodySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantName, name, email, password } = request.body;
      const problems = passwordProblems(password, email);
      if (problems.length) throw policyError(problems);
      if (await app.db.user.findUnique({ where: { email } })) {
        throw new AppError(409, 'email_taken', 'an account with this email exists: sign in, or ask to be invited');
      }
      const passwordHash = await hashPassword(password);
      const base = slugify(tenantName);
      const { tenant, user } = await app.db.$transaction(async (tx) => {
        let slug = base;
        for (let i = 2; await tx.tenant.findUnique({ where: { slug } }); i++) slug = `${base}-${i}`;
        const tenant = await tx.tenant.create({ data: { name: tenantName, slug } });
        const user = await tx.user.create({ data: { email, name, passwordHash } });
        await tx.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: 'owner' } });
        return { tenant, user };
      });
      await request.audit('tenant.created', { tenantId: tenant.id, targetType: 'user', targetId: user.id });
      // The setup checklist starts with the tenant; signing up never fails on it.
      await startOnboarding(app, tenant.id).catch((err) => request.log.warn({ err }, 'onboarding not started'));
      return reply.status(201).send(await issueTokens(app, request, { userId: user.id, tenantId: tenant.id }));
    },
  );

  app.post(
    '/auth/login',
    {
      config: { public: true, rateLimit: authRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (and a TOTP or backup code when two-factor is on)',
        security: [],
        body: z
          .object({
            email: EmailSchema,
            password: z.string().max(200),
            tenantId: z.string().uuid().optional(),
            totpCode: z.string().max(10).optional(),
            backupCode: z.string().max(20).optional(),
          })
          .meta({ examples: [{ email: 'ada@example.com', password: 'correct horse battery staple' }] }),
        response: { 200: TokensSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { email, password, tenantId, totpCode, backupCode } = request.body;
      const invalid = new AppError(401, 'invalid_credentials', 'the email or password is wrong');
      const user = await app.db.user.findUnique({ where: { email }, include: { memberships: true } });
      if (!user) {
        await hashPassword(password); // same work either way: no timing hint that the email is unknown
        throw invalid;
      }
      if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
        throw new AppError(429, 'account_locked', 'too many failed sign-ins: try again later');
      }
      const membership = tenantId ? user.memberships.find((m) => m.tenantId === tenantId) : user.memberships[0];
      if (!(await verifyPassword(user.passwordHash, password)) || !membership) {
        const failures = user.failedLogins + 1;
        await app.db.user.update({
          where: { id: user.id },
          data: {
            failedLogins: failures,
            ...(failures >= LOCK_AFTER_FAILURES
              ? { lockedUntil: new Date(Date.now() + LOCK_MINUTES * 60_000), failedLogins: 0 }
              : {}),
          },
        });
        if (membership)
          await request.audit('login.failed', { tenantId: membership.tenantId, targetType: 'user', targetId: user.id });
        throw invalid;
      }
      if (user.totpEnabledAt) {
        if (!totpCode && !backupCode)
          throw new AppError(401, 'totp_required', 'enter the code from your authenticator app');
        let ok = false;
        if (totpCode && user.totpSecret) ok = verifyTotp(app.secrets.open(user.totpSecret), totpCode);
        if (!ok && backupCode) {
          const hash = hashBackupCode(backupCode);
          if (user.backupCodes.includes(hash)) {
            ok = true;
            await app.db.user.update({
              where: { id: user.id },
              data: { backupCodes: user.backupCodes.filter((h) => h !== hash) },
            });
          }
        }
        if (!ok) throw new AppError(401, 'invalid_totp', 'the code is wrong or expired');
      }
      await app.db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
      const tokens = await issueTokens(app, request, { userId: user.id, tenantId: membership.tenantId });
      await request.audit('login', { tenantId: membership.tenantId, targetType: 'user', targetId: user.id });
      return tokens;
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for new tokens (the old refresh token stops working)',
        description: 'Presenting a refresh token that was already used ends every session of its family (token theft).',
        security: [],
        body: z
          .object({ refreshToken: z.string().min(10).max(200) })
          .meta({ examples: [{ refreshToken: 'rt_8f3b2c1d9e4a4b6c8d0e2f4a6b8c0d1e' }] }),
        response: { 200: TokensSchema, ...errorResponses },
      },
    },
    async (request) => {
      const session = await app.db.session.findUnique({
        where: { refreshHash: hashOpaque(request.body.refreshToken) },
      });
      if (!session || session.expiresAt.getTime() <= Date.now())
        throw new AppError(401, 'invalid_refresh_token', 'sign in again');
      if (session.rotatedAt || session.revokedAt) {
        // A used token came back: someone has a copy. End the whole family.
        await app.db.session.updateMany({
          where: { familyId: session.familyId, revokedAt: null },
          data: { revokedAt: new Date() },
        });
        await request.audit('session.reuse_detected', {
          tenantId: session.tenantId,
          targetType: 'session',
          targetId: session.id,
        });
        throw new AppError(
          401,
          'refresh_token_reused',
          'this refresh token was already used: every session of it has been signed out',
        );
      }
      const { count } = await app.db.session.updateMany({
        where: { id: session.id, rotatedAt: null, revokedAt: null },
        data: { rotatedAt: new Date(), lastUsedAt: new Date() },
      });
      if (count === 0) throw new AppError(401, 'refresh_token_reused', 'this refresh token was already used');
      return issueTokens(app, request, {
        userId: session.userId,
        tenantId: session.tenantId,
        familyId: session.familyId,
      });
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { self: true },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      const { sessionId } = requirePrincipal(request);
      const session = await app.db.session.findUnique({ where: { id: sessionId ?? '' } });
      if (session) {
        await app.db.session.updateMany({
          where: { familyId: session.familyId, revokedAt: null },
          data: { revokedAt: new Date() },
        });
      }
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { self: true },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, tenant, role and permissions',
        response: {
          200: z.object({
            user: z.object({ id: z.string(), email: z.string(), name: z.string(), twoFactor: z.boolean() }),
            tenantId: z.string(),
            role: z.string(),
            permissions: z.array(z.string()),
            tenants: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const user = await app.db.user.findUniqueOrThrow({
        where: { id: p.userId ?? '' },
        include: { memberships: { include: { tenant: true } } },
      });
      return {
        user: { id: user.id, email: user.email, name: user.name, twoFactor: user.totpEnabledAt !== null },
        tenantId: p.tenantId,
        role: p.role ?? '',
        permissions: [...p.permissions].sort(),
        tenants: user.memberships.map((m) => ({ id: m.tenantId, name: m.tenant.name, role: m.role })),
      };
    },
  );

  const SessionSchema = z.object({
    id: z.string(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    createdAt: z.date(),
    lastUsedAt: z.date(),
    current: z.boolean(),
  });

  app.get(
    '/auth/sessions',
    {
      config: { self: true },
      schema: {
        tags: ['auth'],
        summary: 'Your signed-in sessions',
        response: { 200: z.object({ items: z.array(SessionSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await app.db.session.findMany({
        where: {
          userId: p.userId ?? '',
          tenantId: p.tenantId,
          revokedAt: null,
          rotatedAt: null,
          expiresAt: { gt: new Date() },
        },
        orderBy: { lastUsedAt: 'desc' },
      });
      const current = await app.db.session.findUnique({ where: { id: p.sessionId ?? '' } });
      return {
        items: rows.map((s) => ({
          id: s.id,
          userAgent: s.userAgent,
          ip: s.ip,
          createdAt: s.createdAt,
          lastUsedAt: s.lastUsedAt,
          current: s.familyId === current?.familyId,
        })),
      };
    },
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: { self: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign a session out',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const session = await app.db.session.findFirst({
        where: { id: request.params.id, userId: p.userId ?? '', tenantId: p.tenantId },
      });
      if (!session) throw notFound('session');
      await app.db.session.updateMany({
        where: { familyId: session.familyId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await request.audit('session.revoked', { targetType: 'session', targetId: session.id });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { self: true, rateLimit: authRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Change your password (signs out your other sessions)',
        body: z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) }).meta({
          examples: [{ currentPassword: 'correct horse battery staple', newPassword: 'plum tractor ocean violin' }],
        }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const user = await app.db.user.findUniqueOrThrow({ where: { id: p.userId ?? '' } });
      if (!(await verifyPassword(user.passwordHash, request.body.currentPassword))) {
        throw new AppError(401, 'invalid_credentials', 'the current password is wrong');
      }
      const problems = passwordProblems(request.body.newPassword, user.email);
      if (problems.length) throw policyError(problems);
      await app.db.user.update({
        where: { id: user.id },
        data: { passwordHash: await hashPassword(request.body.newPassword) },
      });
      const current = await app.db.session.findUnique({ where: { id: p.sessionId ?? '' } });
      await app.db.session.updateMany({
        where: { userId: user.id, revokedAt: null, ...(current ? { familyId: { not: current.familyId } } : {}) },
        data: { revokedAt: new Date() },
      });
      await request.audit('password.changed', { targetType: 'user', targetId: user.id });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/2fa/setup',
    {
      config: { self: true },
      schema: {
        tags: ['auth'],
        summary: 'Start two-factor setup: a secret for your authenticator app',
        response: {
          200: z.object({ secret: z.string(), otpauthUrl: z.string() }).meta({
            examples: [
              {
                secret: 'JBSWY3DPEHPK3PXP',
                otpauthUrl: 'otpauth://totp/Switchboard:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Switchboard',
              },
            ],
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const user = await app.db.user.findUniqueOrThrow({ where: { id: p.userId ?? '' } });
      if (user.totpEnabledAt)
        throw new AppError(409, 'two_factor_enabled', 'two-factor is already on: disable it first');
      const secret = newTotpSecret();
      await app.db.user.update({ where: { id: user.id }, data: { totpSecret: app.secrets.seal(secret) } });
      return { secret, otpauthUrl: otpauthUrl(secret, user.email) };
    },
  );

  app.post(
    '/auth/2fa/enable',
    {
      config: { self: true, rateLimit: authRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor on with a code from the app; returns backup codes once',
        body: z.object({ code: z.string().max(10) }).meta({ examples: [{ code: '492039' }] }),
        response: {
          200: z
            .object({ backupCodes: z.array(z.string()) })
            .meta({ examples: [{ backupCodes: ['4f7k-2m9q', 'h3x8-p1zr', 'c6w2-n8vd'] }] }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const user = await app.db.user.findUniqueOrThrow({ where: { id: p.userId ?? '' } });
      if (!user.totpSecret) throw new AppError(409, 'two_factor_not_set_up', 'call /auth/2fa/setup first');
      if (!verifyTotp(app.secrets.open(user.totpSecret), request.body.code))
        throw new AppError(400, 'invalid_totp', 'the code is wrong or expired');
      const backup = newBackupCodes();
      await app.db.user.update({
        where: { id: user.id },
        data: { totpEnabledAt: new Date(), backupCodes: backup.hashes },
      });
      await request.audit('two_factor.enabled', { targetType: 'user', targetId: user.id });
      return { backupCodes: backup.codes };
    },
  );

  app.post(
    '/auth/2fa/disable',
    {
      config: { self: true, rateLimit: authRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor off (needs your password and a current code)',
        body: z
          .object({ password: z.string().max(200), code: z.string().max(10) })
          .meta({ examples: [{ password: 'correct horse battery staple', code: '492039' }] }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const user = await app.db.user.findUniqueOrThrow({ where: { id: p.userId ?? '' } });
      if (!user.totpEnabledAt || !user.totpSecret) throw new AppError(409, 'two_factor_off', 'two-factor is not on');
      const ok =
        (await verifyPassword(user.passwordHash, request.body.password)) &&
        verifyTotp(app.secrets.open(user.totpSecret), request.body.code);
      if (!ok) throw new AppError(401, 'invalid_credentials', 'the password or code is wrong');
      await app.db.user.update({
        where: { id: user.id },
        data: { totpEnabledAt: null, totpSecret: null, backupCodes: [] },
      });
      await request.audit('two_factor.disabled', { targetType: 'user', targetId: user.id });
      return reply.status(204).send(null);
    },
  );
};
