// A campaign of N recipients on the sandbox provider with no pacing limit, worked by the product's
// own worker process (worker/main.ts): the body of bench/campaign and of the 10k test in CI.
// Measures the campaign's dispatch rate, the worker's peak RSS and the longest history, and the dev
// server's raw `client.workflow.start` rate for an empty workflow: in bursts before the campaign
// and after it (worker stopped), since on this machine one burst's rate swings by a quarter within
// a minute.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { launchCampaign } from '../../api/campaigns/launch';
import { tenantDbFor } from '../../api/tenant-scope';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ScaleDeps {
  db: Db;
  databaseUrl: string;
  client: Client;
  temporalAddress: string;
  taskQueue: string;
  encryptionKey: string;
  log?: (line: string) => void;
}

export interface ScaleResult {
  tenantId: string;
  campaignId: string;
  recipients: number;
  /** All the raw bursts' starts over all their time. */
  rawStartsPerSecond: number;
  /** Each burst's rate, in order: `rawBefore` before the campaign, the rest after it. */
  rawBursts: number[];
  rawBefore: number;
  rawBurstSize: number;
  dispatchPerSecond: number;
  ratio: number;
  dispatchSeconds: number;
  totalSeconds: number;
  byStatus: Record<string, number>;
  workerPeakRssMb: number;
  campaignRuns: number;
  longestCampaignHistory: number;
  longestJourneyHistory: number;
}

/** Starts `n` workflows of a type no worker polls for, `concurrency` at a time: the server's own start rate. */
export async function rawStartRate(client: Client, n: number, concurrency = 64): Promise<number> {
  const queue = `bench-noop-${Date.now()}`;
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await client.workflow.start('noop', { workflowId: `${queue}-${i}`, taskQueue: queue, args: [] });
      }
    }),
  );
  const rate = n / ((performance.now() - t) / 1000);
  // Out of the way: they would never run.
  await Promise.all(
    Array.from({ length: concurrency }, async (_, k) => {
      for (let i = k; i < n; i += concurrency)
        await client.workflow
          .getHandle(`${queue}-${i}`)
          .terminate('benchmark')
          .catch(() => undefined);
    }),
  );
  return rate;
}

/** The worker process, as `npm start` runs it. Node with tsx's loader, so its pid is the worker's. */
function startWorker(deps: ScaleDeps): { child: ChildProcess; output: () => string } {
  let out = '';
  // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker.
  const extra = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'worker/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: deps.databaseUrl,
      TEMPORAL_ADDRESS: deps.temporalAddress,
      TEMPORAL_TASK_QUEUE: deps.taskQueue,
      SWITCHBOARD_ENCRYPTION_KEYS: deps.encryptionKey,
      SWITCHBOARD_SANDBOX_FALLBACK: 'true',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, output: () => out };
}

/** The kernel's high-water mark of the process's resident set (VmHWM). */
function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Raw bursts before the campaign, and as many after it. */
const RAW_BURSTS_EACH_SIDE = 2;
/** Between stopping the worker and the bursts after: the server finishes what it was doing. */
const SETTLE_MS = 10_000;

export async function runCampaignAtScale(
  deps: ScaleDeps,
  recipients: number,
  { stopAfterDispatch = false } = {},
): Promise<ScaleResult> {
  const log = deps.log ?? (() => undefined);
  const { db } = deps;
  const tenant = await db.tenant.create({ data: { name: 'scale', slug: `scale-${Date.now()}` } });
  // Contacts where it is daytime (marketing keeps 8:00–21:00 on the recipient's clock).
  const ahead = ((13 - new Date().getUTCHours() + 36) % 24) - 12;
  const zone = ahead === 0 ? 'Etc/UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
  for (let i = 0; i < recipients; i += 10_000) {
    await db.contact.createMany({
      data: Array.from({ length: Math.min(10_000, recipients - i) }, (_, k) => ({
        tenantId: tenant.id,
        firstName: `R${i + k}`,
        phone: `+1415${String(1_000_000 + i + k).padStart(7, '0')}`,
        timeZone: zone,
        tags: ['scale'],
      })),
    });
  }
  const segment = await db.segment.create({
    data: {
      tenantId: tenant.id,
      name: 'everyone',
      filter: toJson({ match: 'all', conditions: [{ type: 'tag', op: 'has', value: 'scale' }] }),
    },
  });
  log(`seeded ${recipients} contacts`);

  const rawN = Math.min(5_000, Math.max(1_000, Math.floor(recipients / 10)));
  const rawBursts: number[] = [];
  const rawBurst = async (when: string) => {
    const rate = await rawStartRate(deps.client, rawN);
    rawBursts.push(rate);
    log(`raw client.workflow.start ${when}: ${rate.toFixed(0)}/s over ${rawN} empty workflows`);
  };
  for (let i = 0; i < RAW_BURSTS_EACH_SIDE; i++) await rawBurst('before the campaign');

  const worker = startWorker(deps);
  for (let i = 0; !worker.output().includes('worker polling'); i++) {
    if (worker.child.exitCode !== null || i > 600) throw new Error(`the worker did not start:\n${worker.output()}`);
    await sleep(100);
  }
  let measured: Omit<ScaleResult, 'rawStartsPerSecond' | 'rawBursts' | 'rawBefore' | 'rawBurstSize' | 'ratio'>;
  try {
    const campaign = await db.campaign.create({
      data: {
        tenantId: tenant.id,
        name: `Scale ${recipients}`,
        audience: toJson({ segmentId: segment.id }),
        work: toJson({ kind: 'message', channel: 'sms', text: 'Hello {{contact.firstName}}' }),
        settings: toJson({}),
      },
    });
    const launchedAt = performance.now();
    await launchCampaign(
      { db: tenantDbFor(db, tenant.id), temporal: deps.client, taskQueue: deps.taskQueue },
      tenant.id,
      campaign,
    );
    log(`launched (snapshot of ${recipients} recipients: ${((performance.now() - launchedAt) / 1000).toFixed(1)} s)`);
    const dispatchFrom = performance.now();
    let dispatchSeconds = Number.NaN;
    let lastLog = 0;
    for (;;) {
      // One scan a second: on two cores, watching the campaign must not cost it much.
      const [[progress], row] = await Promise.all([
        db.$queryRaw<{ started: bigint; finished: bigint }[]>`
          SELECT count(*) FILTER (WHERE attempts > 0 AND status <> 'starting') AS started, count("finishedAt") AS finished
            FROM "CampaignRecipient" WHERE "campaignId" = ${campaign.id}::uuid`,
        db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { status: true } }),
      ]);
      const started = Number(progress?.started ?? 0);
      const finished = Number(progress?.finished ?? 0);
      const now = performance.now();
      if (Number.isNaN(dispatchSeconds) && started >= recipients) dispatchSeconds = (now - dispatchFrom) / 1000;
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(
          `  ${((now - dispatchFrom) / 1000).toFixed(0)} s: ${started} started, ${finished} finished, campaign ${row.status}`,
        );
      }
      if (row.status === 'completed' || row.status === 'cancelled') break;
      // STOP_AFTER_DISPATCH=1: the ratio without waiting hours for 100k journeys to drain.
      if (stopAfterDispatch && !Number.isNaN(dispatchSeconds)) break;
      if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
      await sleep(1_000);
    }
    const totalSeconds = (performance.now() - dispatchFrom) / 1000;
    if (Number.isNaN(dispatchSeconds)) dispatchSeconds = totalSeconds;
    const rows = await db.campaignRecipient.groupBy({
      by: ['status'],
      where: { campaignId: campaign.id },
      _count: { _all: true },
    });
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    const workerPeakRssMb = peakRssMb(worker.child.pid ?? 0);

    let campaignRuns = 0;
    let longestCampaignHistory = 0;
    for await (const run of deps.client.workflow.list({ query: `WorkflowId = 'campaign-${campaign.id}'` })) {
      campaignRuns++;
      const history = await deps.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      longestCampaignHistory = Math.max(longestCampaignHistory, history.events?.length ?? 0);
    }
    // Journeys that ran to the end where there are any (STOP_AFTER_DISPATCH leaves most running).
    const sample = await db.campaignRecipient.findMany({
      where: { campaignId: campaign.id, status: { in: ['completed', 'failed', 'running'] } },
      orderBy: { finishedAt: { sort: 'desc', nulls: 'last' } },
      select: { workflowId: true },
      take: 5,
    });
    let longestJourneyHistory = 0;
    for (const r of sample) {
      if (!r.workflowId) continue;
      const history = await deps.client.workflow.getHandle(r.workflowId).fetchHistory();
      longestJourneyHistory = Math.max(longestJourneyHistory, history.events?.length ?? 0);
    }
    measured = {
      tenantId: tenant.id,
      campaignId: campaign.id,
      recipients,
      dispatchPerSecond: recipients / dispatchSeconds,
      dispatchSeconds,
      totalSeconds,
      byStatus,
      workerPeakRssMb,
      campaignRuns,
      longestCampaignHistory,
      longestJourneyHistory,
    };
  } finally {
    worker.child.kill('SIGTERM');
    await new Promise((r) => worker.child.once('exit', r));
  }
  // After: the server now holds the campaign's workflows, as it did for most of the dispatch. With
  // STOP_AFTER_DISPATCH most journeys are still open, but with no worker they cost it nothing.
  await sleep(SETTLE_MS);
  for (let i = 0; i < RAW_BURSTS_EACH_SIDE; i++) await rawBurst('after the campaign');
  // Every burst has the same size, so this is all their starts over all their time.
  const rawStartsPerSecond = rawBursts.length / rawBursts.reduce((sum, rate) => sum + 1 / rate, 0);
  return {
    ...measured,
    rawStartsPerSecond,
    rawBursts,
    rawBefore: RAW_BURSTS_EACH_SIDE,
    rawBurstSize: rawN,
    ratio: measured.dispatchPerSecond / rawStartsPerSecond,
  };
}
