import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { ChannelTestServer, twilioSmsChannel } from '../helpers/channels';
import { type Proc, startProcess, waitFor } from '../helpers/processes';
import { TwilioStandIn } from '../stand-ins/twilio';

/**
 * A worker killed in the middle of a send. The worker is the product's own process
 * (worker/main.ts); the API runs in the test process on the same Temporal dev server and database.
 * The Twilio stand-in accepts the message and never answers; the worker is SIGKILLed right then,
 * so the activity's outcome is unknown to everyone but Twilio. A second worker takes the retry
 * once the attempt's start-to-close timeout (30 s for sendMessage) expires, and the ledger
 * reconciles through Twilio's message list instead of sending again.
 *
 * The reverse (the provider answered, the worker died before completing the activity: the retry
 * finds the ledger's recorded success and does not call the provider) is covered by
 * tests/workflows/run-flow.dev-server.test.ts, "does not call the provider again when the
 * activity completed but its result was lost".
 */
let server: ChannelTestServer;
let standIn: TwilioStandIn;
const workers: Proc[] = [];

beforeAll(async () => {
  // No worker in this process: each one here is worker/main.ts, started by the test.
  [server, standIn] = await Promise.all([ChannelTestServer.start({ worker: false }), TwilioStandIn.start()]);
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await server?.stop(() => standIn?.close());
});

/**
 * worker/main.ts as its own process. Run by node with tsx's loader rather than through the tsx
 * CLI, which would run the worker in a child process that a SIGKILL of the CLI leaves running.
 */
async function startWorker(): Promise<Proc> {
  const proc = startProcess(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    DATABASE_URL: server.database.url,
    TEMPORAL_ADDRESS: server.env.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    SWITCHBOARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    SWITCHBOARD_PUBLIC_URL: server.baseUrl,
    SWITCHBOARD_SANDBOX_FALLBACK: 'false',
    LOG_LEVEL: 'warn',
  });
  workers.push(proc);
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`the worker exited:\n${proc.output()}`);
      return proc.output().includes('worker polling') ? true : undefined;
    },
    'the worker to poll',
    60_000,
  );
  return proc;
}

describe('a worker killed in the middle of a send', () => {
  it('the retry on another worker reconciles through Twilio: the run completes, one message sent', async () => {
    const phone = '+14155550501';
    const t = await server.tenantWithChannel('worker-crash', phone, twilioSmsChannel(standIn));

    const first = await startWorker();
    standIn.failNextMessageCreates(1, { kind: 'accept-then-hang' });
    const run = await server.startRun(t.token, t.flow.id, t.contact.id);

    // Twilio has the message; the worker is waiting for an answer that will not come. Kill it.
    await waitFor(async () => (standIn.acceptedCount({ to: phone }) === 1 ? true : undefined), 'Twilio to accept');
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });

    const ledgerAtCrash = await server.database.db.outboundAction.findFirstOrThrow({
      where: { workflowId: run.workflowId },
    });
    expect(ledgerAtCrash).toMatchObject({ status: 'pending', attempts: 1 });
    expect(ledgerAtCrash.lastAttemptAt).not.toBeNull();

    await startWorker();
    const done = await server.finished(run.id, 90_000, 'the run to finish on the second worker');
    expect(done).toMatchObject({ status: 'completed', outcome: 'welcomed' });

    // Exactly one message at Twilio: the retry looked it up instead of creating another.
    expect(standIn.acceptedCount({ to: phone })).toBe(1);
    const creates = standIn.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
    expect(creates).toHaveLength(1);
    const lookups = standIn.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'));
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((r) => r.query.get('To') === phone)).toBe(true);

    const [sent] = standIn.acceptedMessages({ to: phone });
    const ledger = await server.database.db.outboundAction.findFirstOrThrow({ where: { workflowId: run.workflowId } });
    expect(ledger).toMatchObject({ status: 'succeeded', attempts: 1, response: { providerMessageId: sent?.sid } });
    const message = await server.database.db.message.findFirstOrThrow({ where: { workflowId: run.workflowId } });
    expect(message).toMatchObject({ providerMessageId: sent?.sid, status: 'sent', body: 'Hi Grace!' });
    expect(await server.database.db.message.count({ where: { workflowId: run.workflowId } })).toBe(1);
  }, 180_000);
});
