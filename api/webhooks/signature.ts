import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (the scheme of Stripe's `Stripe-Signature`, in Switchboard's headers).
 *
 * Every delivery carries:
 *
 * - `x-switchboard-timestamp`: unix seconds when this attempt was sent;
 * - `x-switchboard-signature`: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`;
 * - `x-switchboard-delivery`: the delivery id (the same on every retry: dedupe on it);
 * - `x-switchboard-event`: the event type.
 *
 * To verify, a receiver takes the raw request body exactly as received (before any JSON
 * parsing), recomputes the HMAC over `"<timestamp>.<raw body>"` with the subscription's signing
 * secret (`whsec_…`, shown once on creation and on rotation), compares it in constant time with
 * each `v1=` value of the header (a header may carry several, comma-separated), and refuses a
 * timestamp further than a tolerance (5 minutes) from its own clock, so a captured request
 * cannot be replayed later. The secret is used as UTF-8 bytes, prefix included.
 *
 * This file depends on node:crypto only: receivers can copy it.
 */
export function signWebhook(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The `x-switchboard-signature` header value for a body. */
export function signatureHeader(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  return `v1=${signWebhook(secret, timestamp, rawBody)}`;
}

/**
 * True when `header` carries a valid `v1` signature of `"<timestamp>.<rawBody>"` under `secret`
 * and the timestamp is within `toleranceSeconds` of now (`nowSeconds`, for tests).
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: number | string | undefined,
  rawBody: string | Buffer,
  header: string | undefined,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (timestamp === undefined || !header) return false;
  const ts = typeof timestamp === 'number' ? timestamp : /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isSafeInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, rawBody), 'hex');
  return header.split(',').some((part) => {
    const [scheme, value] = part.trim().split('=', 2);
    if (scheme !== 'v1' || !value || !/^[0-9a-f]{64}$/i.test(value)) return false;
    return timingSafeEqual(expected, Buffer.from(value, 'hex'));
  });
}
