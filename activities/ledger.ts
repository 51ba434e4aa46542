import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import type { Db } from '../prisma/client';
import { toJson } from '../prisma/json';
import { BusinessError } from './errors';

export interface LedgerEntry {
  tenantId: string;
  idempotencyKey: string;
  workflowId: string;
  kind: string;
  request: unknown;
}

/**
 * Performs an outbound side effect at most once per idempotency key. The ledger row is written
 * before the provider is called (and the key is passed on to it); a retry that finds a settled row
 * returns its result, or its business failure, instead of acting again. A retry that finds a
 * pending row calls again with the same key, which the provider dedupes.
 */
export async function onceByKey<T>(
  db: Db,
  entry: LedgerEntry,
  resultSchema: z.ZodType<T>,
  perform: () => Promise<T>,
): Promise<T> {
  const row = await db.outboundAction.upsert({
    where: { idempotencyKey: entry.idempotencyKey },
    create: { ...entry, request: toJson(entry.request), status: 'pending' },
    update: {},
  });
  if (row.status === 'succeeded') return resultSchema.parse(row.response);
  if (row.status === 'failed') {
    const failure = (row.response ?? {}) as { error?: string; message?: string };
    throw ApplicationFailure.create({
      type: failure.error ?? 'Failed',
      message: failure.message ?? 'failed earlier',
      nonRetryable: true,
    });
  }
  try {
    const result = await perform();
    await db.outboundAction.update({ where: { id: row.id }, data: { status: 'succeeded', response: toJson(result) } });
    return result;
  } catch (err) {
    if (!(err instanceof BusinessError)) throw err; // transient: Temporal retries with the same key
    await db.outboundAction.update({
      where: { id: row.id },
      data: { status: 'failed', response: { error: err.type, message: err.message } },
    });
    throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
  }
}
