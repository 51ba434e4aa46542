import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Access tokens: HS256 JWTs, short-lived. Claims: user, tenant, session. */
export const AccessClaimsSchema = z.object({
  sub: z.string(),
  tid: z.string(),
  sid: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
  typ: z.literal('access'),
});
export type AccessClaims = z.infer<typeof AccessClaimsSchema>;

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_DAYS = 30;

const b64 = (v: Buffer | string) => Buffer.from(v).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signAccessToken(
  secret: string,
  claims: Omit<AccessClaims, 'iat' | 'exp' | 'typ'>,
  nowMs = Date.now(),
): string {
  const iat = Math.floor(nowMs / 1000);
  const payload = b64(JSON.stringify({ ...claims, typ: 'access', iat, exp: iat + ACCESS_TOKEN_TTL_SECONDS }));
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** The claims of a valid, unexpired access token; null for anything else. */
export function verifyAccessToken(secret: string, token: string, nowMs = Date.now()): AccessClaims | null {
  const [header, payload, signature] = token.split('.');
  if (header !== HEADER || !payload || !signature) return null;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = AccessClaimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return claims.exp > nowMs / 1000 ? claims : null;
  } catch {
    return null;
  }
}

/** Opaque refresh tokens and invitation tokens: random, stored only as SHA-256. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaque(token) };
}

export function hashOpaque(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
