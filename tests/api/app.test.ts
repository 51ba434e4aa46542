import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant, welcomeFlow } from '../helpers/fixtures';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, 'tenant-a');
  b = await seedTenant(database.db, 'tenant-b');
});
afterAll(() => stopApiTestServer({ app, env, database }));

const expectError = (res: { statusCode: number; json(): unknown; body: string }, status: number, code: string) => {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(res.body).not.toMatch(/at .+\.ts:\d+/); // never a stack trace
};

describe('health', () => {
  it('answers /health and reports PostgreSQL and Temporal on /ready', async () => {
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: { ok: true }, temporal: { ok: true } } });
  });

  it('serves the OpenAPI document with every resource', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/ready',
        '/v1/contacts',
        '/v1/contacts/{id}',
        '/v1/flows',
        '/v1/flows/{id}',
        '/v1/runs',
        '/v1/runs/{id}',
      ]),
    );
  });
});

describe('bad input', () => {
  it('answers unknown routes with a JSON 404', async () => {
    expectError(await app.inject('/nowhere'), 404, 'route_not_found');
  });

  it('refuses requests without, with malformed, wrong or revoked API keys', async () => {
    expectError(await app.inject('/v1/flows'), 401, 'unauthorized');
    expectError(await app.inject({ url: '/v1/flows', headers: auth('nope') }), 401, 'unauthorized');
    const forged = a.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expectError(await app.inject({ url: '/v1/flows', headers: auth(forged) }), 401, 'unauthorized');
    const revoked = await seedTenant(database.db, `revoked-${randomUUID()}`);
    await database.db.apiKey.update({ where: { id: revoked.apiKey.id }, data: { revokedAt: new Date() } });
    expectError(await app.inject({ url: '/v1/flows', headers: auth(revoked.token) }), 401, 'unauthorized');
  });

  it('answers malformed JSON with invalid_json', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: { ...auth(a.token), 'content-type': 'application/json' },
      payload: '{"firstName": ',
    });
    expectError(res, 400, 'invalid_json');
  });

  it('explains which field is invalid', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: auth(a.token),
      payload: { phone: '555-0100' },
    });
    expectError(res, 400, 'validation_failed');
    expect(JSON.stringify(res.json())).toContain('E.164');
  });

  it('saves an incomplete draft with its problems listed, and refuses to publish it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/flows',
      headers: auth(a.token),
      payload: {
        name: 'broken',
        definition: {
          nodes: [
            { id: 'start', type: 'trigger', params: { source: 'api' } },
            { id: 'x', type: 'send-message', params: { channel: 'fax' } },
          ],
          edges: [{ id: 'e', source: 'start', sourceHandle: 'next', target: 'missing' }],
        },
      },
    });
    expect(res.statusCode).toBe(201);
    const draft = res.json() as { id: string; issues: { code: string; nodeId?: string }[] };
    expect(draft.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['invalid_params', 'dangling_edge']));
    expect(draft.issues.find((i) => i.code === 'invalid_params')?.nodeId).toBe('x');
    const publish = await app.inject({ method: 'POST', url: `/v1/flows/${draft.id}/publish`, headers: auth(a.token) });
    expectError(publish, 422, 'invalid_flow');
    expect(await database.db.flowVersion.count({ where: { flowId: draft.id } })).toBe(0);
  });

  it('refuses a definition that is not a flow document at all', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/flows',
      headers: auth(a.token),
      payload: { name: 'junk', definition: { nodes: 'everything', edges: 42 } },
    });
    expectError(res, 400, 'invalid_document');
    expect(await database.db.flow.count({ where: { name: 'junk' } })).toBe(0);
  });

  it('answers a bad id format with 400 and an unknown id with 404', async () => {
    expectError(await app.inject({ url: '/v1/runs/not-a-uuid', headers: auth(a.token) }), 400, 'validation_failed');
    expectError(await app.inject({ url: `/v1/runs/${randomUUID()}`, headers: auth(a.token) }), 404, 'not_found');
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's contact, flow and run, and never returns its data", async () => {
    const started = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth(b.token),
      payload: { flowId: b.flow.id, contactId: b.contact.id },
    });
    expect(started.statusCode).toBe(201);
    const runId = (started.json() as { id: string }).id;
    for (const url of [`/v1/contacts/${b.contact.id}`, `/v1/flows/${b.flow.id}`, `/v1/runs/${runId}`]) {
      expectError(await app.inject({ url, headers: auth(a.token) }), 404, 'not_found');
    }
    const list = (await app.inject({ url: '/v1/flows', headers: auth(a.token) })).json() as { items: { id: string }[] };
    expect(list.items.map((f) => f.id)).not.toContain(b.flow.id);
  });

  it("refuses to start a run on another tenant's contact or flow", async () => {
    const otherContact = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth(a.token),
      payload: { flowId: a.flow.id, contactId: b.contact.id },
    });
    expectError(otherContact, 404, 'not_found');
    const otherFlow = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth(a.token),
      payload: { flowId: b.flow.id, contactId: a.contact.id },
    });
    expectError(otherFlow, 404, 'not_found');
    expect(await database.db.run.count({ where: { tenantId: a.tenant.id } })).toBe(0);
  });
});

describe('resources', () => {
  it('creates and reads a contact and a flow', async () => {
    const contact = await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: auth(a.token),
      payload: { firstName: 'Lin', phone: '+447700900123', tags: ['vip'], fields: { plan: 'pro' } },
    });
    expect(contact.statusCode).toBe(201);
    const { id } = contact.json() as { id: string };
    expect((await app.inject({ url: `/v1/contacts/${id}`, headers: auth(a.token) })).json()).toMatchObject({
      firstName: 'Lin',
      fields: { plan: 'pro' },
    });
    const flow = await app.inject({
      method: 'POST',
      url: '/v1/flows',
      headers: auth(a.token),
      payload: { name: 'Another', definition: welcomeFlow },
    });
    expect(flow.statusCode).toBe(201);
    expect(flow.json()).toMatchObject({ name: 'Another', definition: { nodes: welcomeFlow.nodes } });
  });

  it('starts one run per Idempotency-Key, even when the requests race', async () => {
    const request = () =>
      app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: { ...auth(a.token), 'idempotency-key': 'order-1234' },
        payload: { flowId: a.flow.id, contactId: a.contact.id },
      });
    const responses = await Promise.all([request(), request(), request()]);
    const ids = new Set(responses.map((r) => (r.json() as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(await database.db.run.count({ where: { idempotencyKey: 'order-1234' } })).toBe(1);
    const [id] = [...ids];
    const description = await env.client.workflow.getHandle(`run-${id}`).describe();
    expect(description.type).toBe('runFlow');
  });
});
