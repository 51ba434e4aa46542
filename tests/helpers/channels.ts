// The setup the channel end-to-end tests share: the API listening over HTTP on a Temporal dev
// server and a fresh database, a worker beside it, and the requests every such test makes.
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import { expect } from 'vitest';
import { Secrets } from '../../api/crypto/secrets';
import type { Flow } from '../../flow';
import { toJson } from '../../prisma/json';
import { bundleWorkflows } from '../../worker/bundle';
import { createWorker } from '../../worker/create-worker';
import type { TwilioStandIn } from '../stand-ins/twilio';
import {
  type ApiTestServer,
  auth,
  startApiTestServer,
  stopApiTestServer,
  TASK_QUEUE,
  TEST_ENCRYPTION_KEY,
} from './app';
import { publish, seedTenant } from './fixtures';
import { waitFor } from './processes';

/** The number our Twilio channels send from. */
export const OUR_NUMBER = '+15005550006';

/** What POST /v1/channels answers. */
export type ChannelOut = { id: string; webhooks: Record<string, string> };

/** The POST /v1/channels body of an SMS channel on the real Twilio adapter, pointed at a stand-in. */
export function twilioSmsChannel(standIn: TwilioStandIn) {
  return {
    name: 'Twilio SMS',
    kind: 'sms',
    provider: 'twilio',
    config: { accountSid: standIn.accountSid, from: OUR_NUMBER, apiBaseUrl: standIn.baseUrl },
    credentials: { authToken: standIn.authToken },
  };
}

/**
 * trigger → ask (a send) → wait for a reply: `replied` ends with `outcome`, a timeout (1h) with
 * `no-reply`, a failed send with `failed`.
 */
export function askAndWaitFlow(o: {
  name: string;
  question: string;
  outcome: string;
  trigger?: Record<string, unknown>;
}): Flow {
  return {
    name: o.name,
    version: 0,
    nodes: [
      { id: 'start', type: 'trigger', params: o.trigger ?? { source: 'api' } },
      { id: 'ask', type: 'send-message', params: { channel: 'sms', text: o.question } },
      { id: 'wait', type: 'wait-for-reply', params: { channel: 'sms', timeout: '1h' } },
      { id: 'replied', type: 'end', params: { outcome: o.outcome } },
      { id: 'silent', type: 'end', params: { outcome: 'no-reply' } },
      { id: 'failed', type: 'end', params: { outcome: 'failed' } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'ask' },
      { id: 'e2', source: 'ask', sourceHandle: 'sent', target: 'wait' },
      { id: 'e3', source: 'ask', sourceHandle: 'failed', target: 'failed' },
      { id: 'e4', source: 'wait', sourceHandle: 'replied', target: 'replied' },
      { id: 'e5', source: 'wait', sourceHandle: 'timeout', target: 'silent' },
    ],
  };
}

export interface ChannelTestServerOptions {
  /**
   * Run a worker in this process (the default). Without one, the test runs its own (worker-crash
   * runs worker/main.ts as a separate process).
   */
  worker?: boolean;
  /** How long `finished` waits for a run by default (90 s unless given). */
  finishTimeoutMs?: number;
}

/** The API listening on 127.0.0.1, its worker, and the requests the channel tests make of them. */
export class ChannelTestServer implements ApiTestServer {
  readonly env: ApiTestServer['env'];
  readonly database: ApiTestServer['database'];
  readonly app: ApiTestServer['app'];
  /** The listening API, also the worker's public URL (webhooks and receipts come back to it). */
  readonly baseUrl: string;
  readonly secrets = new Secrets([TEST_ENCRYPTION_KEY]);
  private worker?: Worker;
  private running?: Promise<void>;
  private readonly finishTimeoutMs: number;

  private constructor(server: ApiTestServer, baseUrl: string, finishTimeoutMs: number) {
    this.env = server.env;
    this.database = server.database;
    this.app = server.app;
    this.baseUrl = baseUrl;
    this.finishTimeoutMs = finishTimeoutMs;
  }

  static async start(options: ChannelTestServerOptions = {}): Promise<ChannelTestServer> {
    // The app first, then the workflow bundle: both are CPU-heavy, and the app's plugins must load
    // within Fastify's plugin timeout even on a busy machine.
    const server = await startApiTestServer();
    try {
      const bundle = options.worker === false ? undefined : await bundleWorkflows();
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
      const started = new ChannelTestServer(server, baseUrl, options.finishTimeoutMs ?? 90_000);
      if (bundle) {
        started.worker = await createWorker({
          connection: server.env.nativeConnection,
          namespace: 'default',
          taskQueue: TASK_QUEUE,
          workflowBundle: bundle,
          db: server.database.db,
          secrets: started.secrets,
          publicUrl: baseUrl,
          providers: null,
        });
        started.running = started.worker.run();
      }
      return started;
    } catch (err) {
      await stopApiTestServer(server);
      throw err;
    }
  }

  /** Stops the worker, then runs `between` (closing stand-ins), then stops the API, Temporal and the database. */
  async stop(...between: Array<() => Promise<unknown> | undefined>): Promise<void> {
    this.worker?.shutdown();
    await this.running?.catch(() => undefined);
    await Promise.all(between.map((close) => close()));
    await stopApiTestServer(this);
  }

  /** POST /v1/channels, which must answer 201. */
  async createChannel(token: string, payload: Record<string, unknown>): Promise<ChannelOut> {
    const res = await this.app.inject({ method: 'POST', url: '/v1/channels', headers: auth(token), payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as ChannelOut;
  }

  /** A seeded tenant (seedTenant, with its contact on `phone`) with one channel made from `payload`. */
  async tenantWithChannel(slugPrefix: string, phone: string, payload: Record<string, unknown>) {
    const seeded = await seedTenant(this.database.db, `${slugPrefix}-${Math.random().toString(36).slice(2)}`, {
      phone,
    });
    return { ...seeded, channel: await this.createChannel(seeded.token, payload) };
  }

  /** Saves and publishes a flow in the tenant. */
  async createFlow(tenantId: string, flow: Flow) {
    const row = await this.database.db.flow.create({
      data: { tenantId, name: flow.name, definition: toJson(flow) },
    });
    await publish(this.database.db, tenantId, row.id, flow);
    return row;
  }

  /** POST /v1/runs, which must answer 201. */
  async startRun(token: string, flowId: string, contactId: string) {
    const res = await this.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth(token),
      payload: { flowId, contactId },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; workflowId: string };
  }

  /** The run's row once it is no longer running. */
  finished(runId: string, timeoutMs = this.finishTimeoutMs, what = 'the run to finish') {
    return waitFor(
      async () => {
        const run = await this.database.db.run.findUnique({ where: { id: runId } });
        return run && run.status !== 'running' ? run : undefined;
      },
      what,
      timeoutMs,
    );
  }

  /** The path a run took, as `nodeId:output` (GET /v1/runs/:id). */
  async runPath(token: string, runId: string): Promise<string[]> {
    const detail = await this.app.inject({ method: 'GET', url: `/v1/runs/${runId}`, headers: auth(token) });
    const { state } = detail.json() as { state: { path: Array<{ nodeId: string; output?: string }> } };
    return state.path.map((s) => `${s.nodeId}:${s.output ?? ''}`);
  }

  /** GET /v1/conversations/:id/messages, which must answer 200. */
  async messagesOf(token: string, conversationId: string) {
    const res = await this.app.inject({
      method: 'GET',
      url: `/v1/conversations/${conversationId}/messages`,
      headers: auth(token),
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: Array<{ id: string; direction: string; body: string; status: string }> }).items;
  }

  /** The conversation on a channel with an address (a phone, an email, a chat id). */
  conversationOn(channelId: string, address: string) {
    return this.database.db.conversation.findUniqueOrThrow({
      where: { channelId_address: { channelId, address } },
    });
  }
}
