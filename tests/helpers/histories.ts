// RECORD_HISTORIES=1 adds a test's workflow run to the replay corpus (tests/workflows/replay.test.ts),
// so a later change that breaks its determinism fails the build. Files are never overwritten.
import { existsSync, writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR } from '../../scripts/lib/histories';

export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const file = `${HISTORIES_DIR}${name}.json`;
  if (existsSync(file)) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(file, historyToJSON(history));
}
