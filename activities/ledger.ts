import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import type { Db } from '../prisma/client';
import { toJson } from '../prisma/json';
import { BusinessError } from './errors';
import { TransientSendError } from './providers/types';

export interface LedgerEntry {
  tenantId: string;
  idempotencyKey: string;
  workflowId: string;
  kind: string;
  request: unknown;
}

export interface OnceOptions<T> {
  /**
   * Asked before acting again when an earlier attempt's outcome is unknown (it may have reached
   * the provider: a timeout, a reset connection, a worker killed mid-call). Returns the earlier
   * attempt's result if the provider (or a delivery receipt) shows it happened, else null.
   */
  reconcile?: (since: Date) => Promise<T | null>;
}

/**
 * Performs an outbound side effect at most once per idempotency key. The ledger row is written
 * before the provider is called (and the key is passed on to it); a retry that finds a settled row
 * returns its result, or its business failure, instead of acting again. A retry that finds an
 * attempt of unknown outcome reconciles first (see OnceOptions), and only then calls again with
 * the same key.
 */
export async function onceByKey<T>(
  db: Db,
  entry: LedgerEntry,
  resultSchema: z.ZodType<T>,
  perform: () => Promise<T>,
  options: OnceOptions<T> = {},
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
  const settle = async (result: T) => {
    await db.outboundAction.update({ where: { id: row.id }, data: { status: 'succeeded', response: toJson(result) } });
    return result;
  };
  if (row.lastAttemptAt && options.reconcile) {
    const earlier = await options.reconcile(row.lastAttemptAt);
    if (earlier) return settle(earlier);
  }
  await db.outboundAction.update({
    where: { id: row.id },
    data: { attempts: { increment: 1 }, lastAttemptAt: new Date() },
  });
  try {
    return await settle(await perform());
  } catch (err) {
    if (err instanceof TransientSendError && err.outcome === 'not-sent') {
      // The provider answered with an error: nothing happened, so the retry need not reconcile.
      await db.outboundAction.update({ where: { id: row.id }, data: { lastAttemptAt: null } });
    }
    if (!(err instanceof BusinessError)) throw toRetryable(err);
    await db.outboundAction.update({
      where: { id: row.id },
      data: { status: 'failed', response: { error: err.type, message: err.message } },
    });
    throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
  }
}

/** Transient provider errors retry, after the provider's Retry-After when it gave one. */
function toRetryable(err: unknown): unknown {
  if (!(err instanceof TransientSendError)) return err;
  return ApplicationFailure.create({
    type: err.outcome === 'unknown' ? 'ProviderOutcomeUnknown' : 'ProviderUnavailable',
    message: err.message,
    nonRetryable: false,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}
