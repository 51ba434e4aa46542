import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetApiKey } from '../../api/plugins/auth';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;

const call = (method: string, url: string, payload?: unknown, token = a.token) =>
  app.inject({
    method: method as 'GET',
    url: `/v1${url}`,
    headers: auth(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const vip = { match: 'all', conditions: [{ type: 'tag', op: 'has', value: 'vip' }] };
type Segment = { id: string; name: string; filter: unknown };

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, 'segments-a');
  b = await seedTenant(database.db, 'segments-b');
  const mk = (tenantId: string, firstName: string, tags: string[], extra: Record<string, unknown> = {}) =>
    database.db.contact.create({ data: { tenantId, firstName, tags, ...extra } });
  await mk(a.tenant.id, 'v1', ['vip']);
  await mk(a.tenant.id, 'v2', ['vip']);
  await mk(a.tenant.id, 'v3', ['vip']);
  await mk(a.tenant.id, 'plain', []);
  await mk(a.tenant.id, 'gone', ['vip'], { deletedAt: new Date() });
  await mk(b.tenant.id, 'theirs', ['vip']);
});
afterAll(() => stopApiTestServer({ app, env, database }));

describe('segments', () => {
  it('creates, reads, lists, updates and deletes a segment', async () => {
    const created = await call('POST', '/segments', { name: 'VIPs', filter: vip });
    expect(created.statusCode, created.body).toBe(201);
    const seg = created.json() as Segment;
    expect(seg).toMatchObject({ name: 'VIPs', filter: vip });
    expect((await call('GET', `/segments/${seg.id}`)).json()).toMatchObject({ id: seg.id, name: 'VIPs' });
    expect(((await call('GET', '/segments')).json() as { items: Segment[] }).items.map((s) => s.id)).toContain(seg.id);
    expect((await call('POST', '/segments', { name: 'VIPs', filter: vip })).json()).toMatchObject({
      error: { code: 'segment_name_taken' },
    });
    const renamed = await call('PUT', `/segments/${seg.id}`, {
      name: 'Very important',
      filter: { match: 'any', conditions: [] },
    });
    expect(renamed.json()).toMatchObject({ name: 'Very important', filter: { match: 'any', conditions: [] } });
    expect((await call('DELETE', `/segments/${seg.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/segments/${seg.id}`)).statusCode).toBe(404);
  });

  it('refuses an invalid filter', async () => {
    const res = await call('POST', '/segments', {
      name: 'bad',
      filter: { conditions: [{ type: 'tag', op: 'maybe' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('counts live matching contacts of its own tenant only, and lists them paginated', async () => {
    const seg = (await call('POST', '/segments', { name: `count-${randomUUID()}`, filter: vip })).json() as Segment;
    expect((await call('GET', `/segments/${seg.id}/count`)).json()).toEqual({ count: 3 });
    const first = (await call('GET', `/segments/${seg.id}/contacts?limit=2`)).json() as {
      items: { firstName: string }[];
      nextCursor: string;
    };
    expect(first.items.map((c) => c.firstName)).toEqual(['v3', 'v2']);
    const second = (await call('GET', `/segments/${seg.id}/contacts?limit=2&cursor=${first.nextCursor}`)).json() as {
      items: { firstName: string }[];
      nextCursor: string | null;
    };
    expect(second).toMatchObject({ items: [{ firstName: 'v1' }], nextCursor: null });
    // A segment is live: a new VIP counts at once.
    await database.db.contact.create({ data: { tenantId: a.tenant.id, firstName: 'v4', tags: ['vip'] } });
    expect((await call('GET', `/segments/${seg.id}/count`)).json()).toEqual({ count: 4 });
  });

  it('previews a filter with a count and a sample', async () => {
    const res = await call('POST', '/segments/preview', {
      filter: { match: 'any', conditions: [{ type: 'search', value: 'plain' }] },
      sampleSize: 5,
    });
    expect(res.json()).toMatchObject({ count: 1, sample: [{ firstName: 'plain' }] });
  });

  it("answers 404 for another tenant's segment on every segment route", async () => {
    const theirs = (await call('POST', '/segments', { name: 'theirs', filter: vip }, b.token)).json() as Segment;
    for (const [method, url, payload] of [
      ['GET', `/segments/${theirs.id}`],
      ['PUT', `/segments/${theirs.id}`, { name: 'hijacked', filter: vip }],
      ['DELETE', `/segments/${theirs.id}`],
      ['GET', `/segments/${theirs.id}/count`],
      ['GET', `/segments/${theirs.id}/contacts`],
    ] as [string, string, unknown?][]) {
      const res = await call(method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect(await database.db.segment.findUnique({ where: { id: theirs.id } })).toMatchObject({ name: 'theirs' });
    const mine = (await call('GET', '/segments')).json() as { items: Segment[] };
    expect(mine.items.map((s) => s.id)).not.toContain(theirs.id);
  });

  it('needs segments.write to save and segments.read to read', async () => {
    await database.db.apiKey.update({ where: { id: a.apiKey.id }, data: { scopes: ['segments.read'] } });
    forgetApiKey(a.apiKey.id); // the API remembers verified keys briefly
    try {
      expect((await call('POST', '/segments', { name: 'nope', filter: vip })).statusCode).toBe(403);
      expect((await call('GET', '/segments')).statusCode).toBe(200);
    } finally {
      await database.db.apiKey.update({ where: { id: a.apiKey.id }, data: { scopes: ['*'] } });
      forgetApiKey(a.apiKey.id); // the API remembers verified keys briefly
    }
  });
});
