// The tenant-wide provider bucket every campaign draws from (activities/campaigns/rate-bucket.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { takeTokens } from '../../activities/campaigns/rate-bucket';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let tenantId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await database.db.tenant.create({ data: { name: 'bucket', slug: 'bucket' } })).id;
});
afterAll(() => database?.drop());

it('never grants more than the bucket holds, however many dispatchers ask at once', async () => {
  // Ten campaigns asking for 5 starts each from a 3-per-second bucket, all at the same moment.
  const grants = await Promise.all(
    Array.from({ length: 10 }, () => takeTokens(database.db, tenantId, 'provider:voice', 5, 3)),
  );
  // A full bucket holds one second's worth; the few milliseconds the calls take refill almost nothing.
  expect(grants.reduce((a, b) => a + b, 0)).toBe(3);
  expect(grants.every((g) => g >= 0 && g <= 3)).toBe(true);
});

it('refills at its rate and keeps buckets apart by key and tenant', async () => {
  const other = (await database.db.tenant.create({ data: { name: 'other', slug: 'bucket-other' } })).id;
  expect(await takeTokens(database.db, tenantId, 'provider:sms', 10, 4)).toBe(4);
  expect(await takeTokens(database.db, tenantId, 'provider:sms', 10, 4)).toBe(0);
  expect(await takeTokens(database.db, other, 'provider:sms', 10, 4)).toBe(4);
  await new Promise((r) => setTimeout(r, 600));
  const refilled = await takeTokens(database.db, tenantId, 'provider:sms', 10, 4);
  expect(refilled).toBeGreaterThanOrEqual(2); // 0.6 s at 4/s
  expect(refilled).toBeLessThanOrEqual(4); // never past one second's worth
});
