import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { Secrets } from '../../api/crypto/secrets';
import { verifyWebhookSignature } from '../../api/webhooks/signature';
import { bundleWorkflows } from '../../worker/bundle';
import type { DeliverWebhookInput } from '../../workflows/deliver-webhook';
import { auth, buildTestApp, TASK_QUEUE, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { createDevServerEnv } from '../helpers/temporal';

// ── A local receiver: answers each path with its scripted statuses (the last one repeats). ──
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
const scripts = new Map<string, number[]>();
let receiver: Server;
let receiverUrl: string;

function startReceiver(): Promise<void> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const script = scripts.get(path) ?? [200];
      const status = script.length > 1 ? (script.shift() as number) : (script[0] ?? 200);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'nope' : 'ok');
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, '127.0.0.1', () => {
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}
const at = (path: string) => received.filter((r) => r.path === path);

// ── The product: API + a real worker on a Temporal dev server + PostgreSQL. ──
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let worker: Worker;
let running: Promise<void>;
let seeded: Awaited<ReturnType<typeof seedTenant>>;
let other: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  // The worker's webhook activities open signing secrets with the keys the API seals them with.
  process.env.SWITCHBOARD_ENCRYPTION_KEYS = TEST_ENCRYPTION_KEY;
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase(), startReceiver()]);
  app = await buildTestApp(database, env);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({ db: database.db }),
  });
  running = worker.run();
  seeded = await seedTenant(database.db, 'webhooks-a');
  other = await seedTenant(database.db, 'webhooks-b');
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await app?.close();
  await env?.teardown();
  await database?.drop();
  await new Promise((r) => receiver?.close(r));
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = seeded.token) =>
  app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });

interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  secret?: string;
}
interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  payload?: { id: string; type: string; tenantId: string; data: Record<string, unknown> };
}

async function subscribe(path: string, events: string[] = ['contact.*']) {
  const res = await call('POST', '/v1/webhooks', { url: `${receiverUrl}${path}`, events });
  expect(res.statusCode).toBe(201);
  return res.json() as Webhook & { secret: string };
}

const deliveriesOf = async (webhookId: string) =>
  ((await call('GET', `/v1/webhooks/${webhookId}/deliveries`)).json() as { items: Delivery[] }).items;

const settled = (deliveryId: string) =>
  waitFor(async () => {
    const d = (await call('GET', `/v1/webhook-deliveries/${deliveryId}`)).json() as Delivery;
    return d.status === 'pending' ? undefined : d;
  }, `delivery ${deliveryId} to settle`);

function expectSigned(r: Received, secret: string) {
  const ok = verifyWebhookSignature(
    secret,
    r.headers['x-switchboard-timestamp'] as string,
    r.body,
    r.headers['x-switchboard-signature'] as string,
  );
  expect(ok).toBe(true);
}

describe('webhook subscriptions', () => {
  it('delivers an emitted contact.created event exactly once, signed, with the documented headers', async () => {
    const hook = await subscribe('/once');
    const unrelated = await subscribe('/runs-only', ['run.completed']);
    await app.emitEvent(seeded.tenant.id, 'contact.created', { contactId: seeded.contact.id });

    const [delivery] = await waitFor(async () => {
      const items = await deliveriesOf(hook.id);
      return items.length === 1 ? items : undefined;
    }, 'the delivery row');
    const done = await settled(delivery?.id ?? '');
    expect(done).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null });
    await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    const got = at('/once');
    expect(got).toHaveLength(1);
    const [req] = got as [Received];
    expectSigned(req, hook.secret);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-switchboard-event']).toBe('contact.created');
    expect(req.headers['x-switchboard-delivery']).toBe(done.id);
    expect(JSON.parse(req.body)).toMatchObject({
      id: done.eventId,
      type: 'contact.created',
      tenantId: seeded.tenant.id,
      data: { contactId: seeded.contact.id },
    });
    // A subscription whose patterns do not match gets nothing.
    expect(await deliveriesOf(unrelated.id)).toEqual([]);
    expect(at('/runs-only')).toHaveLength(0);
  });

  it('retries a receiver that answers 500 twice, then delivers, recording the attempts', async () => {
    // Deliveries started by the API use the 10 s default: start this one with a short interval.
    const hook = await subscribe('/flaky', ['webhook.test']);
    scripts.set('/flaky', [500, 500, 200]);
    const row = await database.db.webhookDelivery.create({
      data: {
        tenantId: seeded.tenant.id,
        subscriptionId: hook.id,
        eventId: 'evt-flaky',
        eventType: 'webhook.test',
        payload: { id: 'evt-flaky', type: 'webhook.test', tenantId: seeded.tenant.id, data: {} },
        status: 'pending',
      },
    });
    const input: DeliverWebhookInput = { deliveryId: row.id, retryInitialIntervalMs: 100 };
    const result = await env.client.workflow.execute('deliverWebhook', {
      workflowId: `webhook-${row.id}`,
      taskQueue: TASK_QUEUE,
      args: [input],
    });
    expect(result).toEqual({ status: 'delivered' });
    expect(await settled(row.id)).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    const got = at('/flaky');
    expect(got).toHaveLength(3);
    // Every attempt carries the same delivery id (receivers dedupe on it) and a valid signature.
    expect(new Set(got.map((r) => r.headers['x-switchboard-delivery']))).toEqual(new Set([row.id]));
    for (const r of got) expectSigned(r, hook.secret);
  });

  it('disables the subscription when the receiver answers 410 Gone, without retrying', async () => {
    const hook = await subscribe('/gone', ['*']);
    scripts.set('/gone', [410]);
    const test = await call('POST', `/v1/webhooks/${hook.id}/test`);
    expect(test.statusCode).toBe(202);
    const done = await settled((test.json() as Delivery).id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    expect(((await call('GET', `/v1/webhooks/${hook.id}`)).json() as Webhook).active).toBe(false);
    expect(at('/gone')).toHaveLength(1);
    // A disabled subscription receives no more events.
    await app.emitEvent(seeded.tenant.id, 'contact.updated', {});
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
  });

  it('fails a delivery at once on a 4xx other than 408/429', async () => {
    const hook = await subscribe('/bad', ['webhook.test']);
    scripts.set('/bad', [400]);
    const test = await call('POST', `/v1/webhooks/${hook.id}/test`);
    const done = await settled((test.json() as Delivery).id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400 });
    expect(done.lastError).toContain('400');
    expect(((await call('GET', `/v1/webhooks/${hook.id}`)).json() as Webhook).active).toBe(true);
  });

  it('sends a test event to that subscription only', async () => {
    const a = await subscribe('/test-a', ['*']);
    const b = await subscribe('/test-b', ['*']);
    const test = await call('POST', `/v1/webhooks/${a.id}/test`);
    expect(test.statusCode).toBe(202);
    expect(test.json()).toMatchObject({ subscriptionId: a.id, eventType: 'webhook.test', status: 'pending' });
    await settled((test.json() as Delivery).id);
    expect(at('/test-a')).toHaveLength(1);
    expect(at('/test-b')).toHaveLength(0);
    expect(await deliveriesOf(b.id)).toEqual([]);
  });

  it('replays a delivery as a second delivery of the same payload with a new delivery id', async () => {
    const hook = await subscribe('/replay', ['webhook.test']);
    const first = (await call('POST', `/v1/webhooks/${hook.id}/test`)).json() as Delivery;
    await settled(first.id);
    const replay = await call('POST', `/v1/webhook-deliveries/${first.id}/replay`);
    expect(replay.statusCode).toBe(202);
    const second = replay.json() as Delivery;
    expect(second.id).not.toBe(first.id);
    expect(second.eventId).toBe(first.eventId);
    expect(await settled(second.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    const got = at('/replay');
    expect(got.map((r) => r.headers['x-switchboard-delivery'])).toEqual([first.id, second.id]);
    expect(got[1]?.body).toBe(got[0]?.body);
    expect((await deliveriesOf(hook.id)).map((d) => d.id)).toEqual([second.id, first.id]);
  });

  it('never returns the secret from list or get, and stores it sealed, not in plaintext', async () => {
    const hook = await subscribe('/secret');
    expect(hook.secret).toMatch(/^whsec_/);
    const got = (await call('GET', `/v1/webhooks/${hook.id}`)).body;
    const list = (await call('GET', '/v1/webhooks')).body;
    for (const body of [got, list]) {
      expect(body).not.toContain(hook.secret);
      expect(body).not.toContain('"secret"');
    }
    const row = await database.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } });
    expect(row.secret).not.toContain(hook.secret);
    expect(row.secret).toMatch(/^v1\./);
    expect(new Secrets([TEST_ENCRYPTION_KEY]).open(row.secret)).toBe(hook.secret);
  });

  it('rotates the secret: shown once, and the next delivery is signed with the new one', async () => {
    const hook = await subscribe('/rotate', ['webhook.test']);
    const rotated = await call('POST', `/v1/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json() as { secret: string };
    expect(secret).not.toBe(hook.secret);
    const test = (await call('POST', `/v1/webhooks/${hook.id}/test`)).json() as Delivery;
    await settled(test.id);
    const [req] = at('/rotate') as [Received];
    expectSigned(req, secret);
    expect(
      verifyWebhookSignature(
        hook.secret,
        req.headers['x-switchboard-timestamp'] as string,
        req.body,
        req.headers['x-switchboard-signature'] as string,
      ),
    ).toBe(false);
    const actions = await database.db.auditLog.findMany({
      where: { targetId: hook.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(actions.map((a) => a.action)).toEqual(['webhook.created', 'webhook.secret_rotated']);
  });

  it('updates url, events and active, and deletes softly (gone from the API, row kept)', async () => {
    const hook = await subscribe('/update');
    const patched = await call('PATCH', `/v1/webhooks/${hook.id}`, {
      url: `${receiverUrl}/update-2`,
      events: ['run.*', 'run.*', 'contact.merged'],
      active: false,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      url: `${receiverUrl}/update-2`,
      events: ['run.*', 'contact.merged'],
      active: false,
    });
    expect((await call('PATCH', `/v1/webhooks/${hook.id}`, {})).statusCode).toBe(400);
    expect((await call('POST', `/v1/webhooks/${hook.id}/test`)).json()).toMatchObject({
      error: { code: 'webhook_inactive' },
    });
    expect((await call('DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
    const list = (await call('GET', '/v1/webhooks')).json() as { items: Webhook[] };
    expect(list.items.map((w) => w.id)).not.toContain(hook.id);
    const row = await database.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } });
    expect(row.deletedAt).not.toBeNull();
  });

  it('refuses URLs that are not http or https, and unknown event patterns, with 400', async () => {
    for (const url of ['ftp://example.com/hook', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url']) {
      const res = await call('POST', '/v1/webhooks', { url, events: ['*'] });
      expect(res.statusCode, url).toBe(400);
    }
    for (const events of [[], ['contact.exploded'], ['nope.*'], ['contact']]) {
      const res = await call('POST', '/v1/webhooks', { url: 'https://example.com/hook', events });
      expect(res.statusCode, JSON.stringify(events)).toBe(400);
    }
    const https = await call('POST', '/v1/webhooks', { url: 'https://example.com/hook', events: ['contact.*', '*'] });
    expect(https.statusCode).toBe(201);
  });

  it('paginates the delivery log with a cursor', async () => {
    const hook = await subscribe('/paged', ['webhook.test']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await call('POST', `/v1/webhooks/${hook.id}/test`)).json() as Delivery).id);
    const first = (await call('GET', `/v1/webhooks/${hook.id}/deliveries?limit=2`)).json() as {
      items: Delivery[];
      nextCursor: string;
    };
    expect(first.items).toHaveLength(2);
    const rest = (
      await call('GET', `/v1/webhooks/${hook.id}/deliveries?limit=2&cursor=${first.nextCursor}`)
    ).json() as { items: Delivery[]; nextCursor: string | null };
    expect(rest.nextCursor).toBeNull();
    expect([...first.items, ...rest.items].map((d) => d.id).sort()).toEqual([...ids].sort());
    await Promise.all(ids.map(settled));
  });

  it("answers 404 for another tenant's webhook and delivery ids on every route", async () => {
    const hook = await subscribe('/private', ['webhook.test']);
    const delivery = (await call('POST', `/v1/webhooks/${hook.id}/test`)).json() as Delivery;
    await settled(delivery.id);
    const attempts: Array<[Parameters<typeof call>[0], string, unknown?]> = [
      ['GET', `/v1/webhooks/${hook.id}`],
      ['PATCH', `/v1/webhooks/${hook.id}`, { active: false }],
      ['DELETE', `/v1/webhooks/${hook.id}`],
      ['POST', `/v1/webhooks/${hook.id}/rotate-secret`],
      ['POST', `/v1/webhooks/${hook.id}/test`],
      ['GET', `/v1/webhooks/${hook.id}/deliveries`],
      ['GET', `/v1/webhook-deliveries/${delivery.id}`],
      ['POST', `/v1/webhook-deliveries/${delivery.id}/replay`],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, body, other.token);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    expect(((await call('GET', '/v1/webhooks', undefined, other.token)).json() as { items: Webhook[] }).items).toEqual(
      [],
    );
    // Nothing changed for the owner.
    expect((await call('GET', `/v1/webhooks/${hook.id}`)).json()).toMatchObject({ active: true });
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
    // Another tenant's events never reach this subscription.
    await app.emitEvent(other.tenant.id, 'webhook.test', {});
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
  });
});

describe('emitting events when Temporal is unreachable', () => {
  it('never fails the caller: the delivery stays pending, and replay starts it later', async () => {
    const unreachable = {
      workflow: { start: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')) },
    } as unknown as Client;
    const offline = await buildApp({
      db: database.db,
      temporal: unreachable,
      taskQueue: TASK_QUEUE,
      logLevel: 'silent',
      jwtSecret: TEST_JWT_SECRET,
      encryptionKeys: [TEST_ENCRYPTION_KEY],
    });
    try {
      const tenant = await seedTenant(database.db, 'webhooks-offline');
      const created = await offline.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: auth(tenant.token),
        payload: { url: `${receiverUrl}/offline`, events: ['contact.*'] },
      });
      const hook = created.json() as Webhook;
      await expect(offline.emitEvent(tenant.tenant.id, 'contact.deleted', { contactId: 'x' })).resolves.toBeUndefined();
      const [pending] = await database.db.webhookDelivery.findMany({ where: { subscriptionId: hook.id } });
      expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
      // An explicit replay says it could not start.
      const refused = await offline.inject({
        method: 'POST',
        url: `/v1/webhook-deliveries/${pending?.id}/replay`,
        headers: auth(tenant.token),
      });
      expect(refused.statusCode).toBe(503);
      // Once Temporal is back (the real app), replaying delivers it.
      const replay = await call('POST', `/v1/webhook-deliveries/${pending?.id}/replay`, undefined, tenant.token);
      expect(replay.statusCode).toBe(202);
      await waitFor(
        async () =>
          (await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: (replay.json() as Delivery).id } }))
            .status === 'delivered'
            ? true
            : undefined,
        'the replayed delivery',
      );
      expect(at('/offline')).toHaveLength(1);
    } finally {
      await offline.close();
    }
  });
});
