import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `sbk_<prefix>_<secret>`. The prefix is public and indexed; only a SHA-256 of
 * the secret is stored (the secret is 256 random bits, so a slow hash adds nothing).
 */
const KEY_PATTERN = /^sbk_([a-f0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { token: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `sbk_${prefix}_${secret}`, prefix, hash: hashSecret(secret) };
}

export function parseApiKey(token: string): { prefix: string; secret: string } | null {
  const m = KEY_PATTERN.exec(token);
  return m?.[1] && m[2] ? { prefix: m[1], secret: m[2] } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
