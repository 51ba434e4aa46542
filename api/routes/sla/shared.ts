import type { FastifyRequest } from 'fastify';
import { Prisma } from '../../../generated/prisma/client';
import { AppError, conflict } from '../../errors';
import { ErrorBodySchema, errorResponses } from '../../schemas';

export const writeErrors = { ...errorResponses, 409: ErrorBodySchema } as const;

export const isUniqueViolation = (err: unknown) =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** Runs a write whose unique (tenant, name) index may refuse it, as a 409 naming the name. */
export async function uniqueName<T>(what: string, name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('name_taken', `a ${what} named "${name}" already exists`);
    throw err;
  }
}

/** The tenant's members among `userIds`. */
export async function membersAmong(request: FastifyRequest, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await request.tenantDb.membership.findMany({
    where: { userId: { in: [...new Set(userIds)] } },
    select: { userId: true },
  });
  return new Set(rows.map((r) => r.userId));
}

/** A 400 `not_a_member` for a user id at `path` (a JSON pointer into the body). */
export const notAMember = (userId: string, path: string) =>
  new AppError(400, 'not_a_member', `user ${userId} is not a member of this tenant`, [
    { path, message: 'not a member of this tenant' },
  ]);

/** The SLA policies that name a calendar or an escalation policy (they keep it from being deleted). */
export async function policiesReferring(
  request: FastifyRequest,
  field: 'calendarId' | 'escalationPolicyId',
  id: string,
): Promise<{ id: string; name: string }[]> {
  return request.tenantDb.slaPolicy.findMany({
    where: { definition: { path: [field], equals: id } },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
}

/** A 409 `in_use` naming the policies that still refer to the thing being deleted. */
export function inUse(what: string, policies: { id: string; name: string }[]): AppError {
  const names = policies
    .slice(0, 5)
    .map((p) => `"${p.name}"`)
    .join(', ');
  const more = policies.length > 5 ? ` and ${policies.length - 5} more` : '';
  return conflict(
    'in_use',
    `the ${what} is used by SLA ${policies.length === 1 ? 'policy' : 'policies'} ${names}${more}; change or delete ${policies.length === 1 ? 'it' : 'them'} first`,
    { policies },
  );
}
