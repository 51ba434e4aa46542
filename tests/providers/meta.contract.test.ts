import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MetaChannel, MetaMessagingProvider } from '../../activities/providers/meta/messaging';
import {
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  TransientSendError,
} from '../../activities/providers/types';
import { closedPort, failure } from '../helpers/providers';
import { type MetaFault, type MetaGraphStandIn, startMetaGraphStandIn } from '../stand-ins/meta-graph';

let graph: MetaGraphStandIn;

beforeAll(async () => {
  graph = await startMetaGraphStandIn();
});
afterAll(async () => {
  await graph.close();
});
beforeEach(() => graph.reset());

function senderIdFor(channel: MetaChannel): string {
  return { whatsapp: graph.whatsapp.phoneNumberId, messenger: graph.page.id, instagram: graph.instagram.id }[channel];
}

function meta(
  channel: MetaChannel,
  options: { accessToken?: string; apiBaseUrl?: string; fetchImpl?: typeof fetch } = {},
): MetaMessagingProvider {
  return new MetaMessagingProvider({
    channel,
    config: { senderId: senderIdFor(channel), apiVersion: 'v21.0', apiBaseUrl: options.apiBaseUrl ?? graph.baseUrl },
    secrets: { accessToken: options.accessToken ?? graph.accessToken },
    ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
  });
}

const CUSTOMER = '+14155550100';
const PSID = '24011122233344455';
const ctx = (key = 'wf-1:node-send:1', extra: Partial<SendContext> = {}): SendContext => ({
  idempotencyKey: key,
  ...extra,
});
const whatsappText = (text = 'Your order shipped', to = CUSTOMER): OutboundMessage => ({
  channel: 'whatsapp',
  to,
  text,
});

describe('WhatsApp Cloud API sends', () => {
  it('posts the documented text message with the idempotency key as biz_opaque_callback_data', async () => {
    const result = await meta('whatsapp').send(whatsappText(), ctx('wf-1:n1:1'));

    const [accepted] = graph.accepted;
    expect(graph.accepted).toHaveLength(1);
    expect(accepted?.payload).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '14155550100',
      type: 'text',
      text: { body: 'Your order shipped', preview_url: false },
      biz_opaque_callback_data: 'wf-1:n1:1',
    });
    expect(graph.requests[0]).toMatchObject({
      method: 'POST',
      path: `/v21.0/${graph.whatsapp.phoneNumberId}/messages`,
      authorization: `Bearer ${graph.accessToken}`,
    });
    expect(result).toEqual({ providerMessageId: accepted?.id, status: 'queued' });
    expect(result.providerMessageId).toMatch(/^wamid\./);
  });

  it('sends a template with its language and body parameters', async () => {
    const message: OutboundMessage = {
      ...whatsappText(),
      template: { name: 'order_update', language: 'en_US', variables: ['Ada', '#1042'] },
    };
    const result = await meta('whatsapp').send(message, ctx());

    expect(graph.accepted[0]?.payload).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ada' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
    });
    expect(graph.accepted[0]?.payload).not.toHaveProperty('text');
    expect(result.providerMessageId).toBe(graph.accepted[0]?.id);
  });

  it('sends a template without variables without components', async () => {
    const message = { ...whatsappText(), template: { name: 'hello_world', language: 'en_US', variables: [] } };
    await meta('whatsapp').send(message, ctx());
    expect(graph.accepted[0]?.payload.template).toEqual({ name: 'hello_world', language: { code: 'en_US' } });
  });

  it.each([
    ['an unknown template name', { name: 'no_such_template', language: 'en', variables: [] }, '132001'],
    ['a language the template lacks', { name: 'hello_world', language: 'fr', variables: [] }, '132001'],
    ['the wrong number of parameters', { name: 'order_update', language: 'en', variables: ['only one'] }, '132000'],
    ['a paused template', { name: 'paused_promo', language: 'en', variables: [] }, '132015'],
    ['a disabled template', { name: 'disabled_promo', language: 'en', variables: [] }, '132016'],
  ])('refuses %s as TemplateRejected', async (_, template, code) => {
    const err = await failure(meta('whatsapp').send({ ...whatsappText(), template }, ctx()));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'TemplateRejected', providerCode: code });
    expect(graph.accepted).toHaveLength(0);
  });

  it.each([
    [132005, 'Template Hydrated Text Too Long'],
    [132007, 'Template Format Character Policy Violated'],
    [132012, 'Template Parameter Format Mismatch'],
  ])('maps template error %i to TemplateRejected', async (code, message) => {
    graph.injectFaults({ kind: 'graph-error', status: 400, code, message: `(#${code}) ${message}` });
    const message_ = { ...whatsappText(), template: { name: 'hello_world', language: 'en_US', variables: [] } };
    const err = await failure(meta('whatsapp').send(message_, ctx()));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'TemplateRejected', providerCode: String(code) });
    expect((err as Error).message).toContain(message);
  });

  it('sends an image link with the text as its caption', async () => {
    const message = { ...whatsappText('See attached'), media: [{ url: 'https://cdn.example.com/p/receipt.png' }] };
    await meta('whatsapp').send(message, ctx());
    expect(graph.accepted[0]?.payload).toMatchObject({
      type: 'image',
      image: { link: 'https://cdn.example.com/p/receipt.png', caption: 'See attached' },
    });
  });

  it('sends other media as a document link with its file name', async () => {
    const message = {
      ...whatsappText('Your invoice'),
      media: [{ url: 'https://cdn.example.com/files/invoice%2042.pdf', contentType: 'application/pdf' }],
    };
    await meta('whatsapp').send(message, ctx());
    expect(graph.accepted[0]?.payload).toMatchObject({
      type: 'document',
      document: {
        link: 'https://cdn.example.com/files/invoice%2042.pdf',
        caption: 'Your invoice',
        filename: 'invoice 42.pdf',
      },
    });
  });

  it('puts an attachment in a template header', async () => {
    const message: OutboundMessage = {
      ...whatsappText(),
      template: { name: 'hello_world', language: 'en_US', variables: [] },
      media: [{ url: 'https://cdn.example.com/banner.jpg', contentType: 'image/jpeg' }],
    };
    await meta('whatsapp').send(message, ctx());
    expect(graph.accepted[0]?.payload.template).toMatchObject({
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/banner.jpg' } }] },
      ],
    });
  });

  it('refuses what one WhatsApp message cannot carry, without calling Meta', async () => {
    const twoFiles = { ...whatsappText(), media: [{ url: 'https://x.test/a.png' }, { url: 'https://x.test/b.png' }] };
    const tooLong = whatsappText('x'.repeat(4097));
    const longCaption = { ...whatsappText('x'.repeat(1025)), media: [{ url: 'https://x.test/a.png' }] };
    for (const message of [twoFiles, tooLong, longCaption]) {
      expect(await failure(meta('whatsapp').send(message, ctx()))).toMatchObject({ type: 'InvalidRequest' });
    }
    expect(graph.requests).toHaveLength(0);
  });

  it('refuses a recipient that is not a phone number without calling Meta', async () => {
    const err = await failure(meta('whatsapp').send(whatsappText('hi', 'not-a-number'), ctx()));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'InvalidRecipient' });
    expect(graph.requests).toHaveLength(0);
  });

  it('maps an invalid `to` parameter (code 100) to InvalidRecipient', async () => {
    // Seven digits pass our E.164 check; the stand-in, like Meta, wants a longer number.
    const err = await failure(meta('whatsapp').send(whatsappText('hi', '+1234567'), ctx()));
    expect(err).toMatchObject({ type: 'InvalidRecipient', providerCode: '100' });
  });

  it('maps an invalid parameter that is not the recipient to InvalidRequest', async () => {
    graph.injectFaults({
      kind: 'graph-error',
      status: 400,
      code: 100,
      message: "(#100) Param text['body'] is required",
    });
    expect(await failure(meta('whatsapp').send(whatsappText(), ctx()))).toMatchObject({
      type: 'InvalidRequest',
      providerCode: '100',
    });
  });

  it.each([
    ['undeliverable', 'InvalidRecipient', '131026'],
    ['not-in-allowed-list', 'InvalidRecipient', '131030'],
    ['outside-window', 'OutsideWindow', '131047'],
    ['opted-out', 'OptedOut', '131050'],
  ] as const)('maps a recipient that is %s to %s', async (failureKind, type, code) => {
    graph.failRecipient(CUSTOMER, failureKind);
    const err = await failure(meta('whatsapp').send(whatsappText(), ctx()));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type, providerCode: code });
    expect(graph.acceptedCount(CUSTOMER)).toBe(0);
  });

  it.each([
    [368, 403, 'Temporarily blocked for policies violations', 'Blocked'],
    [131031, 403, 'Account has been locked', 'Blocked'],
    [10, 403, 'Permission denied', 'Unauthorized'],
    [200, 403, 'Permission error', 'Unauthorized'],
    [190, 401, 'Error validating access token: Session has expired', 'Unauthorized'],
  ] as const)('maps code %i to %s', async (code, status, message, type) => {
    graph.injectFaults({ kind: 'graph-error', status, code, message: `(#${code}) ${message}` });
    expect(await failure(meta('whatsapp').send(whatsappText(), ctx()))).toMatchObject({
      type,
      providerCode: String(code),
    });
  });

  it('answers a wrong access token with Unauthorized (190)', async () => {
    const err = await failure(meta('whatsapp', { accessToken: 'EAAJwrong-token-000' }).send(whatsappText(), ctx()));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'Unauthorized', providerCode: '190' });
    expect(graph.accepted).toHaveLength(0);
  });
});

describe('Graph rate limits and outages', () => {
  it.each([
    ['130429 without Retry-After waits a minute', { kind: 'rate-limit', code: 130429 }, 60_000, '130429'],
    ['130429 honours Retry-After', { kind: 'rate-limit', code: 130429, retryAfterSeconds: 7 }, 7_000, '130429'],
    ['80007 waits a few seconds', { kind: 'rate-limit', code: 80007 }, 5_000, '80007'],
    ['4 waits a few seconds', { kind: 'rate-limit', code: 4 }, 5_000, '4'],
    ['131048 waits a few seconds', { kind: 'rate-limit', code: 131048 }, 5_000, '131048'],
    ['131056 honours Retry-After', { kind: 'rate-limit', code: 131056, retryAfterSeconds: 3 }, 3_000, '131056'],
    [
      'HTTP 429 with Retry-After',
      { kind: 'rate-limit', status: 429, code: 130429, retryAfterSeconds: 2 },
      2_000,
      '130429',
    ],
  ] as Array<[string, MetaFault, number, string]>)('%s', async (_, fault, retryAfterMs, code) => {
    graph.injectFaults(fault);
    const err = await failure(meta('whatsapp').send(whatsappText(), ctx()));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', retryAfterMs, providerCode: code });

    // Nothing was accepted, so sending again delivers exactly once.
    await meta('whatsapp').send(whatsappText(), ctx());
    expect(graph.acceptedCount(CUSTOMER)).toBe(1);
  });

  it.each([
    ['HTTP 500 with 131000', { kind: 'server-error', status: 500, code: 131000 }],
    ['HTTP 503 with code 2', { kind: 'server-error', status: 503, code: 2 }],
    ['code 1', { kind: 'server-error', status: 500, code: 1 }],
    ['code 131016', { kind: 'server-error', status: 503, code: 131016 }],
    ['a 502 HTML page', { kind: 'gateway-html', status: 502 }],
    ['a 429 HTML page', { kind: 'gateway-html', status: 429 }],
  ] as Array<[string, MetaFault]>)('retries %s as not sent', async (_, fault) => {
    graph.injectFaults(fault, fault);
    const provider = meta('whatsapp');
    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await failure(provider.send(whatsappText(), ctx()));
      expect(err).toBeInstanceOf(TransientSendError);
      expect(err).toMatchObject({ outcome: 'not-sent' });
    }
    await provider.send(whatsappText(), ctx());
    expect(graph.acceptedCount(CUSTOMER)).toBe(1);
  });

  it('reports a timeout after Meta accepted the message as outcome unknown', async () => {
    graph.injectFaults({ kind: 'accept-then-hang' });
    const err = await failure(meta('whatsapp').send(whatsappText(), ctx('k', { timeoutMs: 300 })));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'unknown' });
    // The reason it must be "unknown": Meta did take it.
    expect(graph.acceptedCount(CUSTOMER)).toBe(1);
  });

  it('reports a connection reset after the request went out as outcome unknown', async () => {
    graph.injectFaults({ kind: 'accept-then-reset' });
    const err = await failure(meta('messenger').send({ channel: 'messenger', to: PSID, text: 'hi' }, ctx()));
    expect(err).toMatchObject({ name: 'TransientSendError', outcome: 'unknown' });
    expect(graph.acceptedCount(PSID)).toBe(1);
  });

  it('reports a refused connection as not sent', async () => {
    const port = await closedPort();
    const err = await failure(meta('whatsapp', { apiBaseUrl: `http://127.0.0.1:${port}` }).send(whatsappText(), ctx()));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent' });
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  it('treats a 2xx answer it cannot read as outcome unknown', async () => {
    const fetchImpl = (async () =>
      new Response('{"messaging_product":"whatsapp","messages":[]}', { status: 200 })) as typeof fetch;
    const err = await failure(meta('whatsapp', { fetchImpl }).send(whatsappText(), ctx()));
    expect(err).toMatchObject({ name: 'TransientSendError', outcome: 'unknown' });
  });

  it('uses the injected fetch, and the real Graph host in production', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string | URL | Request) => {
      urls.push(String(url));
      return Response.json({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.X' }] });
    }) as typeof fetch;
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await meta('whatsapp', { fetchImpl }).send(whatsappText(), ctx());
    } finally {
      process.env.NODE_ENV = previous;
    }
    await meta('whatsapp', { fetchImpl }).send(whatsappText(), ctx());
    expect(urls).toEqual([
      `https://graph.facebook.com/v21.0/${graph.whatsapp.phoneNumberId}/messages`,
      `${graph.baseUrl}/v21.0/${graph.whatsapp.phoneNumberId}/messages`,
    ]);
  });
});

describe('Messenger and Instagram sends', () => {
  it('posts the documented Send API text message', async () => {
    const result = await meta('messenger').send({ channel: 'messenger', to: PSID, text: 'Thanks!' }, ctx());
    expect(graph.accepted[0]?.payload).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Thanks!' },
    });
    expect(graph.requests[0]?.path).toBe(`/v21.0/${graph.page.id}/messages`);
    expect(result).toEqual({ providerMessageId: graph.accepted[0]?.id, status: 'sent' });
  });

  it('sends Instagram messages from the Instagram account, text only even when a template is set', async () => {
    const message: OutboundMessage = {
      channel: 'instagram',
      to: '17841455555555555',
      text: 'Hello from IG',
      template: { name: 'hello_world', language: 'en_US', variables: [] },
    };
    const result = await meta('instagram').send(message, ctx());
    expect(graph.accepted[0]).toMatchObject({
      channel: 'instagram',
      senderId: graph.instagram.id,
      payload: {
        recipient: { id: '17841455555555555' },
        messaging_type: 'RESPONSE',
        message: { text: 'Hello from IG' },
      },
    });
    expect(result.providerMessageId).toBe(graph.accepted[0]?.id);
  });

  it('sends an attachment on its own as a reusable URL attachment', async () => {
    const message = { channel: 'messenger' as const, to: PSID, text: '', media: [{ url: 'https://x.test/a.png' }] };
    await meta('messenger').send(message, ctx());
    expect(graph.accepted[0]?.payload.message).toEqual({
      attachment: { type: 'image', payload: { url: 'https://x.test/a.png', is_reusable: true } },
    });
  });

  it('refuses what one Send API message cannot carry, without calling Meta', async () => {
    const cases: OutboundMessage[] = [
      { channel: 'messenger', to: PSID, text: 'caption', media: [{ url: 'https://x.test/a.png' }] },
      { channel: 'messenger', to: PSID, text: 'x'.repeat(2001) },
      { channel: 'instagram', to: PSID, text: 'é'.repeat(501) },
    ];
    for (const message of cases) {
      const err = await failure(meta(message.channel as MetaChannel).send(message, ctx()));
      expect(err).toMatchObject({ type: 'InvalidRequest' });
    }
    expect(await failure(meta('messenger').send({ channel: 'messenger', to: 'bob', text: 'x' }, ctx()))).toMatchObject({
      type: 'InvalidRecipient',
    });
    expect(await failure(meta('messenger').send(whatsappText(), ctx()))).toMatchObject({ type: 'InvalidRequest' });
    expect(graph.requests).toHaveLength(0);
  });

  it.each([
    ['unavailable', 'InvalidRecipient', '551'],
    ['outside-window', 'OutsideWindow', '10'],
    ['no-matching-user', 'InvalidRecipient', '100'],
  ] as const)('maps a %s recipient to %s', async (failureKind, type, code) => {
    graph.failRecipient(PSID, failureKind);
    for (const channel of ['messenger', 'instagram'] as const) {
      const err = await failure(meta(channel).send({ channel, to: PSID, text: 'hi' }, ctx()));
      expect(err).toMatchObject({ name: 'PermanentSendError', type, providerCode: code });
    }
  });

  it('retries the Send API rate limit (613)', async () => {
    graph.injectFaults({ kind: 'rate-limit', code: 613 });
    const err = await failure(meta('messenger').send({ channel: 'messenger', to: PSID, text: 'hi' }, ctx()));
    expect(err).toMatchObject({ name: 'TransientSendError', outcome: 'not-sent', providerCode: '613' });
  });
});

describe('testConnection', () => {
  it('reads the sender node for each channel', async () => {
    expect(await meta('whatsapp').testConnection()).toEqual({ detail: 'WhatsApp +1 555-010-0199 (Switchboard Test)' });
    expect(await meta('messenger').testConnection()).toEqual({
      detail: `Facebook page Switchboard Page (${graph.page.id})`,
    });
    expect(await meta('instagram').testConnection()).toEqual({ detail: 'Instagram @switchboard.test' });
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v21.0/${graph.whatsapp.phoneNumberId}`,
      `GET /v21.0/${graph.page.id}`,
      `GET /v21.0/${graph.instagram.id}`,
    ]);
  });

  it('says Unauthorized for a bad token', async () => {
    const err = await failure(meta('whatsapp', { accessToken: 'EAAJexpired-token' }).testConnection());
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'Unauthorized', providerCode: '190' });
  });
});
