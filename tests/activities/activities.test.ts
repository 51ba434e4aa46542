import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { SandboxCallProvider } from '../../activities/calls/sandbox';
import { SandboxMessagingProvider } from '../../activities/messaging/sandbox';
import { ExtractiveAnswerer } from '../../activities/rag/answerer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

let database: TestDatabase;
let seeded: Awaited<ReturnType<typeof seedTenant>>;
let server: Server;
let baseUrl: string;
const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
let failuresLeft = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  seeded = await seedTenant(database.db, 'activities');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end('busy');
        return;
      }
      if (req.url?.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such order"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'shipped', echo: body ? JSON.parse(body) : null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await database?.drop();
});

const base = () => ({
  tenantId: seeded.tenant.id,
  runId: randomUUID(),
  workflowId: `run-${randomUUID()}`,
  contactId: seeded.contact.id,
  idempotencyKey: `run-${randomUUID()}:node:1`,
});

describe('updateContact', () => {
  it('applies a change once per idempotency key, even when retried', async () => {
    const { updateContact } = createActivities({ db: database.db });
    const input = {
      ...base(),
      set: { plan: 'pro', firstName: 'Gracie' },
      addTags: ['hot'],
      removeTags: [],
      leadStatus: 'qualified',
      scoreDelta: 10,
    };
    const first = await updateContact(input);
    const retry = await updateContact(input);
    expect(retry).toEqual(first);
    const row = await database.db.contact.findUniqueOrThrow({ where: { id: seeded.contact.id } });
    expect(row).toMatchObject({
      firstName: 'Gracie',
      leadStatus: 'qualified',
      score: 10,
      tags: ['hot'],
      fields: { plan: 'pro' },
    });
  });

  it('serialises concurrent score changes from different journeys', async () => {
    const { updateContact } = createActivities({ db: database.db });
    const before = await database.db.contact.findUniqueOrThrow({ where: { id: seeded.contact.id } });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        updateContact({ ...base(), set: {}, addTags: [], removeTags: [], scoreDelta: 1 }),
      ),
    );
    const after = await database.db.contact.findUniqueOrThrow({ where: { id: seeded.contact.id } });
    expect(after.score).toBe(before.score + 10);
  });

  it("cannot touch another tenant's contact", async () => {
    const other = await seedTenant(database.db, `other-${randomUUID()}`);
    const { updateContact } = createActivities({ db: database.db });
    await expect(
      updateContact({ ...base(), contactId: other.contact.id, set: { x: 1 }, addTags: [], removeTags: [] }),
    ).rejects.toMatchObject({ type: 'ContactNotFound', nonRetryable: true });
  });
});

describe('httpRequest', () => {
  it('sends the idempotency key, retries 5xx with the same key, and stores the answer', async () => {
    const { httpRequest } = createActivities({ db: database.db });
    const input = {
      ...base(),
      method: 'POST' as const,
      url: `${baseUrl}/orders`,
      headers: { 'x-shop': 'demo' },
      body: { id: 7 },
      timeoutSeconds: 5,
    };
    failuresLeft = 1;
    const before = received.length;
    await expect(httpRequest(input)).rejects.toThrow(/503/);
    const ok = await httpRequest(input);
    expect(ok).toEqual({ status: 200, ok: true, body: { status: 'shipped', echo: { id: 7 } } });
    const again = await httpRequest(input);
    expect(again).toEqual(ok);
    const calls = received.slice(before);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([input.idempotencyKey]));
    expect(calls[1]?.headers['x-shop']).toBe('demo');
  });

  it('returns a 4xx as a result rather than retrying it', async () => {
    const { httpRequest } = createActivities({ db: database.db });
    const result = await httpRequest({
      ...base(),
      method: 'GET',
      url: `${baseUrl}/missing/1`,
      headers: {},
      timeoutSeconds: 5,
    });
    expect(result).toEqual({ status: 404, ok: false, body: { error: 'no such order' } });
  });

  it('refuses a URL that is not http(s)', async () => {
    const { httpRequest } = createActivities({ db: database.db });
    await expect(
      httpRequest({ ...base(), method: 'GET', url: 'file:///etc/passwd', headers: {}, timeoutSeconds: 5 }),
    ).rejects.toBeInstanceOf(ApplicationFailure);
  });
});

describe('placeCall, aiReply, openEscalation, loadFlowVersion', () => {
  it('dials once per idempotency key and reports a stable outcome', async () => {
    const calls = new SandboxCallProvider({ odds: { busy: 1 } });
    const { placeCall } = createActivities({ db: database.db, calls });
    const input = {
      ...base(),
      to: '+14155550123',
      persona: 'p',
      firstMessage: 'Hello',
      script: [],
      maxDurationSeconds: 60,
    };
    const a = await placeCall(input);
    const b = await placeCall(input);
    expect(a).toEqual(b);
    expect(a.outcome).toBe('busy');
    expect(calls.calls).toHaveLength(1);
  });

  it('answers with citations and sends only when confident', async () => {
    const providers = { sms: new SandboxMessagingProvider() };
    const answerer = new ExtractiveAnswerer([
      { sourceId: 's1', title: 'Hours', text: 'We are open 9 to 5 on weekdays.' },
    ]);
    const { aiReply } = createActivities({ db: database.db, providers, answerer });
    const common = { ...base(), sourceIds: [], channel: 'sms' as const, to: '+14155550123', send: true };
    const confident = await aiReply({ ...common, question: 'When are you open on weekdays?', minConfidence: 0.5 });
    expect(confident).toMatchObject({ sent: true, citations: [{ sourceId: 's1', title: 'Hours' }] });
    const unsure = await aiReply({
      ...common,
      idempotencyKey: `${common.idempotencyKey}-2`,
      question: 'Do you sell bicycles?',
      minConfidence: 0.5,
    });
    expect(unsure).toMatchObject({ sent: false, confidence: 0 });
    expect(providers.sms.outbox).toHaveLength(1);
  });

  it('opens one escalation per idempotency key', async () => {
    const { openEscalation } = createActivities({ db: database.db });
    const input = { ...base(), team: 'sales', priority: 'high' as const, note: 'call back' };
    const a = await openEscalation(input);
    const b = await openEscalation(input);
    expect(a).toEqual(b);
    expect(await database.db.escalation.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
  });

  it('loads the latest published plan, or fails with FlowNotPublished', async () => {
    const { loadFlowVersion } = createActivities({ db: database.db });
    const loaded = await loadFlowVersion({ tenantId: seeded.tenant.id, flowId: seeded.flow.id });
    expect(loaded.plan.nodes.welcome?.type).toBe('send-message');
    await expect(loadFlowVersion({ tenantId: seeded.tenant.id, flowId: randomUUID() })).rejects.toMatchObject({
      type: 'FlowNotPublished',
    });
    const other = await seedTenant(database.db, `o-${randomUUID()}`);
    await expect(loadFlowVersion({ tenantId: other.tenant.id, flowId: seeded.flow.id })).rejects.toMatchObject({
      type: 'FlowNotPublished',
    });
  });
});
