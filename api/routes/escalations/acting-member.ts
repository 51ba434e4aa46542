import type { FastifyRequest } from 'fastify';
import { requirePrincipal } from '../../plugins/auth';

/**
 * Who "me" is in the inbox: the signed-in user, or for an API key the member who created it while
 * they are still a member here (the console runs on a key; a key made by a member acts as them).
 * Null for a key nobody in the tenant created (a seeded or bootstrap key): it has no "mine".
 */
export async function actingMemberId(request: FastifyRequest): Promise<string | null> {
  const principal = requirePrincipal(request);
  if (principal.userId) return principal.userId;
  if (!principal.apiKeyId) return null;
  const key = await request.tenantDb.apiKey.findFirst({
    where: { id: principal.apiKeyId },
    select: { createdById: true },
  });
  if (!key?.createdById) return null;
  const member = await request.tenantDb.membership.findFirst({
    where: { userId: key.createdById },
    select: { userId: true },
  });
  return member?.userId ?? null;
}
