// GET /contacts/:id answers from a per-process cache; these prove no answer outlives a write,
// wherever the write came from (this app, another process's client, raw SQL, a bulk statement).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactOut } from '../../api/contacts/model';
import { ContactReadCache } from '../../api/contacts/read-cache';
import { createDb, type Db } from '../../prisma/client';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';

const contact = (id: string, firstName = 'Ada') => ({ id, firstName }) as ContactOut;

describe('ContactReadCache', () => {
  it('serves only while active, and only to the owning tenant', () => {
    const cache = new ContactReadCache();
    cache.store(cache.mark(), 't1', contact('c1'));
    expect(cache.get('t1', 'c1')).toBeUndefined();
    cache.setActive(true);
    cache.store(cache.mark(), 't1', contact('c1'));
    expect(cache.get('t1', 'c1')?.firstName).toBe('Ada');
    expect(cache.get('t2', 'c1')).toBeUndefined();
    cache.setActive(false);
    expect(cache.get('t1', 'c1')).toBeUndefined();
  });

  it('does not store a read that began before an eviction', () => {
    const cache = new ContactReadCache();
    cache.setActive(true);
    const mark = cache.mark();
    cache.forget(['c1']); // a write lands while the read is in flight
    cache.store(mark, 't1', contact('c1', 'stale'));
    expect(cache.get('t1', 'c1')).toBeUndefined();
  });

  it('evicts by id, everything on *, expired entries, and the oldest past its bound', () => {
    const cache = new ContactReadCache({ max: 2, ttlMs: 50 });
    cache.setActive(true);
    for (const id of ['a', 'b']) cache.store(cache.mark(), 't', contact(id));
    cache.forget(['a']);
    expect(cache.get('t', 'a')).toBeUndefined();
    expect(cache.get('t', 'b')).toBeDefined();
    cache.store(cache.mark(), 't', contact('c'));
    cache.store(cache.mark(), 't', contact('d'));
    expect(cache.size).toBe(2);
    expect(cache.get('t', 'b')).toBeUndefined();
    cache.forget('*');
    expect(cache.size).toBe(0);
    const expiring = new ContactReadCache({ max: 10, ttlMs: -1 });
    expiring.setActive(true);
    expiring.store(expiring.mark(), 't', contact('e'));
    expect(expiring.get('t', 'e')).toBeUndefined();
  });
});

describe('GET /contacts/:id through the cache', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let app: FastifyInstance;
  let other: Db; // a second client: what the worker process or another API instance would be
  let t: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    ({ env, database, app } = await startApiTestServer());
    other = createDb(database.url, { max: 2 });
    t = await seedTenant(database.db, 'cache');
  });
  afterAll(async () => {
    await other?.$disconnect();
    await stopApiTestServer({ app, env, database });
  });

  const get = (id = t.contact.id, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: { ...auth(t.token), ...headers } });
  const firstNameNow = async () => (await get()).json<{ firstName: string }>().firstName;

  it('answers a PATCH made through the API at once', async () => {
    await get(); // cached
    const patch = await app.inject({
      method: 'PATCH',
      url: `/v1/contacts/${t.contact.id}`,
      headers: auth(t.token),
      payload: { firstName: 'Patched' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(await firstNameNow()).toBe('Patched');
  });

  it('drops a contact another process changed, once its NOTIFY arrives', async () => {
    await get();
    await other.contact.update({ where: { id: t.contact.id }, data: { firstName: 'FromWorker' } });
    await waitFor(async () => ((await firstNameNow()) === 'FromWorker' ? true : undefined), 'the notice', 5_000);
  });

  it('drops contacts changed by raw SQL and by statements touching more than 200 rows', async () => {
    await get();
    await other.$executeRaw`UPDATE "Contact" SET "firstName" = 'Raw' WHERE id = ${t.contact.id}::uuid`;
    await waitFor(async () => ((await firstNameNow()) === 'Raw' ? true : undefined), 'the raw notice', 5_000);
    await other.contact.createMany({
      data: Array.from({ length: 250 }, (_, i) => ({ tenantId: t.tenant.id, firstName: `Bulk ${i}` })),
    });
    await get();
    await other.contact.updateMany({ where: { tenantId: t.tenant.id }, data: { lastName: 'Bulk' } });
    const bulk = async () => (await get()).json<{ lastName: string }>().lastName === 'Bulk';
    await waitFor(async () => ((await bulk()) ? true : undefined), 'the * notice', 5_000);
  });

  it('forgets a deleted contact at once, and no-cache reads the database', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: auth(t.token),
      payload: { firstName: 'Short-lived', email: 'short@cache.example' },
    });
    const { id } = created.json<{ id: string }>();
    expect((await get(id)).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/v1/contacts/${id}`, headers: auth(t.token) })).statusCode).toBe(
      204,
    );
    expect((await get(id)).statusCode).toBe(404);

    await get();
    // Bypasses every notice: only a database read can see this.
    await other.$executeRaw`ALTER TABLE "Contact" DISABLE TRIGGER "Contact_updated_notify"`;
    try {
      await other.$executeRaw`UPDATE "Contact" SET "firstName" = 'Unannounced' WHERE id = ${t.contact.id}::uuid`;
      expect(await firstNameNow()).not.toBe('Unannounced');
      expect((await get(t.contact.id, { 'cache-control': 'no-cache' })).json<{ firstName: string }>().firstName).toBe(
        'Unannounced',
      );
    } finally {
      await other.$executeRaw`ALTER TABLE "Contact" ENABLE TRIGGER "Contact_updated_notify"`;
    }
  });
});
