import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../activities/providers/twilio/errors';
import {
  buildTwilioWebhook,
  parseTwilioForm,
  parseTwilioWebhook,
  rawTwilioWebhook,
} from '../../activities/providers/twilio/inbound';
import { type TwilioParams, twilioSignature, verifyTwilioWebhook } from '../../activities/providers/twilio/signature';
import { type RawWebhook, WebhookRejected } from '../../activities/providers/types';

// Twilio's own worked example ("Webhooks security"), cross-checked against twilio.validateRequest.
const DOC_TOKEN = '12345';
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const DOC_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+12349013030',
  Digits: '1234',
  From: '+12349013030',
  To: '+18005551212',
};
const DOC_SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

function webhook(url: string, signature: string | undefined, body = ''): RawWebhook {
  return {
    url,
    method: 'POST',
    headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
    rawBody: Buffer.from(body),
  };
}

function rejection(run: () => void): WebhookRejected {
  try {
    run();
  } catch (err) {
    if (err instanceof WebhookRejected) return err;
    throw err;
  }
  throw new Error('expected WebhookRejected');
}

describe('twilioSignature', () => {
  it('reproduces Twilio’s documented example, as twilio.validateRequest does', () => {
    expect(twilio.validateRequest(DOC_TOKEN, DOC_SIGNATURE, DOC_URL, DOC_PARAMS)).toBe(true);
    expect(twilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS)).toBe(DOC_SIGNATURE);
    expect(() => verifyTwilioWebhook(DOC_TOKEN, webhook(DOC_URL, DOC_SIGNATURE), DOC_PARAMS)).not.toThrow();
  });

  it('sorts repeated parameters by name, then value, whatever order they arrived in', () => {
    const url = 'https://example.com/hook';
    const params: TwilioParams = { To: '+15005550006', MediaUrl: ['https://m/b', 'https://m/a', 'https://m/c'] };
    const signature = twilioSignature('token-0123456789abcdef', url, params);
    expect(twilio.validateRequest('token-0123456789abcdef', signature, url, params)).toBe(true);
    const reordered = { MediaUrl: ['https://m/c', 'https://m/a', 'https://m/b'], To: '+15005550006' };
    expect(twilioSignature('token-0123456789abcdef', url, reordered)).toBe(signature);
  });

  it('orders names by code point, as Twilio does, not by locale', () => {
    const url = 'https://example.com/hook';
    const params = { b: '1', B: '2', a: '3', _x: '4' };
    const signature = twilioSignature('t0123456789abcdef', url, params);
    expect(twilio.validateRequest('t0123456789abcdef', signature, url, params)).toBe(true);
  });
});

describe('verifyTwilioWebhook', () => {
  it('refuses a missing signature with 401 signature_missing', () => {
    const err = rejection(() => verifyTwilioWebhook(DOC_TOKEN, webhook(DOC_URL, undefined), DOC_PARAMS));
    expect(err).toMatchObject({ statusCode: 401, code: 'signature_missing' });
  });

  it('refuses a tampered parameter, an added parameter and a changed URL with 403 signature_invalid', () => {
    for (const [url, params] of [
      [DOC_URL, { ...DOC_PARAMS, Digits: '9999' }],
      [DOC_URL, { ...DOC_PARAMS, Extra: '1' }],
      ['https://mycompany.com/myapp.php?foo=1&bar=3', DOC_PARAMS],
    ] as const) {
      const err = rejection(() => verifyTwilioWebhook(DOC_TOKEN, webhook(url, DOC_SIGNATURE), params));
      expect(err).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
    }
  });

  it('refuses a signature made with another auth token', () => {
    const err = rejection(() => verifyTwilioWebhook('54321', webhook(DOC_URL, DOC_SIGNATURE), DOC_PARAMS));
    expect(err).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
  });

  it('finds the header whatever its case', () => {
    const raw = { ...webhook(DOC_URL, undefined), headers: { 'X-Twilio-Signature': DOC_SIGNATURE } };
    expect(() => verifyTwilioWebhook(DOC_TOKEN, raw, DOC_PARAMS)).not.toThrow();
  });

  it.each([
    ['signed without the port, received with :443', 'https://example.com/hook?x=1', 'https://example.com:443/hook?x=1'],
    ['signed with :443, received without', 'https://example.com:443/hook', 'https://example.com/hook'],
    ['signed without the port, received with :80', 'http://example.com/hook', 'http://example.com:80/hook'],
    ['signed with :80, received without', 'http://example.com:80/hook', 'http://example.com/hook'],
  ])('accepts a URL %s', (_, signedUrl, receivedUrl) => {
    const params = { MessageSid: 'SM1', Body: 'hi' };
    const signature = twilioSignature('token-0123456789abcdef', signedUrl, params);
    expect(twilio.validateRequest('token-0123456789abcdef', signature, receivedUrl, params)).toBe(true);
    expect(() => verifyTwilioWebhook('token-0123456789abcdef', webhook(receivedUrl, signature), params)).not.toThrow();
  });

  it('does not let a non-default port stand in for another', () => {
    const params = { MessageSid: 'SM1' };
    const signature = twilioSignature('token-0123456789abcdef', 'https://example.com:8443/hook', params);
    const err = rejection(() =>
      verifyTwilioWebhook('token-0123456789abcdef', webhook('https://example.com:9443/hook', signature), params),
    );
    expect(err.code).toBe('signature_invalid');
  });

  describe('JSON bodies (bodySHA256)', () => {
    const token = 'token-0123456789abcdef';
    const body = JSON.stringify({ EventType: 'onMessageAdded', Body: 'héllo' });
    const hash = createHash('sha256').update(body).digest('hex');
    const url = `https://example.com/hook?bodySHA256=${hash}`;
    const signature = twilioSignature(token, url, {});

    it('accepts the URL signature with a matching body hash, as twilio.validateRequestWithBody does', () => {
      expect(twilio.validateRequestWithBody(token, signature, url, body)).toBe(true);
      expect(() => verifyTwilioWebhook(token, webhook(url, signature, body), {})).not.toThrow();
    });

    it('refuses a body that does not match bodySHA256', () => {
      const err = rejection(() =>
        verifyTwilioWebhook(token, webhook(url, signature, body.replace('héllo', 'hello')), {}),
      );
      expect(err).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
    });

    it('refuses a bodySHA256 changed to match a tampered body', () => {
      const tampered = body.replace('héllo', 'hello');
      const tamperedUrl = `https://example.com/hook?bodySHA256=${createHash('sha256').update(tampered).digest('hex')}`;
      const err = rejection(() => verifyTwilioWebhook(token, webhook(tamperedUrl, signature, tampered), {}));
      expect(err).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
    });
  });
});

describe('buildTwilioWebhook', () => {
  it('posts a form body and a signature that both our verifier and twilio.validateRequest accept', () => {
    const token = 'token-0123456789abcdef';
    const url = 'https://switchboard.example.com/webhooks/twilio/ch_1?kind=sms';
    const params = { MessageSid: 'SM1', From: '+14155550100', To: '+15005550006', Body: 'a & b = c ✓' };
    const built = buildTwilioWebhook(token, url, params);
    expect(built.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const decoded = parseTwilioForm(built.body);
    expect(decoded).toEqual(params);
    expect(twilio.validateRequest(token, built.headers['x-twilio-signature'] ?? '', url, decoded)).toBe(true);
    expect(() => verifyTwilioWebhook(token, rawTwilioWebhook(url, built), decoded)).not.toThrow();
  });

  it('keeps every value of a repeated parameter', () => {
    const built = buildTwilioWebhook('t0123456789abcdef', 'https://x.example/h', {
      StatusCallbackEvent: ['ringing', 'answered'],
    });
    expect(parseTwilioForm(built.body)).toEqual({ StatusCallbackEvent: ['ringing', 'answered'] });
  });
});

describe('parseTwilioWebhook', () => {
  it('reads an inbound SMS', () => {
    expect(
      parseTwilioWebhook({
        MessageSid: 'SM1',
        SmsStatus: 'received',
        From: '+14155550100',
        To: '+15005550006',
        Body: 'Yes',
        NumMedia: '0',
      }),
    ).toEqual([
      {
        kind: 'message',
        channel: 'sms',
        providerMessageId: 'SM1',
        from: '+14155550100',
        to: '+15005550006',
        text: 'Yes',
        media: [],
      },
    ]);
  });

  it('reads an inbound WhatsApp media message, stripping the whatsapp: prefix', () => {
    const [event] = parseTwilioWebhook({
      SmsSid: 'MM1',
      From: 'whatsapp:+14155550100',
      To: 'whatsapp:+15005550006',
      Body: '',
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/m/0',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/m/1',
      ProfileName: 'Ada',
    });
    expect(event).toEqual({
      kind: 'message',
      channel: 'whatsapp',
      providerMessageId: 'MM1',
      from: '+14155550100',
      to: '+15005550006',
      text: '',
      profileName: 'Ada',
      media: [{ url: 'https://api.twilio.com/m/0', contentType: 'image/jpeg' }, { url: 'https://api.twilio.com/m/1' }],
    });
  });

  it.each([
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['failed', 'failed'],
    ['undelivered', 'undelivered'],
  ])('reads MessageStatus %s as %s', (twilioStatus, status) => {
    expect(parseTwilioWebhook({ MessageSid: 'SM1', MessageStatus: twilioStatus })).toEqual([
      { kind: 'status', providerMessageId: 'SM1', status },
    ]);
  });

  it('reads a call status callback with AMD, duration, price and recording', () => {
    const [event] = parseTwilioWebhook({
      CallSid: 'CA1',
      CallStatus: 'completed',
      AnsweredBy: 'machine_end_silence',
      CallDuration: '33',
      Price: '-0.0130',
      PriceUnit: 'USD',
      RecordingUrl: 'https://api.twilio.com/r/RE1',
      Timestamp: 'Tue, 10 Aug 2010 21:19:00 +0000',
    });
    expect(event).toEqual({
      kind: 'call-status',
      providerCallId: 'CA1',
      status: 'completed',
      answeredBy: 'machine',
      durationSeconds: 33,
      price: '0.0130',
      priceUnit: 'USD',
      recordingUrl: 'https://api.twilio.com/r/RE1',
      at: new Date('2010-08-10T21:19:00Z'),
    });
  });

  it.each([
    ['human', 'human'],
    ['machine_start', 'machine'],
    ['machine_end_beep', 'machine'],
    ['machine_end_other', 'machine'],
    ['fax', 'machine'],
    ['unknown', 'unknown'],
  ])('reads AnsweredBy %s as %s', (value, expected) => {
    expect(parseTwilioWebhook({ CallSid: 'CA1', CallStatus: 'in-progress', AnsweredBy: value })[0]).toMatchObject({
      answeredBy: expected,
    });
  });

  it.each([
    [{ MessageSid: 'SM1', Body: 'hi' }, 'From'],
    [{ MessageSid: 'SM1', From: '+1', NumMedia: '1' }, 'MediaUrl0'],
    [{ CallSid: 'CA1', CallStatus: 'completed', CallDuration: 'soon' }, 'CallDuration'],
  ])('refuses %j with 400 naming %s', (params, field) => {
    const err = rejection(() => parseTwilioWebhook(params));
    expect(err).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
    expect(err.message).toContain(field);
  });

  it('refuses something that is no Twilio webhook at all, and a status it does not know', () => {
    expect(rejection(() => parseTwilioWebhook({ Foo: 'bar' })).code).toBe('invalid_webhook');
    expect(rejection(() => parseTwilioWebhook({ MessageSid: 'SM1', MessageStatus: 'teleported' })).message).toContain(
      'teleported',
    );
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
