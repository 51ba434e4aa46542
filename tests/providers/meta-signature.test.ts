import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerMetaChallenge,
  buildMetaWebhook,
  parseMetaWebhook,
  verifyMetaSignature,
} from '../../activities/providers/meta/webhook';
import { InboundEventSchema, type RawWebhook, WebhookRejected } from '../../activities/providers/types';

const APP_SECRET = 'app-secret-0123456789';
const URL_ = 'https://switchboard.example.com/webhooks/meta/ch_1';

function raw(headers: Record<string, string | undefined>, body: string | Buffer): RawWebhook {
  return { url: URL_, method: 'POST', headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

function rejection(fn: () => unknown): WebhookRejected {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookRejected) return err;
    throw err;
  }
  throw new Error('expected a WebhookRejected');
}

describe('the hub.challenge handshake', () => {
  // Meta's documented verification request.
  const documented = new URLSearchParams('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock');

  it('echoes hub.challenge when the verify token matches', () => {
    expect(answerMetaChallenge('meatyhamhock', documented)).toBe('1158201444');
    // The same query as a parsed-querystring object (as Fastify hands it over).
    expect(answerMetaChallenge('meatyhamhock', Object.fromEntries(documented))).toBe('1158201444');
  });

  it('refuses another token, another mode, and a missing challenge', () => {
    expect(rejection(() => answerMetaChallenge('other-token', documented))).toMatchObject({
      statusCode: 403,
      code: 'verify_token_invalid',
    });
    const unsubscribe = new URLSearchParams(documented);
    unsubscribe.set('hub.mode', 'unsubscribe');
    expect(rejection(() => answerMetaChallenge('meatyhamhock', unsubscribe))).toMatchObject({ statusCode: 403 });
    expect(rejection(() => answerMetaChallenge('meatyhamhock', {}))).toMatchObject({ statusCode: 403 });
    const noChallenge = new URLSearchParams(documented);
    noChallenge.delete('hub.challenge');
    expect(rejection(() => answerMetaChallenge('meatyhamhock', noChallenge))).toMatchObject({ statusCode: 400 });
  });
});

describe('X-Hub-Signature-256', () => {
  const payload = {
    object: 'page',
    entry: [
      {
        id: '1',
        time: 1,
        messaging: [
          {
            sender: { id: '2' },
            recipient: { id: '1' },
            message: { mid: 'm', text: 'Olá 👋 see https://example.com/a?b=1 @me 100%' },
          },
        ],
      },
    ],
  };

  it('is sha256= and the hex HMAC of the exact body bytes, which Meta escapes', () => {
    const { headers, body } = buildMetaWebhook(APP_SECRET, payload);
    expect(body).toContain('Ol\\u00e1 \\ud83d\\udc4b see https:\\/\\/example.com\\/a?b=1 \\u0040me 100\\u0025');
    expect(JSON.parse(body)).toEqual(payload);
    expect(headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`,
    );
    expect(() => verifyMetaSignature(APP_SECRET, raw(headers, body))).not.toThrow();
  });

  it('finds the header whatever its case', () => {
    const { headers, body } = buildMetaWebhook(APP_SECRET, payload);
    const signature = headers['x-hub-signature-256'];
    expect(() => verifyMetaSignature(APP_SECRET, raw({ 'X-Hub-Signature-256': signature }, body))).not.toThrow();
  });

  it('rejects a missing signature with 401', () => {
    const { body } = buildMetaWebhook(APP_SECRET, payload);
    expect(
      rejection(() => verifyMetaSignature(APP_SECRET, raw({ 'content-type': 'application/json' }, body))),
    ).toMatchObject({
      statusCode: 401,
      code: 'signature_missing',
    });
  });

  it('rejects forged, tampered and malformed signatures with 403', () => {
    const { headers, body } = buildMetaWebhook(APP_SECRET, payload);
    const signature = headers['x-hub-signature-256'] ?? '';
    const forged = buildMetaWebhook('another-app-secret', payload).headers;
    const cases: Array<[Record<string, string>, string]> = [
      [forged, body],
      [headers, body.replace('Ol', 'Hi')],
      [{ 'x-hub-signature-256': signature.slice('sha256='.length) }, body],
      [{ 'x-hub-signature-256': signature.slice(0, -1) }, body],
      [{ 'x-hub-signature-256': `sha1=${signature.slice('sha256='.length)}` }, body],
    ];
    for (const [h, b] of cases) {
      expect(rejection(() => verifyMetaSignature(APP_SECRET, raw(h, b)))).toMatchObject({
        statusCode: 403,
        code: 'signature_invalid',
      });
    }
  });

  it('fails a signature computed over re-serialized JSON rather than the raw bytes', () => {
    const { body } = buildMetaWebhook(APP_SECRET, payload);
    const reserialized = JSON.stringify(JSON.parse(body));
    expect(reserialized).not.toBe(body);
    const overReserialized = `sha256=${createHmac('sha256', APP_SECRET).update(reserialized).digest('hex')}`;
    expect(
      rejection(() => verifyMetaSignature(APP_SECRET, raw({ 'x-hub-signature-256': overReserialized }, body))),
    ).toMatchObject({
      statusCode: 403,
    });
  });
});

/** Every event the parser returns must satisfy the shared contract. */
function parse(body: unknown) {
  const events = parseMetaWebhook(body);
  for (const event of events) InboundEventSchema.parse(event);
  return events;
}

describe('WhatsApp Business Account webhooks', () => {
  // The inbound text message from Meta's webhook payload examples.
  const inboundText = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              messages: [
                {
                  from: '16505551234',
                  id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
                  timestamp: '1749416383',
                  text: { body: 'Does it come in another color?' },
                  type: 'text',
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  };

  it('reads an inbound text message from the signed raw body', () => {
    const { headers, body } = buildMetaWebhook(APP_SECRET, inboundText);
    verifyMetaSignature(APP_SECRET, raw(headers, body));
    expect(parse(Buffer.from(body))).toEqual([
      {
        kind: 'message',
        channel: 'whatsapp',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: '+16505551234',
        to: '106540352242922',
        text: 'Does it come in another color?',
        profileName: 'Sheena Nelson',
        media: [],
        at: new Date(1749416383 * 1000),
      },
    ]);
  });

  function withMessage(message: Record<string, unknown>) {
    const copy = structuredClone(inboundText);
    const value = copy.entry[0]?.changes[0]?.value as { messages: unknown[] };
    value.messages = [{ from: '16505551234', id: 'wamid.X', timestamp: '1749416383', ...message }];
    return copy;
  }

  it('reads button, interactive, location and media messages', () => {
    const texts = [
      withMessage({ type: 'button', button: { payload: 'YES', text: 'Yes, confirm' } }),
      withMessage({
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'b1', title: 'Reschedule' } },
      }),
      withMessage({
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'l1', title: 'Tuesday' } },
      }),
      withMessage({ type: 'location', location: { latitude: 37.48, longitude: -122.15, name: 'Meta HQ' } }),
    ].map((body) => parse(body)[0]);
    expect(texts.map((e) => (e?.kind === 'message' ? e.text : undefined))).toEqual([
      'Yes, confirm',
      'Reschedule',
      'Tuesday',
      'Meta HQ',
    ]);

    const [image] = parse(
      withMessage({
        type: 'image',
        image: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'abc', caption: 'my receipt' },
      }),
    );
    expect(image).toMatchObject({
      kind: 'message',
      text: 'my receipt',
      media: [{ url: 'whatsapp-media:1479537139650973', contentType: 'image/jpeg' }],
    });
  });

  it('skips reactions and unsupported messages', () => {
    expect(parse(withMessage({ type: 'reaction', reaction: { message_id: 'wamid.Y', emoji: '👍' } }))).toEqual([]);
    expect(parse(withMessage({ type: 'unsupported', errors: [{ code: 131051 }] }))).toEqual([]);
  });

  const statusPayload = (status: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              statuses: [
                {
                  id: 'wamid.HBgLMTIwNjU1NTAxNDMVAgARGBJDNDY3QjU0NTg4QzRCN0E4QUEA',
                  recipient_id: '12065550143',
                  timestamp: '1750263773',
                  ...status,
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  });

  it('reads a sent status with its pricing, returning our idempotency key', () => {
    const events = parse(
      statusPayload({
        status: 'sent',
        biz_opaque_callback_data: 'wf-1:n1:1',
        conversation: { id: 'c1', expiration_timestamp: '1750350173', origin: { type: 'utility' } },
        pricing: { billable: true, pricing_model: 'PMP', category: 'utility' },
      }),
    );
    expect(events).toEqual([
      {
        kind: 'status',
        providerMessageId: 'wamid.HBgLMTIwNjU1NTAxNDMVAgARGBJDNDY3QjU0NTg4QzRCN0E4QUEA',
        status: 'sent',
        at: new Date(1750263773 * 1000),
        idempotencyKey: 'wf-1:n1:1',
      },
    ]);
  });

  it('reads delivered, read and failed statuses with the error code and title', () => {
    const failed = parse(
      statusPayload({
        status: 'failed',
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            error_data: {
              details:
                'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            },
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
        ],
      }),
    );
    expect(failed[0]).toMatchObject({
      kind: 'status',
      status: 'failed',
      errorCode: '131047',
      errorMessage: expect.stringContaining('Re-engagement message: Message failed to send'),
    });
    expect(parse(statusPayload({ status: 'delivered' }))[0]).toMatchObject({ status: 'delivered' });
    expect(parse(statusPayload({ status: 'read' }))[0]).toMatchObject({ status: 'read' });
  });

  it('ignores other fields and objects rather than rejecting them', () => {
    const templateUpdate = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }],
    };
    expect(parse(templateUpdate)).toEqual([]);
    expect(parse({ object: 'user', entry: [{ id: '1', changes: [] }] })).toEqual([]);
  });

  it('rejects malformed bodies with 400 and says where', () => {
    const noId = withMessage({ id: undefined, type: 'text', text: { body: 'x' } });
    const err = rejection(() => parseMetaWebhook(noId));
    expect(err).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
    expect(err.message).toContain('messages.0.id');

    for (const body of ['{not json', { entry: [] }, { object: 'whatsapp_business_account' }, [], null]) {
      expect(rejection(() => parseMetaWebhook(body))).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
    }
  });
});

describe('Messenger and Instagram webhooks', () => {
  // The message and delivery examples from the Messenger Platform webhook reference.
  const messengerMessage = {
    object: 'page',
    entry: [
      {
        id: '103847265011234',
        time: 1458692752478,
        messaging: [
          {
            sender: { id: '24011122233344455' },
            recipient: { id: '103847265011234' },
            timestamp: 1458692752478,
            message: {
              mid: 'mid.1457764197618:41d102a3e1ae206a38',
              text: 'hello, world!',
              quick_reply: { payload: 'DEVELOPER_DEFINED_PAYLOAD' },
            },
          },
        ],
      },
    ],
  };

  it('reads a Messenger message', () => {
    expect(parse(messengerMessage)).toEqual([
      {
        kind: 'message',
        channel: 'messenger',
        providerMessageId: 'mid.1457764197618:41d102a3e1ae206a38',
        from: '24011122233344455',
        to: '103847265011234',
        text: 'hello, world!',
        media: [],
        at: new Date(1458692752478),
      },
    ]);
  });

  it('reads delivery receipts, one status per delivered message', () => {
    const delivery = {
      object: 'page',
      entry: [
        {
          id: '103847265011234',
          time: 1458668856451,
          messaging: [
            {
              sender: { id: '24011122233344455' },
              recipient: { id: '103847265011234' },
              delivery: {
                mids: ['mid.1458668856218:ed81099e15d3f4f233', 'mid.1458668856219:ab'],
                watermark: 1458668856253,
              },
            },
          ],
        },
      ],
    };
    expect(parse(delivery)).toEqual([
      { kind: 'status', providerMessageId: 'mid.1458668856218:ed81099e15d3f4f233', status: 'delivered' },
      { kind: 'status', providerMessageId: 'mid.1458668856219:ab', status: 'delivered' },
    ]);
  });

  it('skips echoes of our own sends and watermark-only read receipts', () => {
    const echo = structuredClone(messengerMessage);
    const event = echo.entry[0]?.messaging[0] as { message: Record<string, unknown> };
    event.message.is_echo = true;
    expect(parse(echo)).toEqual([]);
    const read = {
      object: 'page',
      entry: [
        { id: '1', messaging: [{ sender: { id: '2' }, recipient: { id: '1' }, timestamp: 5, read: { watermark: 4 } }] },
      ],
    };
    expect(parse(read)).toEqual([]);
  });

  it('reads a button postback as the customer answer', () => {
    const postback = {
      object: 'page',
      entry: [
        {
          id: '1',
          messaging: [
            {
              sender: { id: '2' },
              recipient: { id: '1' },
              timestamp: 5,
              postback: { mid: 'm_pb', title: 'Yes', payload: 'YES' },
            },
          ],
        },
      ],
    };
    expect(parse(postback)).toEqual([
      {
        kind: 'message',
        channel: 'messenger',
        providerMessageId: 'm_pb',
        from: '2',
        to: '1',
        text: 'Yes',
        media: [],
        at: new Date(5),
      },
    ]);
  });

  it('reads Instagram messages, attachments and read receipts on the instagram channel', () => {
    const instagram = {
      object: 'instagram',
      entry: [
        {
          id: '17841400000000001',
          time: 1569262486134,
          messaging: [
            {
              sender: { id: '17841455555555555' },
              recipient: { id: '17841400000000001' },
              timestamp: 1569262485349,
              message: {
                mid: 'aWdfZAG1faWQ',
                attachments: [{ type: 'image', payload: { url: 'https://lookaside.example/img' } }],
              },
            },
            {
              sender: { id: '17841455555555555' },
              recipient: { id: '17841400000000001' },
              timestamp: 1569262486000,
              read: { mid: 'aWdfOUR' },
            },
          ],
        },
      ],
    };
    expect(parse(instagram)).toEqual([
      {
        kind: 'message',
        channel: 'instagram',
        providerMessageId: 'aWdfZAG1faWQ',
        from: '17841455555555555',
        to: '17841400000000001',
        text: '',
        media: [{ url: 'https://lookaside.example/img' }],
        at: new Date(1569262485349),
      },
      { kind: 'status', providerMessageId: 'aWdfOUR', status: 'read', at: new Date(1569262486000) },
    ]);
  });

  it('rejects a malformed page event with 400', () => {
    const bad = {
      object: 'page',
      entry: [{ id: '1', messaging: [{ recipient: { id: '1' }, message: { mid: 'm', text: 'x' } }] }],
    };
    const err = rejection(() => parseMetaWebhook(bad));
    expect(err).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
    expect(err.message).toContain('messaging.0.sender');
  });
});
