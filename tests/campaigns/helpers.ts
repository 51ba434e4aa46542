// Shared set-up for campaign tests: a tenant with N contacts, the app, and a worker whose sandbox
// SMS provider counts what reaches it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { expect, inject } from 'vitest';
import { temporalDevServerArgs } from '../../scripts/lib/temporal-dev-config.mjs';
import { auth, TASK_QUEUE, TEST_ENCRYPTION_KEY } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { daytimeZone } from '../helpers/fixtures';
import { freePort, type Proc, startProcess, waitFor } from '../helpers/processes';

/** Creates `n` contacts with distinct valid US numbers in `zone` (default: where it is midday). */
export async function seedContacts(
  database: TestDatabase,
  tenantId: string,
  n: number,
  opts: { zone?: string; tag?: string; offset?: number } = {},
): Promise<string[]> {
  const zone = opts.zone ?? daytimeZone();
  const offset = opts.offset ?? 0;
  const rows = Array.from({ length: n }, (_, i) => ({
    tenantId,
    firstName: `Recipient ${i + offset}`,
    phone: `+1415${String(2_000_000 + i + offset).padStart(7, '0')}`,
    timeZone: zone,
    tags: [opts.tag ?? 'campaign'],
  }));
  await database.db.contact.createMany({ data: rows });
  const made = await database.db.contact.findMany({
    where: { tenantId, phone: { in: rows.map((r) => r.phone) } },
    select: { id: true },
  });
  return made.map((c) => c.id);
}

export async function createSegment(app: FastifyInstance, token: string, tag: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth(token),
    payload: { name: `tag ${tag}`, filter: { match: 'all', conditions: [{ type: 'tag', op: 'has', value: tag }] } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export async function createCampaign(app: FastifyInstance, token: string, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: auth(token), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export async function campaignAction(
  app: FastifyInstance,
  token: string,
  id: string,
  action: string,
  payload?: object,
) {
  return app.inject({
    method: 'POST',
    url: `/v1/campaigns/${id}/${action}`,
    headers: auth(token),
    ...(payload ? { payload } : {}),
  });
}

export async function waitForCampaign(
  database: TestDatabase,
  id: string,
  status: string | string[] = ['completed', 'cancelled'],
  timeoutMs = 120_000,
) {
  const wanted = Array.isArray(status) ? status : [status];
  return waitFor(
    async () => {
      const c = await database.db.campaign.findUniqueOrThrow({ where: { id } });
      return wanted.includes(c.status) ? c : undefined;
    },
    `campaign ${id} to be ${wanted.join(' or ')}`,
    timeoutMs,
  );
}

export async function recipientsByStatus(database: TestDatabase, campaignId: string) {
  const rows = await database.db.campaignRecipient.groupBy({
    by: ['status'],
    where: { campaignId },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

export type { TestWorkflowEnvironment };

// ---- for tests that run the worker or the Temporal server as processes of their own ----------

/** What worker/main.ts needs to find Temporal, the database and the API. */
export interface WorkerProcessEnv {
  databaseUrl: string;
  temporalAddress: string;
  publicUrl: string;
}

/**
 * worker/main.ts as its own process (as tests/channels/worker-crash.test.ts runs it), resolved
 * once it polls. Run by node with tsx's loader rather than through the tsx CLI, which would run
 * the worker in a child process that a SIGKILL of the CLI leaves running. `into` collects it for
 * the file's clean-up.
 */
export async function startWorkerProcess(env: WorkerProcessEnv, into: Proc[]): Promise<Proc> {
  const proc = startProcess(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    SWITCHBOARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    SWITCHBOARD_PUBLIC_URL: env.publicUrl,
    SWITCHBOARD_SANDBOX_FALLBACK: 'false',
    LOG_LEVEL: 'warn',
  });
  into.push(proc);
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`the worker exited:\n${proc.output()}`);
      return proc.output().includes('worker polling') ? true : undefined;
    },
    'the worker to poll',
    90_000,
  );
  return proc;
}

/** SIGKILLs every process of `procs` still running and waits for them to exit. */
export async function killAll(procs: Proc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}

/**
 * A Temporal dev server run as a child process (the CLI's `server start-dev`), file-backed, so a
 * test can kill it and start it again on the same port and SQLite file: workflows survive.
 */
export class TemporalDevServerProcess {
  private proc: Proc | undefined;

  private constructor(
    readonly port: number,
    readonly dbFile: string,
    private readonly dir: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TemporalDevServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-temporal-'));
    // A free port can be taken by another test file's server between our probe and its bind (it
    // failed CI once with "bind: address already in use"): then try another.
    for (let attempt = 1; ; attempt++) {
      const server = new TemporalDevServerProcess(await freePort(), join(dir, `temporal-${attempt}.sqlite`), dir);
      try {
        await server.up();
        return server;
      } catch (err) {
        await server.down();
        if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
      }
    }
  }

  /** Starts the server (again) and resolves once its default namespace answers. */
  async up(): Promise<void> {
    const proc = startProcess(
      inject('temporalCliPath'),
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--db-filename',
        this.dbFile,
        '--log-level',
        'warn',
        ...temporalDevServerArgs,
      ],
      {},
    );
    this.proc = proc;
    const connection = await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`the Temporal dev server exited:\n${proc.output()}`);
        return Connection.connect({ address: this.address, connectTimeout: 1_000 });
      },
      'the Temporal dev server to listen',
      60_000,
    );
    try {
      await waitFor(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`the Temporal dev server exited:\n${proc.output()}`);
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        },
        'the Temporal dev server to serve the default namespace',
        60_000,
      );
    } finally {
      await connection.close();
    }
  }

  /** Stops the server with `signal` (SIGKILL: a crash) and waits for it to exit. */
  async down(signal: NodeJS.Signals = 'SIGKILL') {
    const proc = this.proc;
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return proc?.exited;
    proc.child.kill(signal);
    const exited = await proc.exited;
    this.proc = undefined;
    return exited;
  }

  /** Stops the server for good and removes its file. */
  async close(): Promise<void> {
    await this.down('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
