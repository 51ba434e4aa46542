import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { BusinessError } from '../errors';
import { isPublicAddress } from './address';

/**
 * Tenant-supplied URLs (outbound webhooks, the http-request node) must not reach our own network:
 * loopback, private ranges, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
 * multicast and reserved space are refused, for every address the name resolves to. Development
 * and tests allow them (their receivers are on loopback); production does not
 * (SWITCHBOARD_ALLOW_PRIVATE_URLS, default false under NODE_ENV=production).
 */
export function privateUrlsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = env.SWITCHBOARD_ALLOW_PRIVATE_URLS;
  if (set !== undefined) return set === 'true' || set === '1';
  return env.NODE_ENV !== 'production';
}

export async function assertPublicDestination(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIPv4(host) || isIPv6(host) ? [host] : await resolveAll(host);
  const internal = addresses.find(isInternalAddress);
  if (internal) {
    throw new BusinessError(
      'PrivateDestination',
      `${url.host} resolves to ${internal}, an internal address: only public destinations are allowed`,
    );
  }
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new BusinessError('UnresolvableHost', `${host} does not resolve`);
  }
}

/** Loopback, private, link-local, multicast, reserved: any spelling, IPv4-mapped IPv6 included. */
export function isInternalAddress(ip: string): boolean {
  return !isPublicAddress(ip);
}

/**
 * fetch that checks the destination first and follows redirects itself (at most 5), checking
 * each hop: a public URL must not redirect into the private network.
 */
export async function fetchPublic(
  fetchImpl: typeof fetch,
  input: URL,
  init: RequestInit,
  allowPrivate: boolean,
): Promise<Response> {
  let url = input;
  let request = init;
  for (let hop = 0; hop <= 5; hop++) {
    await assertPublicDestination(url, allowPrivate);
    const res = await fetchImpl(url, { ...request, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location || init.redirect === 'manual') return res;
    url = new URL(location, url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return res;
    // 303 (and 301/302 after a POST, as browsers do) continue as a GET without a body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && request.method !== 'GET')) {
      const { body: _body, ...rest } = request;
      request = { ...rest, method: 'GET' };
    }
  }
  throw new BusinessError('TooManyRedirects', `${input.host} redirected more than 5 times`);
}
