// npm run replay -- <workflowId | history.json>...
// Replays recorded workflow histories against the current workflow code and reports the first
// divergence. A workflow ID is fetched from TEMPORAL_ADDRESS (default 127.0.0.1:7233).
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../worker/bundle';
import { readHistoryFile } from './lib/histories';

const targets = process.argv.slice(2);
if (targets.length === 0) {
  process.stderr.write('usage: npm run replay -- <workflowId | history.json>...\n');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('ERROR') });
const bundle = await bundleWorkflows();
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
process.exitCode = failures ? 1 : 0;
