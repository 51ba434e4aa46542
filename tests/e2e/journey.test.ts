import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../api/webhooks/signature';
import { TEST_SECRETS_ENV } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { freePort, type Proc, startProcess, tsxBin, waitFor } from '../helpers/processes';
import { createDevServerEnv } from '../helpers/temporal';

// The product's own entry points (worker/main.ts, api/server.ts) as separate processes, on a real
// Temporal dev server and a real PostgreSQL database, spoken to over HTTP.
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let worker: Proc;
let api: Proc;
let base: string;

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'switchboard-e2e',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...TEST_SECRETS_ENV,
  };
  worker = startProcess(tsxBin, ['worker/main.ts'], config);
  api = startProcess(tsxBin, ['api/server.ts'], config);
  await waitFor(async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 'the API to listen', 60_000);
  await waitFor(
    async () => (worker.output().includes('worker polling') ? true : undefined),
    'the worker to poll',
    60_000,
  );
});

afterAll(async () => {
  for (const p of [api, worker]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
  await env?.teardown();
  await database?.drop();
});

describe('one journey through every layer', () => {
  it('starts runFlow through the API, runs the send activity against PostgreSQL, and reports state and rows', async () => {
    const { token, flow, contact } = await seedTenant(database.db, 'journey');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = await fetch(`${base}/v1/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ flowId: flow.id, contactId: contact.id }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };

    const body = await waitFor(async () => {
      const res = await fetch(`${base}/v1/runs/${id}`, { headers });
      const json = (await res.json()) as {
        run: { status: string };
        state: { status: string } | null;
        actions: unknown[];
      };
      return json.run.status === 'completed' ? json : undefined;
    }, 'the run to complete');

    expect(body.state).toMatchObject({
      status: 'completed',
      outcome: 'welcomed',
      path: [{ nodeId: 'start', output: 'next' }, { nodeId: 'welcome', output: 'sent' }, { nodeId: 'done' }],
    });
    expect(body.actions).toEqual([
      expect.objectContaining({
        kind: 'message.sms',
        status: 'succeeded',
        request: expect.objectContaining({
          channel: 'sms',
          to: '+14155550123',
          text: 'Hi Grace!',
          purpose: 'transactional',
        }),
      }),
    ]);
    const rows = await database.db.outboundAction.findMany({ where: { workflowId: `run-${id}` } });
    expect(rows).toHaveLength(1);
  });

  it('tells webhook subscribers when a run starts and when it completes, once each, signed', async () => {
    const received: Array<{ type: string; delivery: string; valid: boolean }> = [];
    let secret = '';
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const valid = verifyWebhookSignature(
          secret,
          String(req.headers['x-switchboard-timestamp']),
          body,
          String(req.headers['x-switchboard-signature']),
        );
        received.push({
          type: String(req.headers['x-switchboard-event']),
          delivery: String(req.headers['x-switchboard-delivery']),
          valid,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const { token, flow, contact } = await seedTenant(database.db, 'hooks');
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const sub = await fetch(`${base}/v1/webhooks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
          events: ['run.*'],
        }),
      });
      expect(sub.status).toBe(201);
      secret = ((await sub.json()) as { secret: string }).secret;
      await fetch(`${base}/v1/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ flowId: flow.id, contactId: contact.id }),
      });
      await waitFor(async () => (received.length >= 2 ? true : undefined), 'two webhook deliveries');
      await new Promise((r) => setTimeout(r, 500));
      expect(received.map((r) => r.type).sort()).toEqual(['run.completed', 'run.started']);
      expect(received.every((r) => r.valid)).toBe(true);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('shuts the API and the worker down gracefully on SIGTERM', async () => {
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    const [a, w] = await Promise.all([api.exited, worker.exited]);
    expect(a).toEqual({ code: 0, signal: null });
    expect(w).toEqual({ code: 0, signal: null });
  });
});
