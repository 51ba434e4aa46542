import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../activities/notify/webhooks';
import { isEventPattern, matchesEvent } from '../../api/webhooks/events';
import { signatureHeader, signWebhook, verifyWebhookSignature } from '../../api/webhooks/signature';

const secret = 'whsec_test';
const body = JSON.stringify({ id: 'evt', type: 'contact.created', data: { a: 1 } });
const now = 1_750_000_000;

describe('webhook signatures', () => {
  it('signs "<timestamp>.<raw body>" with HMAC-SHA256 as v1=<hex>', () => {
    expect(signatureHeader(secret, now, body)).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signatureHeader(secret, now, body)).toBe(`v1=${signWebhook(secret, String(now), Buffer.from(body))}`);
  });

  it('accepts a fresh, untampered delivery', () => {
    expect(verifyWebhookSignature(secret, String(now), body, signatureHeader(secret, now, body), 300, now + 10)).toBe(
      true,
    );
  });

  it('refuses a tampered body', () => {
    const header = signatureHeader(secret, now, body);
    expect(verifyWebhookSignature(secret, now, body.replace('"a":1', '"a":2'), header, 300, now)).toBe(false);
  });

  it('refuses a stale timestamp, and one from too far in the future', () => {
    const header = signatureHeader(secret, now, body);
    expect(verifyWebhookSignature(secret, now, body, header, 300, now + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, now, body, header, 300, now - 301)).toBe(false);
  });

  it('refuses a timestamp changed without re-signing, another secret, and malformed headers', () => {
    const header = signatureHeader(secret, now, body);
    expect(verifyWebhookSignature(secret, now + 1, body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', now, body, header, 300, now)).toBe(false);
    for (const bad of [undefined, '', 'v1=', 'v0=abc', header.slice(0, -2), `sha256=${header.slice(3)}`]) {
      expect(verifyWebhookSignature(secret, now, body, bad, 300, now)).toBe(false);
    }
    expect(verifyWebhookSignature(secret, 'not-a-number', body, header, 300, now)).toBe(false);
  });

  it('accepts any one of several v1 signatures in the header', () => {
    const header = `v1=${'0'.repeat(64)}, ${signatureHeader(secret, now, body)}`;
    expect(verifyWebhookSignature(secret, now, body, header, 300, now)).toBe(true);
  });
});

describe('event patterns', () => {
  it('accepts event types, category wildcards and "*", and nothing else', () => {
    for (const p of ['contact.created', 'contact.*', 'run.*', '*', 'webhook.test'])
      expect(isEventPattern(p)).toBe(true);
    for (const p of ['contact', 'contact.exploded', 'nope.*', '*.created', 'contact.**', '']) {
      expect(isEventPattern(p)).toBe(false);
    }
  });

  it('matches exact types, category wildcards and "*"', () => {
    expect(matchesEvent(['contact.created'], 'contact.created')).toBe(true);
    expect(matchesEvent(['contact.*'], 'contact.merged')).toBe(true);
    expect(matchesEvent(['contact.*'], 'campaign.launched')).toBe(false);
    expect(matchesEvent(['*'], 'run.failed')).toBe(true);
    expect(matchesEvent(['run.completed'], 'run.failed')).toBe(false);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, caps them at an hour, ignores nonsense', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000)).toBe(30_000);
    expect(retryAfterMs('999999')).toBe(3_600_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
