import { ApplicationFailure } from '@temporalio/activity';
import { Secrets } from '../../api/crypto/secrets';
import { signatureHeader } from '../../api/webhooks/signature';
import type { Db } from '../../prisma/client';
import { BusinessError } from '../errors';
import { assertPublicDestination, privateUrlsAllowed } from '../http/destination';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
const MAX_ERROR_CHARS = 500;

export interface WebhookActivityDeps {
  db: Db;
  /** Opens the sealed signing secrets. Defaults to SWITCHBOARD_ENCRYPTION_KEYS, read at first use. */
  secrets?: Secrets;
  fetchImpl?: typeof fetch;
  /** Receivers on loopback or private networks (development); see activities/http/destination.ts. */
  allowPrivateUrls?: boolean;
}

function secretsFromEnv(): Secrets {
  const keys = (process.env.SWITCHBOARD_ENCRYPTION_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  // Thrown as a retryable error: a worker redeployed with the keys picks the delivery up.
  if (keys.length === 0) throw new Error('SWITCHBOARD_ENCRYPTION_KEYS is not set on the worker: cannot sign webhooks');
  return new Secrets(keys);
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), capped at an hour. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

const fail = (type: string, message: string, nonRetryable: boolean, nextRetryDelay?: number) =>
  ApplicationFailure.create({
    type,
    message,
    nonRetryable,
    ...(nextRetryDelay === undefined ? {} : { nextRetryDelay }),
  });

export function createWebhookActivities({
  db,
  secrets,
  fetchImpl = fetch,
  allowPrivateUrls = privateUrlsAllowed(),
}: WebhookActivityDeps) {
  let opener = secrets;
  const open = (sealed: string) => {
    opener ??= secretsFromEnv();
    return opener.open(sealed);
  };

  async function record(deliveryId: string, lastStatusCode: number | null, lastError: string | null, attempted = true) {
    await db.webhookDelivery.update({
      where: { id: deliveryId },
      data: {
        ...(attempted ? { attempts: { increment: 1 } } : {}),
        lastStatusCode,
        lastError: lastError?.slice(0, MAX_ERROR_CHARS) ?? null,
      },
    });
  }

  return {
    /**
     * One signed POST of a delivery's payload (see api/webhooks/signature.ts for the scheme).
     * 2xx: done. 410: the subscription is disabled, no retry. Other 4xx but 408/429, and 3xx: no
     * retry. 5xx, 408, 429, timeouts and network errors: retried by the workflow's policy, after
     * Retry-After when the receiver sends one. Every attempt counts in `attempts` and leaves its
     * status code and error on the row.
     */
    async deliverWebhookOnce({ deliveryId }: { deliveryId: string }): Promise<{ statusCode: number }> {
      const delivery = await db.webhookDelivery.findUnique({
        where: { id: deliveryId },
        include: { subscription: true },
      });
      if (!delivery) throw fail('DeliveryNotFound', `webhook delivery ${deliveryId} does not exist`, true);
      if (delivery.status === 'delivered') return { statusCode: delivery.lastStatusCode ?? 200 };
      const sub = delivery.subscription;
      if (sub.deletedAt || !sub.active) {
        await record(deliveryId, null, 'not sent: the subscription is disabled or deleted', false);
        throw fail('SubscriptionDisabled', 'the webhook subscription is disabled or deleted', true);
      }

      try {
        await assertPublicDestination(new URL(sub.url), allowPrivateUrls);
      } catch (err) {
        if (!(err instanceof BusinessError)) throw err;
        await record(deliveryId, null, `not sent: ${err.message}`, false);
        throw fail(err.type, err.message, true);
      }
      const body = JSON.stringify(delivery.payload);
      const timestamp = Math.floor(Date.now() / 1000);
      let res: Response;
      try {
        res = await fetchImpl(sub.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Switchboard-Webhooks/1',
            'x-switchboard-event': delivery.eventType,
            'x-switchboard-delivery': delivery.id,
            'x-switchboard-timestamp': String(timestamp),
            'x-switchboard-signature': signatureHeader(open(sub.secret), timestamp, body),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (err) {
        const message =
          err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
            ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
            : `could not reach the receiver: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
        await record(deliveryId, null, message);
        throw fail('WebhookUnreachable', message, false);
      }
      const text = await res.text().catch(() => '');
      const status = res.status;
      if (status >= 200 && status < 300) {
        await record(deliveryId, status, null);
        return { statusCode: status };
      }
      const error = `the receiver answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      await record(deliveryId, status, error);
      if (status === 410) {
        await db.webhookSubscription.update({ where: { id: sub.id }, data: { active: false } });
        throw fail('WebhookGone', `${error}; the subscription is disabled`, true);
      }
      if (status >= 500 || status === 408 || status === 429) {
        throw fail('WebhookRetryable', error, false, retryAfterMs(res.headers.get('retry-after')));
      }
      // 3xx (redirects are not followed: update the URL) and the other 4xx.
      throw fail('WebhookRejected', error, true);
    },

    /** Settles a delivery row once its workflow is done with it. */
    async recordWebhookOutcome({ deliveryId, status }: { deliveryId: string; status: 'delivered' | 'failed' }) {
      await db.webhookDelivery.update({
        where: { id: deliveryId },
        data: { status, deliveredAt: status === 'delivered' ? new Date() : null },
      });
    },
  };
}
