import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client';
import type { CountryCode } from '../../contacts/normalize';
import { normalizeEmail, normalizePhone } from '../../contacts/normalize';
import { AppError } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema } from '../../schemas';

export const conflictResponses = { 403: ErrorBodySchema, 409: ErrorBodySchema } as const;

export const CountrySchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. US')
  .transform((c) => c as CountryCode);

export const TimeZoneSchema = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone, e.g. America/New_York');

export const ContactIdParams = z.object({ id: z.string().uuid() });

export function actorId(request: FastifyRequest): string | null {
  const p = requirePrincipal(request);
  return p.userId ?? p.apiKeyId ?? null;
}

const invalid = (path: string, message: string) =>
  new AppError(400, 'validation_failed', `${path}: ${message}`, [{ path: `/${path}`, message }]);

export function phoneOrThrow(raw: string, country: CountryCode | undefined): string {
  const r = normalizePhone(raw, country);
  if (!r.ok)
    throw invalid('phone', `${r.reason} (expected E.164, e.g. +14155550100, or a national number with defaultCountry)`);
  return r.e164;
}

export function emailOrThrow(raw: string): string {
  const r = normalizeEmail(raw);
  if (!r.ok) throw invalid('email', r.reason);
  return r.email;
}

export const isUniqueViolation = (err: unknown) =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** The owner must be a member of the tenant. */
export async function checkOwner(request: FastifyRequest, ownerId: string | null | undefined) {
  if (!ownerId) return;
  const { tenantId } = requirePrincipal(request);
  const member = await request.tenantDb.membership.findFirst({ where: { tenantId, userId: ownerId } });
  if (!member) throw new AppError(400, 'owner_not_member', 'the owner must be a member of this tenant', { ownerId });
}
