import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawWebhook } from '../../../activities/providers/types';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a provider webhook (signatures are computed over them). */
    rawBody: Buffer | null;
  }
}

/** Provider webhooks are small; anything larger is refused before it is read whole. */
export const HOOK_BODY_LIMIT = 1024 * 1024;

export type FormParams = Record<string, string | string[]>;

/**
 * Body parsers for the /hooks scope: every body is kept raw (for signature checks) and parsed:
 * form bodies to a name → value(s) record, JSON to a value, anything else left as the raw bytes.
 */
export function registerRawBodyParsers(app: FastifyInstance): void {
  app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, parseForm((body as Buffer).toString('utf8')));
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    if ((body as Buffer).length === 0) return done(null, {});
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      const err = new Error('the body is not valid JSON') as Error & { statusCode: number; code: string };
      err.statusCode = 400;
      err.code = 'invalid_webhook';
      done(err, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });
}

export function parseForm(text: string): FormParams {
  const out: FormParams = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** The first value of a form field. */
export function field(params: FormParams, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The URL the provider posted to, as it knows it: providers sign the public URL they were given,
 * which behind a proxy differs from the socket's. SWITCHBOARD_PUBLIC_URL names it; without it the
 * Host header and scheme of this request are used.
 */
export function publicUrlOf(request: FastifyRequest, publicBaseUrl?: string): string {
  return `${publicOriginOf(request, publicBaseUrl)}${request.url}`;
}

/** The public origin (scheme, host, port) this request reached us at; see publicUrlOf. */
export function publicOriginOf(request: FastifyRequest, publicBaseUrl?: string): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  // Behind a TLS-terminating proxy the provider signed https://<public host>: the forwarded
  // headers say so. Trusting them is safe here: they only choose which URL the HMAC is checked
  // against, and a forger still needs the channel's secret.
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  const proto = first(request.headers['x-forwarded-proto']) ?? request.protocol;
  const host = first(request.headers['x-forwarded-host']) ?? request.headers.host ?? request.hostname;
  return `${proto}://${host}`;
}

export function rawWebhookOf(request: FastifyRequest, publicBaseUrl?: string): RawWebhook {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return {
    url: publicUrlOf(request, publicBaseUrl),
    method: request.method,
    headers,
    rawBody: request.rawBody ?? Buffer.alloc(0),
  };
}
