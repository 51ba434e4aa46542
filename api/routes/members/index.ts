import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hashPassword, passwordProblems, verifyPassword } from '../../auth/passwords';
import { hashOpaque, newOpaqueToken } from '../../auth/tokens';
import { AppError, conflict, notFound } from '../../errors';
import { BUILT_IN_ROLES, isBuiltInRole, PERMISSIONS, ROLE_PERMISSIONS } from '../../permissions';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import type { TenantDb } from '../../tenant-scope';
import { issueTokens } from '../auth';

const INVITATION_DAYS = 7;
const RoleNameSchema = z.string().min(1).max(80);

const MemberSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    createdAt: z.date(),
  })
  .meta({ id: 'Member' });
const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.string(),
    expiresAt: z.date(),
    acceptedAt: z.date().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'Invitation' });
const RoleSchema = z
  .object({ id: z.string(), name: z.string(), builtIn: z.boolean(), permissions: z.array(z.string()) })
  .meta({ id: 'Role' });

/** A role name the tenant can assign: built-in, or `custom:<id>` of one of its custom roles. */
async function assertRole(db: TenantDb, role: string) {
  if (isBuiltInRole(role)) return;
  if (role.startsWith('custom:') && (await db.customRole.findFirst({ where: { id: role.slice(7) } }))) return;
  throw new AppError(400, 'unknown_role', `"${role}" is not a role of this tenant`, { builtIn: BUILT_IN_ROLES });
}

/** Only an owner may make or unmake owners. */
function assertMayGrant(actorRole: string | undefined, from: string | null, to: string) {
  if ((to === 'owner' || from === 'owner') && actorRole !== 'owner') {
    throw new AppError(403, 'forbidden', 'only an owner can grant or remove the owner role');
  }
}

export const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/members',
    {
      config: { permission: 'members.read' },
      schema: { tags: ['members'], response: { 200: z.object({ items: z.array(MemberSchema) }), ...errorResponses } },
    },
    async (request) => {
      const rows = await request.tenantDb.membership.findMany({
        include: { user: true },
        orderBy: { createdAt: 'asc' },
      });
      return {
        items: rows.map((m) => ({
          id: m.id,
          userId: m.userId,
          email: m.user.email,
          name: m.user.name,
          role: m.role,
          createdAt: m.createdAt,
        })),
      };
    },
  );

  app.patch(
    '/members/:id',
    {
      config: { permission: 'members.write' },
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        params: IdParamsSchema,
        body: z.object({ role: RoleNameSchema }),
        response: { 200: MemberSchema, ...errorResponses },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const p = requirePrincipal(request);
      const member = await db.membership.findUnique({ where: { id: request.params.id }, include: { user: true } });
      if (!member) throw notFound('member');
      await assertRole(db, request.body.role);
      assertMayGrant(p.role, member.role, request.body.role);
      if (
        member.role === 'owner' &&
        request.body.role !== 'owner' &&
        (await db.membership.count({ where: { role: 'owner' } })) <= 1
      ) {
        throw conflict('last_owner', 'a tenant keeps at least one owner');
      }
      const updated = await db.membership.update({ where: { id: member.id }, data: { role: request.body.role } });
      await request.audit('member.role_changed', {
        targetType: 'user',
        targetId: member.userId,
        details: { from: member.role, to: updated.role },
      });
      return {
        id: updated.id,
        userId: member.userId,
        email: member.user.email,
        name: member.user.name,
        role: updated.role,
        createdAt: updated.createdAt,
      };
    },
  );

  app.delete(
    '/members/:id',
    {
      config: { permission: 'members.write' },
      schema: { tags: ['members'], params: IdParamsSchema, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      const db = request.tenantDb;
      const member = await db.membership.findUnique({ where: { id: request.params.id } });
      if (!member) throw notFound('member');
      assertMayGrant(requirePrincipal(request).role, member.role, 'none');
      if (member.role === 'owner' && (await db.membership.count({ where: { role: 'owner' } })) <= 1) {
        throw conflict('last_owner', 'a tenant keeps at least one owner');
      }
      await db.membership.delete({ where: { id: member.id } });
      await app.db.session.updateMany({
        where: { userId: member.userId, tenantId: member.tenantId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await request.audit('member.removed', { targetType: 'user', targetId: member.userId });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invitations',
    {
      config: { permission: 'members.write' },
      schema: {
        tags: ['members'],
        summary: 'Invite someone by email (the link expires in 7 days)',
        body: z.object({
          email: z.string().trim().toLowerCase().pipe(z.string().email().max(254)),
          role: RoleNameSchema,
        }),
        response: { 201: InvitationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const db = request.tenantDb;
      const p = requirePrincipal(request);
      await assertRole(db, request.body.role);
      assertMayGrant(p.role, null, request.body.role);
      const tenant = await db.tenant.findFirstOrThrow({});
      const existing = await app.db.user.findUnique({
        where: { email: request.body.email },
        include: { memberships: true },
      });
      if (existing?.memberships.some((m) => m.tenantId === p.tenantId))
        throw conflict('already_member', 'that person is already a member');
      const token = newOpaqueToken();
      const invitation = await db.invitation.create({
        data: {
          tenantId: p.tenantId,
          email: request.body.email,
          role: request.body.role,
          tokenHash: token.hash,
          invitedById: p.userId ?? null,
          expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
        },
      });
      await app.mailer.send({
        to: invitation.email,
        subject: `You're invited to ${tenant.name} on Switchboard`,
        text: `You have been invited to join ${tenant.name} as ${invitation.role}.\n\nAccept within ${INVITATION_DAYS} days with this token: ${token.token}\n(POST /v1/invitations/accept)`,
      });
      await request.audit('member.invited', {
        targetType: 'invitation',
        targetId: invitation.id,
        details: { email: invitation.email, role: invitation.role },
      });
      const { id, email, role, expiresAt, acceptedAt, createdAt } = invitation;
      return reply.status(201).send({ id, email, role, expiresAt, acceptedAt, createdAt });
    },
  );

  app.get(
    '/invitations',
    {
      config: { permission: 'members.read' },
      schema: {
        tags: ['members'],
        response: { 200: z.object({ items: z.array(InvitationSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.invitation.findMany({
        where: { revokedAt: null },
        orderBy: { createdAt: 'desc' },
      });
      return {
        items: rows.map(({ id, email, role, expiresAt, acceptedAt, createdAt }) => ({
          id,
          email,
          role,
          expiresAt,
          acceptedAt,
          createdAt,
        })),
      };
    },
  );

  app.delete(
    '/invitations/:id',
    {
      config: { permission: 'members.write' },
      schema: { tags: ['members'], params: IdParamsSchema, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      const { count } = await request.tenantDb.invitation.updateMany({
        where: { id: request.params.id, acceptedAt: null },
        data: { revokedAt: new Date() },
      });
      if (count === 0) throw notFound('invitation');
      await request.audit('invitation.revoked', { targetType: 'invitation', targetId: request.params.id });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invitations/accept',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['members'],
        summary: 'Accept an invitation: join the tenant (creating your account, or with your existing password)',
        security: [],
        body: z.object({
          token: z.string().min(10).max(200),
          name: z.string().trim().min(1).max(100).optional(),
          password: z.string().max(200),
        }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request) => {
      const invitation = await app.db.invitation.findUnique({ where: { tokenHash: hashOpaque(request.body.token) } });
      if (!invitation || invitation.revokedAt || invitation.acceptedAt || invitation.expiresAt.getTime() < Date.now()) {
        throw new AppError(400, 'invalid_invitation', 'this invitation is unknown, used, revoked or expired');
      }
      let user = await app.db.user.findUnique({ where: { email: invitation.email } });
      if (user) {
        if (!(await verifyPassword(user.passwordHash, request.body.password)))
          throw new AppError(401, 'invalid_credentials', 'the password is wrong');
      } else {
        const problems = passwordProblems(request.body.password, invitation.email);
        if (problems.length)
          throw new AppError(400, 'weak_password', `the password is too weak: ${problems.join('; ')}`, { problems });
        user = await app.db.user.create({
          data: {
            email: invitation.email,
            name: request.body.name ?? invitation.email,
            passwordHash: await hashPassword(request.body.password),
          },
        });
      }
      const userId = user.id;
      await app.db.$transaction(async (tx) => {
        const claimed = await tx.invitation.updateMany({
          where: { id: invitation.id, acceptedAt: null },
          data: { acceptedAt: new Date() },
        });
        if (claimed.count === 0) throw new AppError(400, 'invalid_invitation', 'this invitation was just used');
        await tx.membership.upsert({
          where: { tenantId_userId: { tenantId: invitation.tenantId, userId } },
          create: { tenantId: invitation.tenantId, userId, role: invitation.role },
          update: {},
        });
      });
      await request.audit('member.joined', { tenantId: invitation.tenantId, targetType: 'user', targetId: userId });
      return issueTokens(app, request, { userId, tenantId: invitation.tenantId });
    },
  );

  app.get(
    '/roles',
    {
      config: { permission: 'members.read' },
      schema: {
        tags: ['members'],
        summary: 'Built-in and custom roles with their permissions',
        response: {
          200: z.object({ items: z.array(RoleSchema), permissions: z.array(z.string()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const custom = await request.tenantDb.customRole.findMany({ orderBy: { name: 'asc' } });
      return {
        items: [
          ...BUILT_IN_ROLES.map((r) => ({ id: r, name: r, builtIn: true, permissions: [...ROLE_PERMISSIONS[r]] })),
          ...custom.map((c) => ({ id: `custom:${c.id}`, name: c.name, builtIn: false, permissions: c.permissions })),
        ],
        permissions: [...PERMISSIONS],
      };
    },
  );

  const CustomRoleBody = z.object({
    name: z.string().trim().min(1).max(60),
    permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
  });

  app.post(
    '/roles',
    {
      config: { permission: 'roles.write' },
      schema: {
        tags: ['members'],
        summary: 'Create a custom role from a permission list',
        body: CustomRoleBody,
        response: { 201: RoleSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const beyond = request.body.permissions.filter((perm) => !p.permissions.has(perm));
      if (beyond.length)
        throw new AppError(403, 'forbidden', 'a role cannot grant permissions you do not hold', {
          permissions: beyond,
        });
      if (await request.tenantDb.customRole.findFirst({ where: { name: request.body.name } }))
        throw conflict('role_exists', 'a role with that name exists');
      const role = await request.tenantDb.customRole.create({
        data: { tenantId: p.tenantId, name: request.body.name, permissions: [...new Set(request.body.permissions)] },
      });
      await request.audit('role.created', {
        targetType: 'role',
        targetId: role.id,
        details: { permissions: role.permissions },
      });
      return reply
        .status(201)
        .send({ id: `custom:${role.id}`, name: role.name, builtIn: false, permissions: role.permissions });
    },
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles.write' },
      schema: {
        tags: ['members'],
        params: IdParamsSchema,
        response: { 204: z.null(), 409: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const role = await request.tenantDb.customRole.findUnique({ where: { id: request.params.id } });
      if (!role) throw notFound('role');
      if (await request.tenantDb.membership.count({ where: { role: `custom:${role.id}` } }))
        throw conflict('role_in_use', 'members still have this role');
      await request.tenantDb.customRole.delete({ where: { id: role.id } });
      await request.audit('role.deleted', { targetType: 'role', targetId: role.id });
      return reply.status(204).send(null);
    },
  );
};
