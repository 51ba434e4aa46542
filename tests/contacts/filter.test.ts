import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContactFilterInput, ContactFilterSchema, toPrismaWhere } from '../../api/contacts/filter';
import { toJson } from '../../prisma/json';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let tenantId: string;
let otherTenantId: string;
const ids: Record<string, string> = {};
const OWNER = '11111111-1111-4111-8111-111111111111';
const NOW = new Date('2025-06-01T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  tenantId = (await db.tenant.create({ data: { name: 'f', slug: 'filter-a' } })).id;
  otherTenantId = (await db.tenant.create({ data: { name: 'g', slug: 'filter-b' } })).id;
  const make = async (name: string, data: Record<string, unknown>, tenant = tenantId) => {
    const row = await db.contact.create({ data: { tenantId: tenant, firstName: name, ...data } });
    ids[name] = row.id;
  };
  await make('ada', {
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: '+14155550101',
    tags: ['vip', 'beta'],
    leadStatus: 'qualified',
    ownerId: OWNER,
    consent: toJson({ sms: { status: 'granted', at: NOW.toISOString(), source: 'form' } }),
    fields: toJson({ plan: 'pro', seats: 12, trial: false, notes: 'likes analytics' }),
    lastContactedAt: daysAgo(2),
    createdAt: daysAgo(100),
  });
  await make('bob', {
    email: 'bob@example.org',
    phone: '+442079460958',
    tags: ['beta'],
    leadStatus: 'new',
    dnc: true,
    consent: toJson({ sms: { status: 'denied', at: NOW.toISOString() } }),
    fields: toJson({ plan: 'free', seats: 1 }),
    lastContactedAt: daysAgo(40),
    createdAt: daysAgo(10),
  });
  await make('cy', { tags: [], createdAt: daysAgo(1) });
  await make('deleted', { tags: ['vip'], deletedAt: NOW });
  await make('merged', { tags: ['vip'], mergedIntoId: OWNER, deletedAt: NOW });
  await make('foreign', { tags: ['vip'] }, otherTenantId);
});
afterAll(async () => {
  await database?.drop();
});

async function names(filter: ContactFilterInput): Promise<string[]> {
  const rows = await database.db.contact.findMany({
    where: { AND: [{ tenantId }, toPrismaWhere(filter, NOW)] },
    select: { firstName: true },
  });
  return rows.map((r) => r.firstName ?? '').sort();
}
const one = (condition: ContactFilterInput['conditions'] extends (infer C)[] | undefined ? C : never) =>
  names({ match: 'all', conditions: [condition] });

describe('toPrismaWhere', () => {
  it('selects every live contact (not deleted, not merged) when there are no conditions', async () => {
    expect(await names({ match: 'all', conditions: [] })).toEqual(['ada', 'bob', 'cy']);
  });

  it('filters by tag has / has-not', async () => {
    expect(await one({ type: 'tag', op: 'has', value: 'vip' })).toEqual(['ada']);
    expect(await one({ type: 'tag', op: 'has-not', value: 'beta' })).toEqual(['cy']);
  });

  it('filters by lead status in / not-in (contacts without a status are not in any)', async () => {
    expect(await one({ type: 'leadStatus', op: 'in', values: ['new', 'qualified'] })).toEqual(['ada', 'bob']);
    expect(await one({ type: 'leadStatus', op: 'not-in', values: ['new'] })).toEqual(['ada', 'cy']);
  });

  it('filters by owner is / is-none', async () => {
    expect(await one({ type: 'owner', op: 'is', userId: OWNER })).toEqual(['ada']);
    expect(await one({ type: 'owner', op: 'is-none' })).toEqual(['bob', 'cy']);
  });

  it('filters by do-not-contact', async () => {
    expect(await one({ type: 'dnc', value: true })).toEqual(['bob']);
    expect(await one({ type: 'dnc', value: false })).toEqual(['ada', 'cy']);
  });

  it('filters by consent granted / denied / unknown per channel', async () => {
    expect(await one({ type: 'consent', channel: 'sms', status: 'granted' })).toEqual(['ada']);
    expect(await one({ type: 'consent', channel: 'sms', status: 'denied' })).toEqual(['bob']);
    expect(await one({ type: 'consent', channel: 'sms', status: 'unknown' })).toEqual(['cy']);
    expect(await one({ type: 'consent', channel: 'email', status: 'unknown' })).toEqual(['ada', 'bob', 'cy']);
  });

  it('filters by custom fields: eq, neq, contains, gt, lt, exists, not-exists', async () => {
    expect(await one({ type: 'field', key: 'plan', op: 'eq', value: 'pro' })).toEqual(['ada']);
    expect(await one({ type: 'field', key: 'plan', op: 'neq', value: 'pro' })).toEqual(['bob', 'cy']);
    expect(await one({ type: 'field', key: 'notes', op: 'contains', value: 'analytics' })).toEqual(['ada']);
    expect(await one({ type: 'field', key: 'seats', op: 'gt', value: 5 })).toEqual(['ada']);
    expect(await one({ type: 'field', key: 'seats', op: 'lt', value: 5 })).toEqual(['bob']);
    expect(await one({ type: 'field', key: 'trial', op: 'eq', value: false })).toEqual(['ada']);
    expect(await one({ type: 'field', key: 'seats', op: 'exists' })).toEqual(['ada', 'bob']);
    expect(await one({ type: 'field', key: 'seats', op: 'not-exists' })).toEqual(['cy']);
  });

  it('filters by dates: before, after, within-days, never', async () => {
    expect(await one({ type: 'date', field: 'lastContactedAt', op: 'within-days', days: 7 })).toEqual(['ada']);
    expect(await one({ type: 'date', field: 'lastContactedAt', op: 'before', value: daysAgo(30) })).toEqual(['bob']);
    expect(await one({ type: 'date', field: 'lastContactedAt', op: 'never' })).toEqual(['cy']);
    expect(await one({ type: 'date', field: 'createdAt', op: 'after', value: daysAgo(20) })).toEqual(['bob', 'cy']);
    expect(await one({ type: 'date', field: 'createdAt', op: 'within-days', days: 5 })).toEqual(['cy']);
  });

  it('searches name, email and phone, case-insensitively', async () => {
    expect(await one({ type: 'search', value: 'LOVE' })).toEqual(['ada']);
    expect(await one({ type: 'search', value: 'example.org' })).toEqual(['bob']);
    expect(await one({ type: 'search', value: '+44 20 7946' })).toEqual(['bob']);
    expect(await one({ type: 'search', value: 'ada lovelace' })).toEqual(['ada']);
  });

  it('combines conditions with all and any', async () => {
    const conditions = [
      { type: 'tag', op: 'has', value: 'beta' },
      { type: 'dnc', value: false },
    ] as const;
    expect(await names({ match: 'all', conditions: [...conditions] })).toEqual(['ada']);
    expect(await names({ match: 'any', conditions: [...conditions] })).toEqual(['ada', 'bob', 'cy']);
  });

  it('refuses malformed filters', () => {
    expect(ContactFilterSchema.safeParse({ conditions: [{ type: 'tag', op: 'maybe', value: 'x' }] }).success).toBe(
      false,
    );
    expect(
      ContactFilterSchema.safeParse({ conditions: [{ type: 'date', field: 'createdAt', op: 'never' }] }).success,
    ).toBe(false);
    expect(
      ContactFilterSchema.safeParse({ conditions: [{ type: 'field', key: '1; drop', op: 'exists' }] }).success,
    ).toBe(false);
  });
});
