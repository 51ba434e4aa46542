import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type RawWebhook, WebhookRejected } from '../types';

/** Form parameters as a webhook carries them: a name may repeat (MediaUrl, StatusCallbackEvent…). */
export type TwilioParams = Record<string, string | string[]>;

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + each POST parameter's name and value,
 * sorted by name)). A repeated name contributes one name+value per value, values sorted, which is
 * how Twilio signs them (twilio-node #722).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort(byCodePoint)) {
    const value = params[name];
    const values = Array.isArray(value) ? [...value].sort(byCodePoint) : [value ?? ''];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Twilio orders by Unicode code point; localeCompare would not. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Throws WebhookRejected unless the request carries Twilio's signature for `raw.url`.
 * Form webhooks are signed over the URL and `params` (the decoded form body); JSON webhooks are
 * signed over the URL alone, which then carries `bodySHA256`, the hex SHA-256 of the raw body.
 */
export function verifyTwilioWebhook(authToken: string, raw: RawWebhook, params: TwilioParams): void {
  const signature = header(raw.headers, 'x-twilio-signature');
  if (!signature) throw new WebhookRejected(401, 'signature_missing', 'X-Twilio-Signature header is missing');

  const bodyHash = bodySha256Param(raw.url);
  const signedParams = bodyHash === undefined ? params : {};
  const given = Buffer.from(signature, 'utf8');
  const matches = urlVariants(raw.url).some((url) =>
    constantTimeEqual(given, Buffer.from(twilioSignature(authToken, url, signedParams), 'utf8')),
  );
  if (!matches) throw new WebhookRejected(403, 'signature_invalid', 'X-Twilio-Signature does not match this request');

  if (bodyHash !== undefined) {
    const actual = createHash('sha256').update(raw.rawBody).digest('hex');
    if (!constantTimeEqual(Buffer.from(bodyHash.toLowerCase(), 'utf8'), Buffer.from(actual, 'utf8'))) {
      throw new WebhookRejected(403, 'signature_invalid', 'bodySHA256 does not match the request body');
    }
  }
}

function bodySha256Param(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  return new URLSearchParams(url.slice(query + 1).split('#')[0]).get('bodySHA256') ?? undefined;
}

/**
 * The URL as received, and without / with the scheme's default port: Twilio signs the URL as
 * configured, while proxies and frameworks add or drop ":443" / ":80" on the way to us. The string
 * is edited, never re-serialised through `new URL`, which would re-encode what Twilio signed.
 */
export function urlVariants(url: string): string[] {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!match) return [url];
  const [, scheme = '', authority = '', rest = ''] = match;
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : scheme.toLowerCase() === 'http' ? '80' : undefined;
  if (!defaultPort) return [url];
  const userInfoEnd = authority.lastIndexOf('@') + 1;
  const userInfo = authority.slice(0, userInfoEnd);
  const hostPort = authority.slice(userInfoEnd);
  // A colon inside an IPv6 literal's brackets is not a port separator.
  const portStart = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = portStart === -1 ? hostPort : hostPort.slice(0, portStart);
  const port = portStart === -1 ? '' : hostPort.slice(portStart + 1);
  const prefix = `${scheme}://${userInfo}${host}`;
  if (port === '') return [url, `${prefix}:${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${prefix}${rest}`];
  return [url];
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // The expected length is fixed by the algorithm, so an early length check leaks nothing secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(headers: RawWebhook['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value) return value;
  }
  return undefined;
}
