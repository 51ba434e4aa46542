import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';

/** Input of `deliverWebhook`: one delivery row. The name and this shape are permanent. */
export interface DeliverWebhookInput {
  deliveryId: string;
  /** First retry delay; doubles per attempt up to an hour. Tests shorten it. */
  retryInitialIntervalMs?: number;
}

export type WebhookOutcome = 'delivered' | 'failed';

type Activities = typeof activities;

const { recordWebhookOutcome } = proxyActivities<Pick<Activities, 'recordWebhookOutcome'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 50 },
});

/**
 * Delivers one webhook: POSTs until the receiver answers 2xx, for up to 15 attempts over at most
 * 24 hours (10 s, 20 s, 40 s, … capped at an hour apart; a Retry-After answer sets the next delay),
 * then records the outcome. A 410, another 4xx (but 408/429), or a disabled subscription ends it
 * at once as failed.
 */
export async function deliverWebhook(input: DeliverWebhookInput): Promise<{ status: WebhookOutcome }> {
  const { deliverWebhookOnce } = proxyActivities<Pick<Activities, 'deliverWebhookOnce'>>({
    // One attempt: a 10 s request timeout plus loading and recording the row.
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '24 hours',
    retry: {
      initialInterval: input.retryInitialIntervalMs ?? 10_000,
      backoffCoefficient: 2,
      maximumInterval: '1 hour',
      maximumAttempts: 15,
    },
  });
  let status: WebhookOutcome = 'delivered';
  try {
    await deliverWebhookOnce({ deliveryId: input.deliveryId });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    status = 'failed';
  }
  await recordWebhookOutcome({ deliveryId: input.deliveryId, status });
  return { status };
}
