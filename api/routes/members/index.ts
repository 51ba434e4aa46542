import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hashPassword, passwordProblems, verifyPassword } from '../../auth/passwords';
import { hashOpaque, newOpaqueToken } from '../../auth/tokens';
import { normalizePhone } from '../../contacts/normalize';
import { AppError, conflict, notFound } from '../../errors';
import { MailDeliveryError } from '../../mailer';
import { BUILT_IN_ROLES, isBuiltInRole, PERMISSIONS, ROLE_PERMISSIONS } from '../../permissions';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import type { TenantDb } from '../../tenant-scope';
import { issueTokens } from '../auth';

const INVITATION_DAYS = 7;

/** A failed invitation email as the client sees it: what happened, never the mail server's internals. */
function mailFailure(err: unknown): AppError {
  const notCreated = 'no invitation was created';
  if (err instanceof MailDeliveryError && err.kind === 'unconfigured')
    return new AppError(503, 'mail_not_configured', `${err.message}; ${notCreated}`);
  if (err instanceof MailDeliveryError && err.kind === 'permanent')
    return new AppError(502, 'mail_not_sent', `the invitation email was not sent: ${err.message}; ${notCreated}`, {
      retryable: false,
    });
  const reason = err instanceof MailDeliveryError ? err.message : 'the mail server failed';
  return new AppError(
    503,
    'mail_not_sent',
    `the invitation email was not sent: ${reason}; ${notCreated}, try again later`,
    { retryable: true },
  );
}
const RoleNameSchema = z.string().min(1).max(80);
const TeamNameSchema = z
  .string()
  .trim()
  .min(1, 'a team name cannot be empty')
  .max(80)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u, 'a team name is letters, digits, spaces, "_", "." and "-"');
const MemberPatchSchema = z
  .object({
    role: RoleNameSchema.optional(),
    teams: z.array(TeamNameSchema).max(50).optional(),
    notifyPhone: z.string().max(40).nullable().optional(),
  })
  .refine((b) => b.role !== undefined || b.teams !== undefined || b.notifyPhone !== undefined, {
    message: 'give at least one of role, teams or notifyPhone',
  })
  .meta({ examples: [{ role: 'agent' }, { teams: ['billing', 'vip'], notifyPhone: '+14155550123' }] });

const MemberSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    teams: z.array(z.string()),
    notifyPhone: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({
    id: 'Member',
    examples: [
      {
        id: 'f8a9b0c1-d2e3-4f4a-9b5c-6d7e8f9a0b1c',
        userId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        role: 'owner',
        teams: ['billing'],
        notifyPhone: '+14155550123',
        createdAt: '2026-11-02T14:05:00.000Z',
      },
    ],
  });
const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.string(),
    expiresAt: z.date(),
    acceptedAt: z.date().nullable(),
    createdAt: z.date(),
  })
  .meta({
    id: 'Invitation',
    examples: [
      {
        id: 'a1b2c3d4-e5f6-4a7b-8c9d-e0f1a2b3c4d5',
        email: 'grace@example.com',
        role: 'agent',
        expiresAt: '2026-11-27T09:30:00.000Z',
        acceptedAt: null,
        createdAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });
const RoleSchema = z
  .object({ id: z.string(), name: z.string(), builtIn: z.boolean(), permissions: z.array(z.string()) })
  .meta({
    id: 'Role',
    examples: [
      {
        id: 'b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e',
        name: 'Support lead',
        builtIn: false,
        permissions: ['contacts.read', 'conversations.read'],
      },
    ],
  });

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
      schema: {
        tags: ['members'],
        summary: "The tenant's members and their roles",
        response: { 200: z.object({ items: z.array(MemberSchema) }), ...errorResponses },
      },
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
          teams: m.teams,
          notifyPhone: m.notifyPhone,
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
        summary: "Change a member's role, teams or escalation phone",
        description:
          'Teams decide whose "team" inbox an escalation lands in and who a team target of an escalation ladder notifies; `notifyPhone` is where the SMS channel of a ladder reaches this member (null removes it).',
        params: IdParamsSchema,
        body: MemberPatchSchema,
        response: { 200: MemberSchema, ...errorResponses },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const p = requirePrincipal(request);
      const body = request.body;
      const member = await db.membership.findUnique({ where: { id: request.params.id }, include: { user: true } });
      if (!member) throw notFound('member');
      if (body.role !== undefined) {
        await assertRole(db, body.role);
        assertMayGrant(p.role, member.role, body.role);
        if (
          member.role === 'owner' &&
          body.role !== 'owner' &&
          (await db.membership.count({ where: { role: 'owner' } })) <= 1
        ) {
          throw conflict('last_owner', 'a tenant keeps at least one owner');
        }
      }
      let notifyPhone: string | null | undefined;
      if (body.notifyPhone !== undefined) {
        const phone = body.notifyPhone === null ? null : normalizePhone(body.notifyPhone);
        if (phone && !phone.ok) {
          throw new AppError(400, 'invalid_phone', `notifyPhone "${body.notifyPhone}" is ${phone.reason}`, {
            field: 'notifyPhone',
          });
        }
        notifyPhone = phone ? phone.e164 : null;
      }
      const teams = body.teams === undefined ? undefined : [...new Set(body.teams.map((t) => t.trim()))];
      const updated = await db.membership.update({
        where: { id: member.id },
        data: {
          ...(body.role !== undefined ? { role: body.role } : {}),
          ...(teams !== undefined ? { teams } : {}),
          ...(notifyPhone !== undefined ? { notifyPhone } : {}),
        },
      });
      if (body.role !== undefined && body.role !== member.role) {
        await request.audit('member.role_changed', {
          targetType: 'user',
          targetId: member.userId,
          details: { from: member.role, to: updated.role },
        });
      }
      if (teams !== undefined || notifyPhone !== undefined) {
        await request.audit('member.updated', {
          targetType: 'user',
          targetId: member.userId,
          details: {
            ...(teams !== undefined ? { teams: { from: member.teams, to: updated.teams } } : {}),
            ...(notifyPhone !== undefined ? { notifyPhone: updated.notifyPhone ? 'set' : 'removed' } : {}),
          },
        });
      }
      return {
        id: updated.id,
        userId: member.userId,
        email: member.user.email,
        name: member.user.name,
        role: updated.role,
        teams: updated.teams,
        notifyPhone: updated.notifyPhone,
        createdAt: updated.createdAt,
      };
    },
  );

  app.delete(
    '/members/:id',
    {
      config: { permission: 'members.write' },
      schema: {
        tags: ['members'],
        summary: 'Remove a member from the tenant',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
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
        body: z
          .object({
            email: z.string().trim().toLowerCase().pipe(z.string().email().max(254)),
            role: RoleNameSchema,
          })
          .meta({ 'x-examples': { invite: { value: { email: 'grace@example.com', role: 'agent' } } } }),
        response: { 201: InvitationSchema, ...errorResponses, 502: ErrorBodySchema, 503: ErrorBodySchema },
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
      try {
        await app.mailer.send({
          to: invitation.email,
          subject: `You're invited to ${tenant.name} on Switchboard`,
          text: `You have been invited to join ${tenant.name} as ${invitation.role}.\n\nAccept within ${INVITATION_DAYS} days with this token: ${token.token}\n(POST /v1/invitations/accept)`,
        });
      } catch (err) {
        // Not created: only the email carries the token (we keep its hash), so an invitation whose
        // email failed could never be accepted — nor resent. It is deleted and the caller invites
        // again. (After a timeout the email may still arrive; its token is then simply dead.)
        await db.invitation.delete({ where: { id: invitation.id } });
        request.log.warn({ err, invitationId: invitation.id }, 'invitation email not sent');
        throw mailFailure(err);
      }
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
        summary: 'Pending invitations',
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
      schema: {
        tags: ['members'],
        summary: 'Revoke a pending invitation',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
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
        body: z
          .object({
            token: z.string().min(10).max(200),
            name: z.string().trim().min(1).max(100).optional(),
            password: z.string().max(200),
          })
          .meta({
            examples: [
              {
                token: 'inv_5c2a9e7f1b3d4c6e8a0b2d4f6a8c0e1f',
                name: 'Grace Hopper',
                password: 'plum tractor ocean violin',
              },
            ],
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

  const CustomRoleBody = z
    .object({
      name: z.string().trim().min(1).max(60),
      permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
    })
    .meta({ examples: [{ name: 'Support lead', permissions: ['contacts.read', 'conversations.read'] }] });

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
        summary: 'Delete a custom role (refused with 409 while members hold it)',
        params: IdParamsSchema,
        response: { 204: z.null(), 409: ErrorBodySchema, ...errorResponses },
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
