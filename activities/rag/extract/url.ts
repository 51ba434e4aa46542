// Fetching a tenant-supplied URL as a knowledge source. The URL is untrusted: every hop is checked
// against the internal network, redirects are followed by hand so loops and chains are bounded,
// and the body is read as a stream so a huge (or endless) response costs at most `maxBytes`.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from '../../http/address';
import { ExtractionError } from './errors';
import { DEFAULT_MAX_BYTES, type ExtractedText, extractText } from './extract-text';

export interface FetchSourceOptions {
  fetchImpl?: typeof fetch;
  /** Bodies larger than this are refused (`too_large`). Default 50 MB. */
  maxBytes?: number;
  /** Redirects followed before `url_too_many_redirects`. Default 5. */
  maxRedirects?: number;
  /** For the whole fetch: every hop and the body. Default 30 s. */
  timeoutMs?: number;
  /** Allow loopback and private addresses (development, tests). Default false. */
  allowPrivate?: boolean;
}

export interface FetchedSource {
  /** The URL after redirects. */
  finalUrl: string;
  /** As the server sent it, parameters included ('' when absent). */
  contentType: string;
  bytes: Uint8Array;
}

const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_CLIENT_STATUSES = new Set([408, 429]);
/** Connection failures that may well succeed on a later attempt. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

export async function fetchSource(url: string, opts: FetchSourceOptions = {}): Promise<FetchedSource> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);

  let current = parseSourceUrl(url);
  const seen = new Set<string>([current.href]);
  let redirects = 0;
  try {
    for (;;) {
      if (!opts.allowPrivate) await assertPublicHost(current);
      const response = await fetchImpl(current, {
        redirect: 'manual',
        signal,
        headers: { accept: 'text/html, application/pdf, text/plain, text/markdown, */*;q=0.5' },
      });
      const location = response.headers.get('location');
      if (REDIRECT_STATUSES.has(response.status) && location) {
        await discardBody(response);
        redirects += 1;
        if (redirects > maxRedirects) {
          throw new ExtractionError('url_too_many_redirects', `${url} redirected more than ${maxRedirects} times`);
        }
        current = redirectTarget(location, current);
        if (seen.has(current.href)) {
          throw new ExtractionError('url_redirect_loop', `${url} redirects in a loop (back to ${current.href})`);
        }
        seen.add(current.href);
        continue;
      }
      if (!response.ok) {
        await discardBody(response);
        throw httpError(response.status, current);
      }
      const bytes = await readBody(response, maxBytes, current);
      return { finalUrl: current.href, contentType: response.headers.get('content-type') ?? '', bytes };
    }
  } catch (error) {
    throw asFetchError(error, signal, current, timeoutMs);
  }
}

/** Fetches a URL and extracts its text; the kind comes from the bytes, then the content type, then the path. */
export async function extractFromUrl(
  url: string,
  opts: FetchSourceOptions = {},
): Promise<ExtractedText & { finalUrl: string }> {
  const source = await fetchSource(url, opts);
  const extracted = await extractText(
    { kind: 'file', filename: filenameOf(source.finalUrl), contentType: source.contentType, bytes: source.bytes },
    { maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES },
  );
  return { ...extracted, finalUrl: source.finalUrl };
}

function parseSourceUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ExtractionError('url_invalid', `"${raw}" is not a URL`);
  }
  assertFetchable(url);
  return withoutFragment(url);
}

function redirectTarget(location: string, from: URL): URL {
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    throw new ExtractionError('url_invalid', `${from.href} redirected to "${location}", which is not a URL`);
  }
  assertFetchable(url);
  return withoutFragment(url);
}

function assertFetchable(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExtractionError('url_not_allowed', `Only http and https URLs can be fetched, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    // fetch refuses them anyway, and credentials do not belong in a stored source URL.
    throw new ExtractionError('url_invalid', 'URLs with a user name or password are not supported');
  }
}

/** The fragment is never sent, so `/a#x` and `/a#y` are the same hop for loop detection. */
function withoutFragment(url: URL): URL {
  const copy = new URL(url);
  copy.hash = '';
  return copy;
}

/**
 * SSRF guard: every address the host resolves to must be public (one private answer among public
 * ones is enough for an attacker who controls the DNS). The fetch resolves the name again, so a
 * DNS server that answers differently the second time is not stopped here; pinning the address
 * needs a custom undici dispatcher, which `fetchImpl` does not expose.
 */
async function assertPublicHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolve(host);
  const internal = addresses.find((address) => !isPublicAddress(address));
  if (internal !== undefined || addresses.length === 0) {
    throw new ExtractionError(
      'url_not_allowed',
      `${url.host} resolves to ${internal ?? 'nothing'}, an internal address: only public URLs can be fetched`,
    );
  }
}

async function resolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch (error) {
    const code = errorCode(error);
    throw new ExtractionError('url_unreachable', `${host} does not resolve (${code ?? 'lookup failed'})`, {
      retryable: code === 'EAI_AGAIN',
      cause: error,
    });
  }
}

async function readBody(response: Response, maxBytes: number, url: URL): Promise<Uint8Array> {
  const tooLarge = () =>
    new ExtractionError('too_large', `${url.href} is larger than the ${Math.round(maxBytes / 1024)} KB limit`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discardBody(response);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);

  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop the download now: the rest may be endless.
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    parts.push(value);
  }
  return concat(parts, size);
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/** Frees the connection of a response we will not read. */
async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function httpError(status: number, url: URL): ExtractionError {
  const retryable = status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status);
  return new ExtractionError('url_http_error', `${url.href} answered HTTP ${status}`, { retryable, status });
}

function asFetchError(error: unknown, signal: AbortSignal, url: URL, timeoutMs: number): ExtractionError {
  if (error instanceof ExtractionError) return error;
  // Whichever way the timeout surfaced (fetch, or the body stream), the signal knows it fired.
  if (signal.aborted) {
    return new ExtractionError('url_timeout', `${url.href} did not answer within ${timeoutMs} ms`, {
      retryable: true,
      cause: error,
    });
  }
  const code = errorCode(error);
  return new ExtractionError('url_unreachable', `${url.href} could not be fetched (${code ?? describe(error)})`, {
    retryable: code !== undefined && TRANSIENT_NETWORK_CODES.has(code),
    cause: error,
  });
}

/** Node's fetch wraps the socket error: `TypeError('fetch failed', { cause: { code } })`. */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function filenameOf(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponentSafe(path.slice(path.lastIndexOf('/') + 1));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
