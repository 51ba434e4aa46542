import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TelegramMessagingProvider } from '../../activities/providers/telegram/messaging';
import {
  buildTelegramUpdate,
  parseTelegramUpdate,
  verifyTelegramSecret,
} from '../../activities/providers/telegram/webhook';
import {
  InboundEventSchema,
  type OutboundMessage,
  PermanentSendError,
  type RawWebhook,
  TransientSendError,
} from '../../activities/providers/types';
import { closedPort, failure, rejection } from '../helpers/providers';
import { startTelegramStandIn, type TelegramFault, type TelegramStandIn } from '../stand-ins/telegram';

let bot: TelegramStandIn;

beforeAll(async () => {
  bot = await startTelegramStandIn();
});
afterAll(async () => {
  await bot.close();
});
beforeEach(() => bot.reset());

function telegram(options: { botToken?: string; apiBaseUrl?: string } = {}): TelegramMessagingProvider {
  return new TelegramMessagingProvider({
    config: { apiBaseUrl: options.apiBaseUrl ?? bot.baseUrl },
    secrets: { botToken: options.botToken ?? bot.botToken },
  });
}

const CHAT = 1111111;
const text = (body = 'Your table is ready', to = String(CHAT)): OutboundMessage => ({
  channel: 'telegram',
  to,
  text: body,
});
const ctx = { idempotencyKey: 'wf-1:n1:1' };

describe('Telegram Bot API sends', () => {
  it('calls sendMessage with chat_id and text and names the message by chat and message id', async () => {
    const first = await telegram().send(text(), ctx);
    const second = await telegram().send(text('Second'), ctx);
    expect(bot.accepted[0]).toMatchObject({
      method: 'sendMessage',
      payload: { chat_id: String(CHAT), text: 'Your table is ready' },
    });
    expect(bot.requests[0]?.path).toBe('/bot<token>/sendMessage');
    expect(first).toEqual({ providerMessageId: `${CHAT}:1`, status: 'sent' });
    expect(second.providerMessageId).toBe(`${CHAT}:2`);
    expect(bot.acceptedCount(CHAT)).toBe(2);
  });

  it('sends to groups and public channels', async () => {
    bot.channels.set('@switchboard_news', -1001234567890);
    expect((await telegram().send(text('hi', '-4001234567'), ctx)).providerMessageId).toBe('-4001234567:1');
    expect((await telegram().send(text('hi', '@switchboard_news'), ctx)).providerMessageId).toBe('-1001234567890:1');
  });

  it('accepts exactly 4096 characters and refuses more, naming the limit, without calling Telegram', async () => {
    await telegram().send(text('x'.repeat(4096)), ctx);
    const err = await failure(telegram().send(text('x'.repeat(4097)), ctx));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'InvalidRequest' });
    expect((err as Error).message).toContain('4096');
    expect(bot.requests).toHaveLength(1);
  });

  it('sends one attachment with the text as its caption', async () => {
    await telegram().send(
      { ...text('Receipt'), media: [{ url: 'https://x.test/r.jpg', contentType: 'image/jpeg' }] },
      ctx,
    );
    await telegram().send(
      { ...text('Invoice'), media: [{ url: 'https://x.test/i.pdf', contentType: 'application/pdf' }] },
      ctx,
    );
    expect(bot.accepted.map((m) => [m.method, m.payload])).toEqual([
      ['sendPhoto', { chat_id: String(CHAT), photo: 'https://x.test/r.jpg', caption: 'Receipt' }],
      ['sendDocument', { chat_id: String(CHAT), document: 'https://x.test/i.pdf', caption: 'Invoice' }],
    ]);
  });

  it('refuses a recipient that is not a chat id without calling Telegram', async () => {
    expect(await failure(telegram().send(text('hi', 'alice'), ctx))).toMatchObject({ type: 'InvalidRecipient' });
    expect(await failure(telegram().send({ ...text(), channel: 'sms' }, ctx))).toMatchObject({
      type: 'InvalidRequest',
    });
    expect(bot.requests).toHaveLength(0);
  });

  it.each([
    ['chat-not-found', 'InvalidRecipient', '400'],
    ['peer-id-invalid', 'InvalidRecipient', '400'],
    ['blocked-bot', 'OptedOut', '403'],
    ['user-deactivated', 'OptedOut', '403'],
  ] as const)('maps %s to %s', async (chatFailure, type, code) => {
    bot.failChat(CHAT, chatFailure);
    const err = await failure(telegram().send(text(), ctx));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type, providerCode: code });
    expect(bot.acceptedCount(CHAT)).toBe(0);
  });

  it('maps an unknown @channel to InvalidRecipient', async () => {
    expect(await failure(telegram().send(text('hi', '@nobody_here'), ctx))).toMatchObject({ type: 'InvalidRecipient' });
  });

  it.each([
    [400, "Bad Request: can't parse entities: Unsupported start tag", 'InvalidRequest'],
    [403, "Forbidden: bot can't initiate conversation with a user", 'InvalidRecipient'],
    [401, 'Unauthorized', 'Unauthorized'],
  ] as const)('maps %i "%s" to %s', async (errorCode, description, type) => {
    bot.injectFaults({ kind: 'bot-api-error', errorCode, description });
    expect(await failure(telegram().send(text(), ctx))).toMatchObject({ type, providerCode: String(errorCode) });
  });

  it('answers a wrong bot token with Unauthorized (401)', async () => {
    const err = await failure(telegram({ botToken: '987654321:AAwrongwrongwrongwrongwrong' }).send(text(), ctx));
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'Unauthorized', providerCode: '401' });
  });

  it('waits retry_after seconds on 429, then sends exactly once', async () => {
    bot.injectFaults({ kind: 'flood', retryAfterSeconds: 17 });
    const err = await failure(telegram().send(text(), ctx));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', retryAfterMs: 17_000, providerCode: '429' });
    await telegram().send(text(), ctx);
    expect(bot.acceptedCount(CHAT)).toBe(1);
  });

  it.each([
    ['a 500 error', { kind: 'server-error', status: 500 }],
    ['a 502 from nginx', { kind: 'gateway-html', status: 502 }],
  ] as Array<[string, TelegramFault]>)('retries %s as not sent', async (_, fault) => {
    bot.injectFaults(fault);
    expect(await failure(telegram().send(text(), ctx))).toMatchObject({
      name: 'TransientSendError',
      outcome: 'not-sent',
    });
    await telegram().send(text(), ctx);
    expect(bot.acceptedCount(CHAT)).toBe(1);
  });

  it('reports a timeout or reset after Telegram accepted the message as outcome unknown', async () => {
    bot.injectFaults({ kind: 'accept-then-hang' }, { kind: 'accept-then-reset' });
    const hung = await failure(telegram().send(text(), { ...ctx, timeoutMs: 300 }));
    const reset = await failure(telegram().send(text(), ctx));
    for (const err of [hung, reset]) {
      expect(err).toBeInstanceOf(TransientSendError);
      expect(err).toMatchObject({ outcome: 'unknown' });
    }
    expect(bot.acceptedCount(CHAT)).toBe(2);
  });

  it('reports a refused connection as not sent', async () => {
    const port = await closedPort();
    const err = await failure(telegram({ apiBaseUrl: `http://127.0.0.1:${port}` }).send(text(), ctx));
    expect(err).toMatchObject({ name: 'TransientSendError', outcome: 'not-sent' });
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const provider = new TelegramMessagingProvider({
      config: { apiBaseUrl: bot.baseUrl },
      secrets: { botToken: bot.botToken },
      fetchImpl: (async (input: string | URL | Request, init?: RequestInit) => {
        seen.push(String(input).replace(bot.botToken, '<token>'));
        return fetch(input, init);
      }) as typeof fetch,
    });
    await provider.send(text(), ctx);
    expect(seen).toEqual([`${bot.baseUrl}/bot<token>/sendMessage`]);
  });
});

describe('Telegram testConnection', () => {
  it('names the bot from getMe', async () => {
    expect(await telegram().testConnection()).toEqual({ detail: 'bot @switchboard_test_bot' });
  });

  it('says Unauthorized for a bad token', async () => {
    const err = await failure(telegram({ botToken: '987654321:AAwrongwrongwrongwrongwrong' }).testConnection());
    expect(err).toMatchObject({ name: 'PermanentSendError', type: 'Unauthorized' });
  });
});

const SECRET = 'whsec-telegram-0123456789';

function raw(headers: Record<string, string | undefined>, body: string): RawWebhook {
  return {
    url: 'https://switchboard.example.com/webhooks/telegram/ch_1',
    method: 'POST',
    headers,
    rawBody: Buffer.from(body),
  };
}

describe('Telegram webhooks', () => {
  // The sample Update in Telegram's webhook guide.
  const documentedUpdate = {
    update_id: 10000,
    message: {
      date: 1441645532,
      chat: {
        last_name: 'Test Lastname',
        id: 1111111,
        type: 'private',
        first_name: 'Test Firstname',
        username: 'Testusername',
      },
      message_id: 1365,
      from: { last_name: 'Test Lastname', id: 1111111, first_name: 'Test Firstname', username: 'Testusername' },
      text: '/start',
    },
  };

  it('accepts the secret token in X-Telegram-Bot-Api-Secret-Token', () => {
    const { headers, body } = buildTelegramUpdate(SECRET, documentedUpdate);
    expect(() => verifyTelegramSecret(SECRET, raw(headers, body))).not.toThrow();
    expect(() => verifyTelegramSecret(SECRET, raw({ 'X-Telegram-Bot-Api-Secret-Token': SECRET }, body))).not.toThrow();
  });

  it('rejects a missing token with 401 and a wrong one with 403', () => {
    const { body } = buildTelegramUpdate(SECRET, documentedUpdate);
    expect(rejection(() => verifyTelegramSecret(SECRET, raw({}, body)))).toMatchObject({
      statusCode: 401,
      code: 'signature_missing',
    });
    for (const wrong of ['whsec-telegram-012345678', `${SECRET}x`, 'nope']) {
      expect(
        rejection(() => verifyTelegramSecret(SECRET, raw({ 'x-telegram-bot-api-secret-token': wrong }, body))),
      ).toMatchObject({
        statusCode: 403,
        code: 'signature_invalid',
      });
    }
  });

  it('reads the documented Update into a message event', () => {
    const { body } = buildTelegramUpdate(SECRET, documentedUpdate);
    const events = parseTelegramUpdate(body);
    for (const event of events) InboundEventSchema.parse(event);
    expect(events).toEqual([
      {
        kind: 'message',
        channel: 'telegram',
        providerMessageId: '1111111:1365',
        from: '1111111',
        text: '/start',
        profileName: 'Test Firstname Test Lastname',
        media: [],
        at: new Date(1441645532 * 1000),
      },
    ]);
  });

  it('reads edited messages, and photos by their largest size with the caption', () => {
    const edited = { update_id: 10001, edited_message: { ...documentedUpdate.message, text: '/start again' } };
    expect(parseTelegramUpdate(edited)[0]).toMatchObject({ providerMessageId: '1111111:1365', text: '/start again' });

    const photo = {
      update_id: 10002,
      message: {
        message_id: 7,
        date: 1441645600,
        chat: { id: -4001234567, type: 'group', title: 'Ops' },
        from: { id: 42, is_bot: false, first_name: 'Ada' },
        caption: 'broken screen',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
          { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280 },
        ],
      },
    };
    expect(parseTelegramUpdate(photo)).toEqual([
      {
        kind: 'message',
        channel: 'telegram',
        providerMessageId: '-4001234567:7',
        from: '-4001234567',
        text: 'broken screen',
        profileName: 'Ada',
        media: [{ url: 'telegram-file:large' }],
        at: new Date(1441645600 * 1000),
      },
    ]);
  });

  it('returns no events for updates without a message', () => {
    expect(parseTelegramUpdate({ update_id: 10003, callback_query: { id: 'q', data: 'x' } })).toEqual([]);
    const joined = {
      update_id: 10004,
      message: { ...documentedUpdate.message, text: undefined, new_chat_members: [] },
    };
    expect(parseTelegramUpdate(joined)).toEqual([]);
  });

  it('rejects malformed updates with 400', () => {
    for (const body of [
      '{',
      { message: documentedUpdate.message },
      { update_id: 1, message: { text: 'no ids' } },
      null,
    ]) {
      expect(rejection(() => parseTelegramUpdate(body))).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
    }
  });
});
