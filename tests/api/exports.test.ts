import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;
const COUNT = 2_503;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, 'exports-a');
  b = await seedTenant(database.db, 'exports-b', { phone: '+14155550999' });
  await database.db.customFieldDefinition.createMany({
    data: [
      { tenantId: a.tenant.id, key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
      { tenantId: a.tenant.id, key: 'seats', label: 'Seats', type: 'number' },
    ],
  });
  await database.db.contact.createMany({
    data: Array.from({ length: COUNT }, (_, i) => ({
      tenantId: a.tenant.id,
      firstName: i === 0 ? '=HYPERLINK("x")' : `Person ${i}`,
      lastName: i === 1 ? 'O"Brien, Jr.' : i % 10 === 3 ? 'Smith' : 'Bulk',
      phone: `+1202557${String(i).padStart(4, '0')}`,
      tags: i % 2 === 0 ? ['vip', 'even'] : ['odd'],
      fields: { plan: i % 2 === 0 ? 'pro' : 'free', seats: i },
      // A few that an export never includes.
      ...(i % 500 === 499 ? { deletedAt: new Date() } : {}),
    })),
  });
});
afterAll(() => stopApiTestServer({ app, env, database }));

const exportCsv = (query: string, token = a.token) =>
  app.inject({ url: `/v1/exports/contacts.csv${query}`, headers: auth(token) });

describe('contact export', () => {
  it('streams every live contact with a header row and custom fields as columns', async () => {
    const res = await exportCsv('');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    const deleted = Math.floor(COUNT / 500);
    expect(rows).toHaveLength(COUNT - deleted + 1); // + the seeded Grace
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'id',
      'firstName',
      'lastName',
      'phone',
      'email',
      'timeZone',
      'tags',
      'leadStatus',
      'score',
      'dnc',
      'createdAt',
      'updatedAt',
      'fields.plan',
      'fields.seats',
    ]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const first = rows.find((r) => r.phone === '+12025570000');
    expect(first).toMatchObject({
      firstName: `'=HYPERLINK("x")`,
      tags: 'vip;even',
      'fields.plan': 'pro',
      'fields.seats': '0',
    });
    expect(rows.find((r) => r.phone === '+12025570001')).toMatchObject({ lastName: 'O"Brien, Jr.' });
    expect(rows.some((r) => r.phone === '+12025570499')).toBe(false);
    expect(rows.some((r) => r.phone === '+14155550999')).toBe(false); // tenant b's
  });

  it('applies a contact filter and a search, and records the export in the audit log', async () => {
    const filter = JSON.stringify({ conditions: [{ type: 'tag', op: 'has', value: 'odd' }] });
    const res = await exportCsv(`?filter=${encodeURIComponent(filter)}&search=smith`);
    expect(res.statusCode).toBe(200);
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    const expected = Array.from({ length: COUNT }, (_, i) => i)
      .filter((i) => i % 10 === 3)
      .map((i) => `Person ${i}`)
      .sort();
    expect(rows.map((r) => r.firstName).sort()).toEqual(expected);
    const even = JSON.stringify({ conditions: [{ type: 'tag', op: 'has', value: 'even' }] });
    const none = await exportCsv(`?filter=${encodeURIComponent(even)}&search=smith`);
    expect(parse(none.body)).toHaveLength(1);
    expect(rows.every((r) => r.tags === 'odd' && r['fields.plan'] === 'free')).toBe(true);

    const audit = await database.db.auditLog.findFirst({
      where: { tenantId: a.tenant.id, action: 'contacts.exported' },
      orderBy: { createdAt: 'desc' },
    });
    expect(audit?.details).toMatchObject({ search: 'smith', filter: JSON.parse(even) });
  });

  it('answers a header row only when nothing matches, and 400 for a bad filter', async () => {
    const filter = JSON.stringify({ conditions: [{ type: 'tag', op: 'has', value: 'nobody' }] });
    const empty = await exportCsv(`?filter=${encodeURIComponent(filter)}`);
    expect(empty.statusCode).toBe(200);
    expect(empty.body.trim().split('\n')).toHaveLength(1);
    for (const bad of ['{not json', JSON.stringify({ conditions: [{ type: 'nope' }] })]) {
      const res = await exportCsv(`?filter=${encodeURIComponent(bad)}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_filter' } });
    }
  });

  it("exports only the caller's tenant", async () => {
    const res = await exportCsv('', b.token);
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.phone)).toEqual(['+14155550999']);
    expect(Object.keys(rows[0] ?? {})).not.toContain('fields.plan');
  });
});
