import type { Db } from '../../prisma/client';

/**
 * Takes up to `want` tokens from the tenant's bucket `key`, refilled at `perSecond` and holding at
 * most one second's worth: every campaign of the tenant draws from the same bucket, so together
 * they keep a provider's rate (Twilio's one call per second per account, by default). One
 * statement, so concurrent dispatchers never overdraw it. Returns how many were granted.
 */
export async function takeTokens(
  db: Db,
  tenantId: string,
  key: string,
  want: number,
  perSecond: number,
): Promise<number> {
  const burst = Math.max(1, perSecond);
  await db.$executeRaw`INSERT INTO "RateBucket" ("tenantId", key, tokens, "refilledAt")
    VALUES (${tenantId}::uuid, ${key}, ${burst}, clock_timestamp()) ON CONFLICT DO NOTHING`;
  const rows = await db.$queryRaw<{ granted: number }[]>`
    WITH current AS (
      SELECT tokens, "refilledAt",
             LEAST(${burst}::float8, tokens + EXTRACT(EPOCH FROM clock_timestamp() - "refilledAt") * ${perSecond}::float8) AS available
        FROM "RateBucket" WHERE "tenantId" = ${tenantId}::uuid AND key = ${key} FOR UPDATE
    ), grant_ AS (SELECT LEAST(floor(available), ${want}::float8) AS granted, available FROM current)
    UPDATE "RateBucket" b SET tokens = g.available - g.granted, "refilledAt" = clock_timestamp()
      FROM grant_ g WHERE b."tenantId" = ${tenantId}::uuid AND b.key = ${key}
    RETURNING g.granted::float8 AS granted`;
  return Math.max(0, Math.floor(rows[0]?.granted ?? 0));
}
