import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildMetaWebhook } from '../../activities/providers/meta/webhook';
import { buildTelegramUpdate } from '../../activities/providers/telegram/webhook';
import { buildTwilioWebhook } from '../../activities/providers/twilio/inbound';
import type { Flow } from '../../flow';
import { toJson } from '../../prisma/json';
import { auth } from '../helpers/app';
import { type ChannelOut, ChannelTestServer, OUR_NUMBER, twilioSmsChannel } from '../helpers/channels';
import { seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { type MetaGraphStandIn, startMetaGraphStandIn } from '../stand-ins/meta-graph';
import { SmtpStandIn } from '../stand-ins/smtp';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram';
import { TwilioStandIn } from '../stand-ins/twilio';

/**
 * Every channel on real parts: the API and a worker on a Temporal dev server and PostgreSQL, each
 * channel configured through POST /v1/channels with its real adapter pointed at a stand-in that
 * speaks the provider's wire format (Twilio REST, Meta Graph, the Bot API, SMTP), web chat over a
 * real WebSocket, and provider webhooks signed as each provider signs them, over HTTP.
 */
let server: ChannelTestServer;
let twilio: TwilioStandIn;
let meta: MetaGraphStandIn;
let telegram: TelegramStandIn;
let smtp: SmtpStandIn;

/** A Twilio Content API template (WhatsApp through Twilio goes by Content SID). */
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';
const META_SECRETS = { appSecret: 'meta-app-secret-0123', verifyToken: 'meta-verify-token-0123' };
const EMAIL_TOKEN = 'inbound-email-token-0123456789abcdef';
const TELEGRAM_SECRET = 'telegram-secret-token-0123456789';

/** Tenant A: every channel but Meta WhatsApp; tenant B: WhatsApp through the Meta Cloud API. */
let a: Awaited<ReturnType<typeof seedTenant>> & { channels: Record<string, ChannelOut> };
let b: Awaited<ReturnType<typeof seedTenant>> & { whatsapp: ChannelOut };

const GRACE = {
  phone: '+14155550201',
  email: 'grace@example.com',
  telegramChatId: '7000001',
  messengerPsid: '24000000000001',
  instagramId: '17800000000000001',
  webchatSessionId: 'visitor-grace-0001',
};

beforeAll(async () => {
  [server, twilio, meta, telegram, smtp] = await Promise.all([
    ChannelTestServer.start(),
    TwilioStandIn.start(),
    startMetaGraphStandIn(),
    startTelegramStandIn(),
    SmtpStandIn.start(),
  ]);
  twilio.registerContent(CONTENT_SID, 'Your order {{1}} has shipped.');

  const seededA = await seedTenant(server.database.db, 'all-channels-a', { phone: GRACE.phone });
  await server.database.db.contact.update({
    where: { id: seededA.contact.id },
    data: {
      email: GRACE.email,
      fields: toJson({
        telegramChatId: GRACE.telegramChatId,
        messengerPsid: GRACE.messengerPsid,
        instagramId: GRACE.instagramId,
        webchatSessionId: GRACE.webchatSessionId,
      }),
    },
  });
  const metaSecrets = { accessToken: meta.accessToken, ...META_SECRETS };
  const channels: Record<string, ChannelOut> = {};
  for (const [key, body] of Object.entries({
    sms: twilioSmsChannel(twilio),
    whatsapp: { ...twilioSmsChannel(twilio), kind: 'whatsapp' },
    email: {
      kind: 'email',
      provider: 'smtp',
      config: { host: smtp.host, port: smtp.port, from: 'Switchboard <hello@switchboard.test>' },
      credentials: { inboundToken: EMAIL_TOKEN },
    },
    telegram: {
      kind: 'telegram',
      provider: 'telegram',
      config: { botUsername: 'switchboard_test_bot', apiBaseUrl: telegram.baseUrl },
      credentials: { botToken: telegram.botToken, secretToken: TELEGRAM_SECRET },
    },
    messenger: {
      kind: 'messenger',
      provider: 'meta',
      config: { senderId: meta.page.id, apiBaseUrl: meta.baseUrl },
      credentials: metaSecrets,
    },
    instagram: {
      kind: 'instagram',
      provider: 'meta',
      config: { senderId: meta.instagram.id, apiBaseUrl: meta.baseUrl },
      credentials: metaSecrets,
    },
    webchat: { kind: 'webchat', provider: 'webchat', config: {}, credentials: {} },
  })) {
    channels[key] = await server.createChannel(seededA.token, { ...body, name: `A ${key}` });
  }
  a = { ...seededA, channels };

  const seededB = await seedTenant(server.database.db, 'all-channels-b', { phone: '+14155550301' });
  b = {
    ...seededB,
    whatsapp: await server.createChannel(seededB.token, {
      name: 'WhatsApp Cloud API',
      kind: 'whatsapp',
      provider: 'meta',
      config: { senderId: meta.whatsapp.phoneNumberId, apiBaseUrl: meta.baseUrl },
      credentials: metaSecrets,
    }),
  };
}, 120_000);

afterAll(async () => {
  await server?.stop(() => Promise.all([twilio?.close(), meta?.close(), telegram?.close(), smtp?.stop()]));
});

// ---- helpers ------------------------------------------------------------------------------------

type SendParams = Record<string, unknown> & { channel: string; text: string };

/** A flow that sends each message in turn: every `sent` leads on, every `failed` to its own end. */
function sendingFlow(name: string, sends: Array<{ id: string; params: SendParams }>): Flow {
  const nodes: Flow['nodes'] = [{ id: 'start', type: 'trigger', params: { source: 'api' } }];
  const edges: Flow['edges'] = [];
  let previous = { id: 'start', handle: 'next' };
  for (const send of sends) {
    nodes.push({ id: send.id, type: 'send-message', params: send.params });
    nodes.push({ id: `${send.id}-failed`, type: 'end', params: { outcome: `failed:${send.id}` } });
    edges.push({ id: `to-${send.id}`, source: previous.id, sourceHandle: previous.handle, target: send.id });
    edges.push({ id: `${send.id}-f`, source: send.id, sourceHandle: 'failed', target: `${send.id}-failed` });
    previous = { id: send.id, handle: 'sent' };
  }
  nodes.push({ id: 'done', type: 'end', params: { outcome: 'sent' } });
  edges.push({ id: 'to-done', source: previous.id, sourceHandle: previous.handle, target: 'done' });
  return { name, version: 0, nodes, edges };
}

async function contactIn(tenantId: string, data: { phone?: string; email?: string; firstName?: string }) {
  return server.database.db.contact.create({ data: { tenantId, firstName: data.firstName ?? 'Ada', ...data } });
}

/** Sends one message through a one-node flow and returns the run and the Message row. */
async function sendOnce(t: { tenant: { id: string }; token: string }, contactId: string, params: SendParams) {
  const flow = await server.createFlow(t.tenant.id, sendingFlow(`one ${params.channel}`, [{ id: 'send', params }]));
  const run = await server.startRun(t.token, flow.id, contactId);
  const done = await server.finished(run.id);
  const message = await server.database.db.message.findFirst({ where: { workflowId: run.workflowId } });
  return { run: done, workflowId: run.workflowId, message };
}

async function postJson(url: string, signed: { headers: Record<string, string>; body: string }) {
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  return { status: res.status, body: await res.text() };
}

const metaHook = (channel: ChannelOut) => `${server.baseUrl}/hooks/meta/${channel.id}`;
const countMessages = (channelId: string) => server.database.db.message.count({ where: { channelId } });
const digits = (e164: string) => e164.replace(/^\+/, '');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function whatsappValue(extra: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550100199', phone_number_id: meta.whatsapp.phoneNumberId },
              ...extra,
            },
          },
        ],
      },
    ],
  };
}

function whatsappMessage(from: string, id: string, text: string) {
  return whatsappValue({
    contacts: [{ profile: { name: 'Ada Lovelace' }, wa_id: digits(from) }],
    messages: [{ from: digits(from), id, timestamp: String(nowSeconds()), type: 'text', text: { body: text } }],
  });
}

function whatsappStatus(to: string, wamid: string, status: string, opaque?: string) {
  return whatsappValue({
    statuses: [
      {
        id: wamid,
        status,
        timestamp: String(nowSeconds()),
        recipient_id: digits(to),
        ...(opaque ? { biz_opaque_callback_data: opaque } : {}),
      },
    ],
  });
}

interface Frame {
  type: string;
  [key: string]: unknown;
}

/** A web-chat visitor: the widget's WebSocket, with every frame it received. */
async function openVisitor(channelId: string, visitor: string) {
  const wsUrl = server.baseUrl.replace(/^http/, 'ws');
  const socket = new WebSocket(`${wsUrl}/webchat/${channelId}/ws?visitor=${visitor}`);
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const frame = (match: (f: Frame) => boolean, what: string) => waitFor(async () => frames.find(match), what, 30_000);
  return { socket, frames, closed, frame, send: (f: unknown) => socket.send(JSON.stringify(f)) };
}

// ---- the tests ----------------------------------------------------------------------------------

describe('every channel through its real adapter', () => {
  it('one flow sends on every channel: each stand-in receives exactly one message in its wire format', async () => {
    const visitor = await openVisitor(a.channels.webchat?.id ?? '', GRACE.webchatSessionId);
    // The pong proves the socket is set up (subscribed to the inbox) before anything is sent.
    visitor.send({ type: 'ping' });
    await visitor.frame((f) => f.type === 'pong', 'the pong');

    const flow = await server.createFlow(
      a.tenant.id,
      sendingFlow('Every channel', [
        { id: 'sms', params: { channel: 'sms', text: 'Hi {{contact.firstName}}, order A-1001 is ready.' } },
        {
          id: 'whatsapp',
          params: {
            channel: 'whatsapp',
            text: 'Order A-1001 shipped',
            template: { name: CONTENT_SID, language: 'en', variables: ['A-1001'] },
          },
        },
        {
          id: 'email',
          params: {
            channel: 'email',
            subject: 'Your order A-1001',
            text: 'Hello {{contact.firstName}},\n\nYour order A-1001 is ready for pickup.',
          },
        },
        { id: 'telegram', params: { channel: 'telegram', text: 'Order A-1001 is ready (Telegram).' } },
        { id: 'messenger', params: { channel: 'messenger', text: 'Order A-1001 is ready (Messenger).' } },
        { id: 'instagram', params: { channel: 'instagram', text: 'Order A-1001 is ready (Instagram).' } },
        { id: 'webchat', params: { channel: 'webchat', text: 'Order A-1001 is ready (web chat).' } },
      ]),
    );
    const started = await server.startRun(a.token, flow.id, a.contact.id);
    const run = await server.finished(started.id);
    expect(run.outcome).toBe('sent');
    expect(await server.runPath(a.token, started.id)).toEqual([
      'start:next',
      'sms:sent',
      'whatsapp:sent',
      'email:sent',
      'telegram:sent',
      'messenger:sent',
      'instagram:sent',
      'webchat:sent',
      'done:',
    ]);

    const rows = await server.database.db.message.findMany({ where: { workflowId: started.workflowId } });
    expect(rows).toHaveLength(7);
    const row = (channelKey: string) => {
      const found = rows.find((m) => m.channelId === a.channels[channelKey]?.id);
      expect(found, channelKey).toBeDefined();
      expect(found?.direction).toBe('outbound');
      expect(found?.providerMessageId, channelKey).toBeTruthy();
      expect(['queued', 'sent', 'delivered'], channelKey).toContain(found?.status);
      return found;
    };

    // SMS and WhatsApp through Twilio: one each, WhatsApp by Content SID with its variables.
    const twilioSent = twilio.acceptedMessages({ to: GRACE.phone });
    expect(twilioSent).toHaveLength(2);
    const sms = twilioSent.find((m) => !m.to.startsWith('whatsapp:'));
    const wa = twilioSent.find((m) => m.to.startsWith('whatsapp:'));
    expect(sms).toMatchObject({ to: GRACE.phone, from: OUR_NUMBER, body: 'Hi Grace, order A-1001 is ready.' });
    expect(sms?.statusCallback).toContain(`/hooks/twilio/${a.channels.sms?.id}/status?key=`);
    expect(wa).toMatchObject({
      to: `whatsapp:${GRACE.phone}`,
      from: `whatsapp:${OUR_NUMBER}`,
      contentSid: CONTENT_SID,
      contentVariables: JSON.stringify({ 1: 'A-1001' }),
      body: 'Your order A-1001 has shipped.',
    });
    expect(row('sms')?.providerMessageId).toBe(sms?.sid);
    expect(row('whatsapp')?.providerMessageId).toBe(wa?.sid);

    // Email over SMTP: one message, with the subject, the text and the Message-ID we recorded.
    const mails = smtp.received.filter((m) => m.envelope.to.includes(GRACE.email));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.envelope.from).toBe('hello@switchboard.test');
    expect(mail?.parsed.subject).toBe('Your order A-1001');
    expect(mail?.parsed.text).toContain('Your order A-1001 is ready for pickup.');
    expect(mail?.parsed.html).toContain('<p>Hello Grace,</p>');
    expect(row('email')?.providerMessageId).toBe(mail?.messageId);

    // Telegram: one sendMessage to the chat.
    expect(telegram.acceptedCount(Number(GRACE.telegramChatId))).toBe(1);
    const tg = telegram.accepted.find((m) => m.chatId === Number(GRACE.telegramChatId));
    expect(tg).toMatchObject({
      method: 'sendMessage',
      payload: { chat_id: GRACE.telegramChatId, text: 'Order A-1001 is ready (Telegram).' },
    });
    expect(row('telegram')?.providerMessageId).toBe(`${GRACE.telegramChatId}:${tg?.messageId}`);

    // Messenger and Instagram through the Send API.
    expect(meta.acceptedCount(GRACE.messengerPsid)).toBe(1);
    expect(meta.acceptedFor(GRACE.messengerPsid)[0]).toMatchObject({
      channel: 'messenger',
      senderId: meta.page.id,
      payload: {
        recipient: { id: GRACE.messengerPsid },
        messaging_type: 'RESPONSE',
        message: { text: 'Order A-1001 is ready (Messenger).' },
      },
    });
    expect(row('messenger')?.providerMessageId).toBe(meta.acceptedFor(GRACE.messengerPsid)[0]?.id);
    expect(meta.acceptedCount(GRACE.instagramId)).toBe(1);
    expect(meta.acceptedFor(GRACE.instagramId)[0]).toMatchObject({
      channel: 'instagram',
      senderId: meta.instagram.id,
      payload: { recipient: { id: GRACE.instagramId }, message: { text: 'Order A-1001 is ready (Instagram).' } },
    });
    expect(row('instagram')?.providerMessageId).toBe(meta.acceptedFor(GRACE.instagramId)[0]?.id);

    // Web chat: the visitor's open widget got the message, and only that one. The socket may push
    // a message again when its row changes (its `message.created` notice can be read after the send
    // already settled); the widget shows each id once, so what counts is the distinct ids.
    const webchatRow = row('webchat');
    await visitor.frame((f) => f.type === 'message' && f.id === webchatRow?.id, 'the web-chat message');
    const shown = new Map(visitor.frames.filter((f) => f.type === 'message').map((f) => [f.id, f]));
    expect([...shown.values()]).toEqual([
      expect.objectContaining({
        id: webchatRow?.id,
        direction: 'outbound',
        text: 'Order A-1001 is ready (web chat).',
        status: 'sent',
      }),
    ]);
    visitor.socket.close();
  }, 120_000);

  it('WhatsApp through the Meta Cloud API: a template in Meta’s wire format, the send’s key riding along', async () => {
    const customer = await contactIn(b.tenant.id, { phone: '+14155550302' });
    const template = await sendOnce(b, customer.id, {
      channel: 'whatsapp',
      text: 'Order update',
      template: { name: 'order_update', language: 'en', variables: ['A-2002', 'Friday'] },
    });
    expect(template.run.outcome).toBe('sent');
    expect(meta.acceptedCount(customer.phone ?? '')).toBe(1);
    const [accepted] = meta.acceptedFor(customer.phone ?? '');
    expect(accepted?.payload).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: digits(customer.phone ?? ''),
      biz_opaque_callback_data: template.message?.idempotencyKey,
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'A-2002' },
              { type: 'text', text: 'Friday' },
            ],
          },
        ],
      },
    });
    expect(template.message).toMatchObject({ providerMessageId: accepted?.id, status: 'queued' });
  });
});

describe('inbound on every channel', () => {
  it('Meta: answers the hub.challenge handshake only with our verify token', async () => {
    const url = metaHook(b.whatsapp);
    const ok = await fetch(
      `${url}?hub.mode=subscribe&hub.verify_token=${META_SECRETS.verifyToken}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=guess-guess&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('1158201444');
  });

  it('Meta WhatsApp: a signed message lands in its conversation once; unsigned and forged ones are refused', async () => {
    const phone = '+14155550303';
    const url = metaHook(b.whatsapp);
    const payload = whatsappMessage(phone, 'wamid.HBgLMTQxNTU1NTAzMDMVAgASGBQzQTk', 'Do you deliver on Sundays? 🚚');
    const before = await countMessages(b.whatsapp.id);

    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(unsigned.status).toBe(401);
    const forged = buildMetaWebhook('not-the-app-secret', payload);
    expect((await postJson(url, forged)).status).toBe(403);
    // Signed, then altered on the way: the signature no longer covers the body.
    const signed = buildMetaWebhook(META_SECRETS.appSecret, payload);
    const tampered = { ...signed, body: signed.body.replace('Sundays', 'Mondays') };
    expect((await postJson(url, tampered)).status).toBe(403);
    expect(await countMessages(b.whatsapp.id)).toBe(before);

    expect((await postJson(url, signed)).status).toBe(200);
    expect((await postJson(url, signed)).status).toBe(200); // Meta retries: the same event again
    expect(await countMessages(b.whatsapp.id)).toBe(before + 1);
    const conversation = await server.conversationOn(b.whatsapp.id, phone);
    expect(conversation).toMatchObject({ kind: 'whatsapp', unreadCount: 1 });
    expect(await server.messagesOf(b.token, conversation.id)).toEqual([
      expect.objectContaining({ direction: 'inbound', body: 'Do you deliver on Sundays? 🚚', status: 'received' }),
    ]);
    const contact = await server.database.db.contact.findUniqueOrThrow({ where: { id: conversation.contactId ?? '' } });
    expect(contact).toMatchObject({ phone, firstName: 'Ada', lastName: 'Lovelace' });
  });

  it('Meta WhatsApp: a status webhook’s biz_opaque_callback_data ties a send whose answer was lost', async () => {
    const customer = await contactIn(b.tenant.id, { phone: '+14155550304' });
    const flow = await server.createFlow(
      b.tenant.id,
      sendingFlow('Template', [
        {
          id: 'send',
          params: { channel: 'whatsapp', text: 'Hello', template: { name: 'hello_world', language: 'en_US' } },
        },
      ]),
    );
    // Meta takes the message and its answer never comes: the adapter times out, outcome unknown.
    meta.injectFaults({ kind: 'accept-then-hang' });
    const started = await server.startRun(b.token, flow.id, customer.id);
    const accepted = await waitFor(async () => meta.acceptedFor(customer.phone ?? '')[0], 'Meta to accept the message');
    const pending = await server.database.db.message.findFirstOrThrow({ where: { workflowId: started.workflowId } });
    expect(pending).toMatchObject({ status: 'pending', providerMessageId: null });
    expect(accepted.payload.biz_opaque_callback_data).toBe(pending.idempotencyKey);

    // The status webhook names the message and, in biz_opaque_callback_data, the send.
    const receipt = buildMetaWebhook(
      META_SECRETS.appSecret,
      whatsappStatus(customer.phone ?? '', accepted.id, 'delivered', pending.idempotencyKey ?? ''),
    );
    expect((await postJson(metaHook(b.whatsapp), receipt)).status).toBe(200);
    expect((await postJson(metaHook(b.whatsapp), receipt)).status).toBe(200);
    const tied = await server.database.db.message.findUniqueOrThrow({ where: { id: pending.id } });
    expect(tied).toMatchObject({ providerMessageId: accepted.id, status: 'delivered' });

    // The retry after the timeout finds the send through the receipt instead of sending again.
    expect((await server.finished(started.id)).outcome).toBe('sent');
    expect(meta.acceptedCount(customer.phone ?? '')).toBe(1);
    const ledger = await server.database.db.outboundAction.findFirstOrThrow({
      where: { workflowId: started.workflowId },
    });
    expect(ledger).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await server.database.db.message.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({
      providerMessageId: accepted.id,
      status: 'delivered',
    });
    // A late `sent` does not move the status back.
    const late = buildMetaWebhook(
      META_SECRETS.appSecret,
      whatsappStatus(customer.phone ?? '', accepted.id, 'sent', pending.idempotencyKey ?? ''),
    );
    expect((await postJson(metaHook(b.whatsapp), late)).status).toBe(200);
    expect((await server.database.db.message.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe(
      'delivered',
    );
  }, 60_000);

  it('Meta Messenger: a signed page message lands once', async () => {
    const channel = a.channels.messenger as ChannelOut;
    const event = {
      object: 'page',
      entry: [
        {
          id: meta.page.id,
          time: Date.now(),
          messaging: [
            {
              sender: { id: GRACE.messengerPsid },
              recipient: { id: meta.page.id },
              timestamp: Date.now(),
              message: { mid: 'm_inbound-messenger-0001', text: 'Thanks, see you then!' },
            },
          ],
        },
      ],
    };
    const before = await countMessages(channel.id);
    const signed = buildMetaWebhook(META_SECRETS.appSecret, event);
    expect((await postJson(metaHook(channel), buildMetaWebhook('forged-secret', event))).status).toBe(403);
    expect((await postJson(metaHook(channel), signed)).status).toBe(200);
    expect((await postJson(metaHook(channel), signed)).status).toBe(200);
    expect(await countMessages(channel.id)).toBe(before + 1);
    const conversation = await server.conversationOn(channel.id, GRACE.messengerPsid);
    expect(conversation.contactId).toBe(a.contact.id);
  });

  it('Telegram: an update with the secret token lands once; without it or with another it is refused', async () => {
    const channel = a.channels.telegram as ChannelOut;
    const url = `${server.baseUrl}/hooks/telegram/${channel.id}`;
    const update = {
      update_id: 900001,
      message: {
        message_id: 42,
        date: nowSeconds(),
        chat: { id: Number(GRACE.telegramChatId), type: 'private', first_name: 'Grace' },
        from: { id: Number(GRACE.telegramChatId), is_bot: false, first_name: 'Grace' },
        text: 'Is it ready yet?',
      },
    };
    const before = await countMessages(channel.id);
    const missing = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
    expect(missing.status).toBe(401);
    expect((await postJson(url, buildTelegramUpdate('another-secret-token-000', update))).status).toBe(403);
    expect(await countMessages(channel.id)).toBe(before);

    const signed = buildTelegramUpdate(TELEGRAM_SECRET, update);
    expect((await postJson(url, signed)).status).toBe(200);
    expect((await postJson(url, signed)).status).toBe(200);
    expect(await countMessages(channel.id)).toBe(before + 1);
    const conversation = await server.conversationOn(channel.id, GRACE.telegramChatId);
    expect(conversation.contactId).toBe(a.contact.id);
    expect(await server.messagesOf(a.token, conversation.id)).toContainEqual(
      expect.objectContaining({ direction: 'inbound', body: 'Is it ready yet?' }),
    );
  });

  it('email: a Postmark inbound webhook with the token lands once; without it or with another it is refused', async () => {
    const channel = a.channels.email as ChannelOut;
    const url = `${server.baseUrl}/hooks/email/${channel.id}`;
    const postmark = {
      FromName: 'Grace Hopper',
      From: GRACE.email,
      FromFull: { Email: GRACE.email, Name: 'Grace Hopper', MailboxHash: '' },
      To: 'hello@switchboard.test',
      ToFull: [{ Email: 'hello@switchboard.test', Name: '', MailboxHash: '' }],
      OriginalRecipient: 'hello@switchboard.test',
      Subject: 'Re: Your order A-1001',
      MessageID: 'b7bc2f4a-e38e-4336-af7d-e6c392c2f817',
      Date: new Date().toUTCString(),
      TextBody: 'Can I pick it up tomorrow?\n\nOn Mon, Switchboard wrote:\n> Your order A-1001 is ready.',
      HtmlBody: '<p>Can I pick it up tomorrow?</p>',
      StrippedTextReply: 'Can I pick it up tomorrow?',
      Headers: [{ Name: 'Message-ID', Value: '<CAKaZ8pm-grace-1@mail.example.com>' }],
      Attachments: [],
    };
    const body = JSON.stringify(postmark);
    const json = { 'content-type': 'application/json' };
    const before = await countMessages(channel.id);
    expect((await fetch(url, { method: 'POST', headers: json, body })).status).toBe(401);
    expect((await fetch(`${url}?token=not-the-token-0000000000`, { method: 'POST', headers: json, body })).status).toBe(
      403,
    );
    expect(await countMessages(channel.id)).toBe(before);

    for (let i = 0; i < 2; i++) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${EMAIL_TOKEN}` },
        body,
      });
      expect(res.status, await res.text()).toBe(200);
    }
    expect(await countMessages(channel.id)).toBe(before + 1);
    const conversation = await server.conversationOn(channel.id, GRACE.email);
    expect(conversation.contactId).toBe(a.contact.id);
    const inbound = await server.database.db.message.findFirstOrThrow({
      where: { channelId: channel.id, direction: 'inbound' },
    });
    expect(inbound).toMatchObject({
      body: 'Can I pick it up tomorrow?',
      subject: 'Re: Your order A-1001',
      providerMessageId: 'CAKaZ8pm-grace-1@mail.example.com',
    });
  });

  it('web chat: a visitor message over the WebSocket lands once, and an agent reply reaches the open socket', async () => {
    const channel = a.channels.webchat as ChannelOut;
    const visitorId = 'visitor-new-0002';
    const visitor = await openVisitor(channel.id, visitorId);
    // As the widget does: it sends what is pending as soon as the socket opens.
    visitor.send({ type: 'message', clientMessageId: 'c-1', text: 'Hello, anyone there?', name: 'Alan Turing' });
    expect(await visitor.frame((f) => f.type === 'ack', 'the ack')).toMatchObject({
      clientMessageId: 'c-1',
      duplicate: false,
    });
    // A resend after a reconnect carries the same client id.
    visitor.send({ type: 'message', clientMessageId: 'c-1', text: 'Hello, anyone there?' });
    await waitFor(async () => (visitor.frames.filter((f) => f.type === 'ack').length === 2 ? true : undefined), 'ack');
    expect(visitor.frames.filter((f) => f.type === 'ack')[1]).toMatchObject({ duplicate: true });
    visitor.send({ type: 'message', clientMessageId: 'c-2', text: '' });
    expect(await visitor.frame((f) => f.type === 'error', 'the refusal')).toMatchObject({ error: 'invalid_frame' });

    const conversation = await server.conversationOn(channel.id, visitorId);
    const messages = await server.messagesOf(a.token, conversation.id);
    expect(messages).toEqual([expect.objectContaining({ direction: 'inbound', body: 'Hello, anyone there?' })]);
    const contact = await server.database.db.contact.findUniqueOrThrow({ where: { id: conversation.contactId ?? '' } });
    expect(contact).toMatchObject({ firstName: 'Alan', lastName: 'Turing', fields: { webchatSessionId: visitorId } });

    const reply = await server.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: { ...auth(a.token), 'idempotency-key': 'webchat-reply-1' },
      payload: { text: 'Hi Alan! How can I help?' },
    });
    expect(reply.statusCode, reply.body).toBe(202);
    const { id } = reply.json() as { id: string };
    expect(await visitor.frame((f) => f.type === 'message' && f.id === id, 'the agent reply')).toMatchObject({
      direction: 'outbound',
      text: 'Hi Alan! How can I help?',
      status: 'sent',
    });
    const sent = await server.database.db.message.findUniqueOrThrow({ where: { id } });
    expect(sent.providerMessageId).toMatch(/^wc_/);

    // A returning visitor gets the history.
    visitor.socket.close();
    const back = await openVisitor(channel.id, visitorId);
    const history = await back.frame((f) => f.type === 'history', 'the history');
    expect((history.messages as Array<{ text: string }>).map((m) => m.text)).toEqual([
      'Hello, anyone there?',
      'Hi Alan! How can I help?',
    ]);
    back.socket.close();

    // An unknown channel or a malformed visitor id is refused; nothing is recorded.
    const recorded = await server.database.db.message.count();
    const unknown = await openVisitor('00000000-0000-4000-8000-000000000000', visitorId);
    expect((await unknown.closed).code).toBe(4404);
    const badVisitor = await openVisitor(channel.id, 'x');
    expect((await badVisitor.closed).code).toBe(4400);
    expect(await server.database.db.message.count()).toBe(recorded);
  });
});

describe('the WhatsApp 24-hour window', () => {
  it('blocks free-form text to a customer who never wrote, sends a template, and free-form once they write', async () => {
    const customer = await contactIn(b.tenant.id, { phone: '+14155550305' });
    const phone = customer.phone ?? '';
    const freeform = { channel: 'whatsapp', text: 'Can we talk about your order?' };

    const blocked = await sendOnce(b, customer.id, freeform);
    expect(blocked.run.outcome).toBe('failed:send');
    expect(blocked.message).toMatchObject({ status: 'blocked', errorCode: 'OutsideWindow' });
    expect(blocked.message?.errorMessage).toMatch(/template/);
    expect(meta.acceptedCount(phone)).toBe(0);

    const template = await sendOnce(b, customer.id, {
      channel: 'whatsapp',
      text: 'Hello',
      template: { name: 'hello_world', language: 'en_US' },
    });
    expect(template.run.outcome).toBe('sent');
    expect(meta.acceptedCount(phone)).toBe(1);

    const writes = buildMetaWebhook(
      META_SECRETS.appSecret,
      whatsappMessage(phone, 'wamid.window-opened-0305', 'Sure, call me'),
    );
    expect((await postJson(metaHook(b.whatsapp), writes)).status).toBe(200);
    const open = await sendOnce(b, customer.id, freeform);
    expect(open.run.outcome).toBe('sent');
    expect(meta.acceptedCount(phone)).toBe(2);
    expect(meta.acceptedFor(phone)[1]?.payload).toMatchObject({
      type: 'text',
      text: { body: 'Can we talk about your order?' },
    });
    expect(open.message?.providerMessageId).toBe(meta.acceptedFor(phone)[1]?.id);
  }, 60_000);
});

describe('bad input', () => {
  it('a 2,000-character SMS: Twilio refuses it, the run takes `failed`, the Message says why', async () => {
    const customer = await contactIn(a.tenant.id, { phone: '+14155550211' });
    const { run, message } = await sendOnce(a, customer.id, { channel: 'sms', text: 'x'.repeat(2000) });
    expect(run.outcome).toBe('failed:send');
    expect(message).toMatchObject({ status: 'failed', errorCode: 'InvalidRequest:21617', providerMessageId: null });
    expect(message?.errorMessage).toMatch(/1600 character limit/);
    expect(twilio.acceptedCount({ to: customer.phone ?? '' })).toBe(0);
  });

  it('an emoji-heavy SMS goes out as UCS-2, its segments on the Message', async () => {
    const customer = await contactIn(a.tenant.id, { phone: '+14155550212' });
    const text = `Party time! ${'🎉🥳'.repeat(20)}`;
    const { run, message } = await sendOnce(a, customer.id, { channel: 'sms', text });
    expect(run.outcome).toBe('sent');
    // 92 UTF-16 code units: UCS-2 fits 70 in one segment, 67 per segment when split.
    expect(message).toMatchObject({ encoding: 'UCS-2', segments: 2, body: text });
    const [sent] = twilio.acceptedMessages({ to: customer.phone ?? '' });
    expect(sent).toMatchObject({ body: text, numSegments: 2 });
  });

  it('an unknown WhatsApp template is TemplateRejected; nothing is sent', async () => {
    const customer = await contactIn(b.tenant.id, { phone: '+14155550306' });
    const { run, message } = await sendOnce(b, customer.id, {
      channel: 'whatsapp',
      text: 'Hello',
      template: { name: 'no_such_template', language: 'en' },
    });
    expect(run.outcome).toBe('failed:send');
    expect(message).toMatchObject({ status: 'failed', errorCode: 'TemplateRejected:132001' });
    expect(message?.errorMessage).toMatch(/does not exist/);
    expect(meta.acceptedCount(customer.phone ?? '')).toBe(0);
  });

  it('a phone that is not a number is InvalidRecipient; nothing is sent', async () => {
    const customer = await contactIn(a.tenant.id, { phone: 'call me maybe' });
    const before = twilio.acceptedCount();
    const { run, message } = await sendOnce(a, customer.id, { channel: 'sms', text: 'Hello there' });
    expect(run.outcome).toBe('failed:send');
    expect(message).toMatchObject({ status: 'failed', errorCode: 'InvalidRecipient:21211' });
    expect(message?.errorMessage).toMatch(/call me maybe/);
    expect(twilio.acceptedCount()).toBe(before);
  });

  it('webhooks with missing fields get a 400 that says what is missing, and record nothing', async () => {
    const before = await server.database.db.message.count();
    const expect400 = async (res: { status: number; body: string }, pattern: RegExp) => {
      expect(res.status, res.body).toBe(400);
      const json = JSON.parse(res.body) as { error: string; message: string };
      expect(json.error).toBe('invalid_webhook');
      expect(json.message).toMatch(pattern);
    };
    // Meta: no entry; a message without its sender.
    await expect400(
      await postJson(
        metaHook(b.whatsapp),
        buildMetaWebhook(META_SECRETS.appSecret, { object: 'whatsapp_business_account' }),
      ),
      /entry/,
    );
    const noSender = whatsappValue({
      messages: [{ id: 'wamid.no-sender', timestamp: String(nowSeconds()), type: 'text', text: { body: 'hi' } }],
    });
    await expect400(
      await postJson(metaHook(b.whatsapp), buildMetaWebhook(META_SECRETS.appSecret, noSender)),
      /messages\.0\.from/,
    );
    // Telegram: no update_id.
    const telegramUrl = `${server.baseUrl}/hooks/telegram/${a.channels.telegram?.id}`;
    await expect400(
      await postJson(
        telegramUrl,
        buildTelegramUpdate(TELEGRAM_SECRET, {
          message: { message_id: 1, date: nowSeconds(), chat: { id: 1, type: 'private' }, text: 'hi' },
        }),
      ),
      /update_id/,
    );
    // Email: a Postmark body without a sender.
    const emailRes = await fetch(`${server.baseUrl}/hooks/email/${a.channels.email?.id}?token=${EMAIL_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ StrippedTextReply: 'hi', Subject: 'x', MessageID: 'abc' }),
    });
    await expect400({ status: emailRes.status, body: await emailRes.text() }, /sender/);
    // Twilio: signed, but neither a message nor a status.
    const twilioUrl = `${server.baseUrl}/hooks/twilio/${a.channels.sms?.id}/messages`;
    const signed = buildTwilioWebhook(twilio.authToken, twilioUrl, { From: '+14155550299', Body: 'hi' });
    const twilioRes = await fetch(twilioUrl, { method: 'POST', headers: signed.headers, body: signed.body });
    await expect400({ status: twilioRes.status, body: await twilioRes.text() }, /MessageSid/);
    // Not JSON at all.
    await expect400(
      await postJson(metaHook(b.whatsapp), buildMetaWebhook(META_SECRETS.appSecret, '{"object": ')),
      /JSON/,
    );
    expect(await server.database.db.message.count()).toBe(before);
  });

  it('an oversized webhook is refused with 413 before it is read', async () => {
    const huge = buildMetaWebhook(
      META_SECRETS.appSecret,
      whatsappMessage('+14155550307', 'wamid.huge', 'x'.repeat(1_100_000)),
    );
    const res = await postJson(metaHook(b.whatsapp), huge);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'payload_too_large' });
    const telegramRes = await postJson(
      `${server.baseUrl}/hooks/telegram/${a.channels.telegram?.id}`,
      buildTelegramUpdate(TELEGRAM_SECRET, { update_id: 1, padding: 'x'.repeat(1_100_000) }),
    );
    expect(telegramRes.status).toBe(413);
    expect(await server.database.db.conversation.count({ where: { address: '+14155550307' } })).toBe(0);
  });
});
