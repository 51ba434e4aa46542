import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  assertPublicDestination,
  fetchPublic,
  isInternalAddress,
  privateUrlsAllowed,
} from '../../activities/http/destination';

describe('tenant URLs must not reach internal networks', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    // How Node's URL parser writes http://[::ffff:127.0.0.1]/ and the metadata address.
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
  ])('%s is internal', (ip) => {
    expect(isInternalAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (ip) => {
      expect(isInternalAddress(ip)).toBe(false);
    },
  );

  it('refuses literal and resolved internal destinations, with a reason', async () => {
    await expect(
      assertPublicDestination(new URL('http://169.254.169.254/latest/meta-data'), false),
    ).rejects.toMatchObject({
      type: 'PrivateDestination',
      message: expect.stringContaining('169.254.169.254'),
    });
    await expect(assertPublicDestination(new URL('http://[::1]:8080/'), false)).rejects.toMatchObject({
      type: 'PrivateDestination',
    });
    await expect(assertPublicDestination(new URL('http://localhost:3000/'), false)).rejects.toMatchObject({
      type: 'PrivateDestination',
    });
    await expect(assertPublicDestination(new URL('http://localhost:3000/'), true)).resolves.toBeUndefined();
  });

  it('checks every redirect hop: a redirect into the private network is refused', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: 'http://10.0.0.1/admin' }).end();
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const asked: string[] = [];
    // 93.184.215.14 (a public address) stands for a public receiver: answered by the fake fetch, never dialled.
    const fetchImpl: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      asked.push(url.host);
      return url.hostname === '93.184.215.14'
        ? fetch(`http://127.0.0.1:${port}${url.pathname}`, init)
        : fetch(input, init);
    };
    try {
      await expect(
        fetchPublic(fetchImpl, new URL('http://93.184.215.14/start'), { method: 'GET' }, false),
      ).rejects.toMatchObject({ type: 'PrivateDestination', message: expect.stringContaining('10.0.0.1') });
      expect(asked).toEqual(['93.184.215.14']);
    } finally {
      server.close();
    }
  });

  it('allows private destinations outside production unless told otherwise', () => {
    expect(privateUrlsAllowed({ NODE_ENV: 'development' })).toBe(true);
    expect(privateUrlsAllowed({ NODE_ENV: 'production' })).toBe(false);
    expect(privateUrlsAllowed({ NODE_ENV: 'production', SWITCHBOARD_ALLOW_PRIVATE_URLS: 'true' })).toBe(true);
    expect(privateUrlsAllowed({ SWITCHBOARD_ALLOW_PRIVATE_URLS: 'false' })).toBe(false);
  });
});
