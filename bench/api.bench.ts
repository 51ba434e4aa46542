// bench/api: the real app (buildApp: auth with an API key, tenant scope, zod schemas, PostgreSQL)
// answering an authenticated GET /v1/contacts/:id, against a bare Fastify route returning the same
// JSON, both listening on loopback and driven by the same keep-alive load loop (its own thread).
// Prints requests per second, their ratio (target ≥ 0.5) and p99 latency; asserts nothing.
import type { AddressInfo } from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../api/app';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries.mjs';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../tests/helpers/app';
import { seedTenant } from '../tests/helpers/fixtures';
import { load as loadInWorker } from './lib/http-load.mjs';
import { scratchDatabase } from './lib/scratch-db';

const CONCURRENCY = 32;
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const WARMUP = 1_000;
/** Each run stops at this deadline even if it has not sent every request. */
const MAX_MS = 30_000;

Runtime.install({ logger: new DefaultLogger('ERROR') });
const scratch = await scratchDatabase('api');
const url = scratch.url;
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: ensureTemporalBinaries().cli } },
});
const db = scratch.db;

interface Result {
  done: number;
  failed: number;
  seconds: number;
  latencies: number[];
}

const load = (port: number, path: string, headers: Record<string, string>, total: number): Promise<Result> =>
  loadInWorker({ port, path, headers, total, concurrency: CONCURRENCY, maxMs: MAX_MS });

const listen = async (app: FastifyInstance) => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
};

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? Number.NaN;
const line = (name: string, r: Result) =>
  `${name.padEnd(10)} ${(r.done / r.seconds).toFixed(0).padStart(6)} req/s   p99 ${p99(r.latencies).toFixed(2)} ms   (${r.done} ok, ${r.failed} failed, ${r.seconds.toFixed(1)} s)`;

let real: FastifyInstance | undefined;
let bare: FastifyInstance | undefined;
let bareDb: FastifyInstance | undefined;
const rawPool = new pg.Pool({ connectionString: url, max: 10 });
try {
  const seeded = await seedTenant(db, 'bench');
  real = await buildApp({
    db,
    temporal: env.client,
    taskQueue: 'switchboard-bench',
    databaseUrl: url, // LISTENs for contact changes, which is what lets the read cache serve
    logLevel: 'warn',
    jwtSecret: TEST_JWT_SECRET,
    encryptionKeys: [TEST_ENCRYPTION_KEY],
  });
  const realPort = await listen(real);
  const path = `/v1/contacts/${seeded.contact.id}`;
  const headers = { authorization: `Bearer ${seeded.token}` };
  const body = await fetch(`http://127.0.0.1:${realPort}${path}`, { headers }).then((r) => r.text());

  bare = Fastify({ logger: false });
  bare.get('/v1/contacts/:id', (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  const barePort = await listen(bare);
  // The same route reading the same row with one raw SQL query: what any real endpoint must pay.
  bareDb = Fastify({ logger: false });
  bareDb.get<{ Params: { id: string } }>('/v1/contacts/:id', async (req) => {
    const { rows } = await rawPool.query({
      name: 'contact',
      text: 'SELECT * FROM "Contact" WHERE id = $1',
      values: [req.params.id],
    });
    return rows[0];
  });
  const bareDbPort = await listen(bareDb);

  // Warm both (JIT, connection pool), then measure bare first and the app second, same loop.
  await load(barePort, path, headers, WARMUP);
  await load(realPort, path, headers, WARMUP);
  await load(bareDbPort, path, headers, WARMUP);
  const uncachedHeaders = { ...headers, 'cache-control': 'no-cache' };
  const b = await load(barePort, path, headers, REQUESTS);
  const bq = await load(bareDbPort, path, headers, REQUESTS);
  const r = await load(realPort, path, headers, REQUESTS);
  const ru = await load(realPort, path, uncachedHeaders, REQUESTS);
  const rps = (x: { done: number; seconds: number }) => x.done / x.seconds;
  const ratio = rps(r) / rps(b);
  process.stdout.write(
    [
      `GET /v1/contacts/:id, ${CONCURRENCY} keep-alive connections, ${REQUESTS} requests each (at most ${MAX_MS / 1000} s)`,
      line('bare', b),
      line('bare+sql', bq),
      line('app', r),
      line('app fresh', ru),
      `ratio app/bare: ${ratio.toFixed(2)} (target ≥ 0.5; the contact read cache answering)`,
      `ratio app fresh/bare: ${(rps(ru) / rps(b)).toFixed(2)} (Cache-Control: no-cache, a Prisma read per request)`,
      `ratio app fresh/bare+sql (the stack's own cost: auth, tenant scope, zod, Prisma): ${(rps(ru) / rps(bq)).toFixed(2)}`,
      '',
    ].join('\n'),
  );
} finally {
  await bare?.close();
  await bareDb?.close();
  await rawPool.end();
  await real?.close();
  await scratch.drop();
}
