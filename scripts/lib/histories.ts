import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = new URL('../../tests/fixtures/histories/', import.meta.url).pathname;

export interface HistoryFixture {
  file: string;
  workflowId: string;
  history: temporal.api.history.v1.IHistory;
}

/** Reads one history exported as JSON (by `temporal workflow show --output json`, the UI, or our recorder). */
export function readHistoryFile(file: string): temporal.api.history.v1.IHistory {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return historyFromJSON(raw);
}

export function listHistoryFixtures(dir = HISTORIES_DIR): HistoryFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: join(dir, f), workflowId: f.replace(/\.json$/, ''), history: readHistoryFile(join(dir, f)) }));
}
