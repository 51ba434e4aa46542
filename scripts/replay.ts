// npm run replay -- [--workflows <path>] <workflowId | history.json | directory>...
// Replays recorded workflow histories against the current workflow code (or the workflows module
// at <path>) and reports the first divergence. A workflow ID is fetched from TEMPORAL_ADDRESS
// (default 127.0.0.1:7233); a directory means every *.json history in it.
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../worker/bundle';
import { listHistoryFixtures, readHistoryFile } from './lib/histories';

const args = process.argv.slice(2);
const flag = args.indexOf('--workflows');
const workflowsPath = flag >= 0 ? args.splice(flag, 2)[1] : undefined;
const targets = args.flatMap((t) =>
  existsSync(t) && statSync(t).isDirectory() ? listHistoryFixtures(resolve(t)).map((f) => f.file) : [t],
);
if (targets.length === 0) {
  process.stderr.write('usage: npm run replay -- [--workflows <path>] <workflowId | history.json | directory>...\n');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('ERROR') });
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const bundle = workflowsPath
  ? await bundleWorkflowCode({ workflowsPath: resolve(workflowsPath), logger: quiet })
  : await bundleWorkflows();
let connection: Connection | undefined;
let failures = 0;
for (const target of targets) {
  let history: Awaited<ReturnType<typeof readHistoryFile>>;
  let workflowId: string;
  if (existsSync(target)) {
    history = readHistoryFile(target);
    workflowId = basename(target).replace(/\.json$/, '');
  } else {
    connection ??= await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    history = await client.workflow.getHandle(target).fetchHistory();
    workflowId = target;
  }
  try {
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'replay-cli' }, history, workflowId);
    process.stdout.write(`ok       ${workflowId} (${history.events?.length ?? 0} events)\n`);
  } catch (err) {
    failures++;
    process.stdout.write(`DIVERGED ${workflowId}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
await connection?.close();
process.stdout.write(`${targets.length - failures} passed, ${failures} failed\n`);
process.exitCode = failures ? 1 : 0;
