import { z } from 'zod';
import { allowedBaseUrl, type TelegramConfigSchema, type TelegramSecretsSchema } from '../config';
import { jsonAnswer, requestJson } from '../http';
import {
  type MessagingProvider,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type SendResult,
  TransientSendError,
} from '../types';
import { botApiError } from './errors';

export interface TelegramMessagingOptions {
  config: z.output<typeof TelegramConfigSchema>;
  secrets: Pick<z.output<typeof TelegramSecretsSchema>, 'botToken'>;
  fetchImpl?: typeof fetch;
}

const BOT_API_BASE_URL = 'https://api.telegram.org';
const DEFAULT_TIMEOUT_MS = 10_000;
const PROVIDER = 'Telegram Bot API';

/** Documented limits: a message's text, and a photo's or document's caption. */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

const SentMessageSchema = z.object({
  ok: z.literal(true),
  result: z.object({ message_id: z.number().int(), chat: z.object({ id: z.number().int() }) }),
});
const GetMeSchema = z.object({
  ok: z.literal(true),
  result: z.object({ id: z.number().int(), is_bot: z.boolean(), username: z.string() }),
});

/** A chat ID (negative for groups) or a public channel's @username. */
const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z]\w{3,31})$/;

/**
 * Telegram through the Bot API. The Bot API takes no idempotency key and cannot list what a bot
 * sent, so `findSent` is absent.
 */
export class TelegramMessagingProvider implements MessagingProvider {
  readonly name = 'telegram' as const;
  private readonly baseUrl: string;
  private readonly botToken: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TelegramMessagingOptions) {
    this.baseUrl = (allowedBaseUrl(options.config.apiBaseUrl) ?? BOT_API_BASE_URL).replace(/\/+$/, '');
    this.botToken = options.secrets.botToken;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    if (message.channel !== 'telegram') {
      throw new PermanentSendError('InvalidRequest', `Telegram sends telegram messages, not ${message.channel}`);
    }
    const chatId = message.to.trim();
    if (!CHAT_ID.test(chatId)) {
      throw new PermanentSendError('InvalidRecipient', `"${message.to}" is not a Telegram chat ID or @channel`);
    }
    const [method, payload] = botRequest(chatId, message);
    const answer = await this.call(method, payload, ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const parsed = SentMessageSchema.safeParse(answer);
    if (!parsed.success) {
      throw new TransientSendError(`${PROVIDER} accepted ${method} but its answer could not be read`, 'unknown');
    }
    const { chat, message_id } = parsed.data.result;
    // Message IDs are per chat, so the chat is part of the ID (as inbound updates name them too).
    return { providerMessageId: `${chat.id}:${message_id}`, status: 'sent' };
  }

  async testConnection(): Promise<{ detail: string }> {
    const parsed = GetMeSchema.safeParse(await this.call('getMe', undefined, DEFAULT_TIMEOUT_MS));
    if (!parsed.success) throw new PermanentSendError('InvalidRequest', `${PROVIDER} answered getMe unexpectedly`);
    return { detail: `bot @${parsed.data.result.username}` };
  }

  /** One Bot API call (POST with a payload, GET without): the JSON of an `ok` answer, or the mapped send error. */
  private async call(
    method: string,
    payload: Record<string, unknown> | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    const answer = await requestJson(`${this.baseUrl}/bot${this.botToken}/${method}`, {
      provider: PROVIDER,
      body: payload,
      timeoutMs,
      fetchImpl: this.fetchImpl,
    });
    return jsonAnswer(
      answer,
      botApiError,
      () => new TransientSendError(`${PROVIDER} accepted ${method} but answered with non-JSON`, 'unknown'),
    );
  }
}

/** sendMessage for text; sendPhoto or sendDocument, captioned with the text, for one attachment. */
function botRequest(chatId: string, message: OutboundMessage): [string, Record<string, unknown>] {
  const media = message.media ?? [];
  const [attachment] = media;
  if (media.length > 1)
    throw new PermanentSendError('InvalidRequest', 'one Telegram send carries at most one attachment');
  if (attachment) {
    if (message.text.length > TELEGRAM_CAPTION_LIMIT) {
      throw new PermanentSendError(
        'InvalidRequest',
        `Telegram captions are limited to ${TELEGRAM_CAPTION_LIMIT} characters; this one has ${message.text.length}`,
      );
    }
    const caption = message.text ? { caption: message.text } : {};
    const isPhoto = attachment.contentType?.startsWith('image/') ?? /\.(jpe?g|png)$/i.test(attachment.url);
    return isPhoto
      ? ['sendPhoto', { chat_id: chatId, photo: attachment.url, ...caption }]
      : ['sendDocument', { chat_id: chatId, document: attachment.url, ...caption }];
  }
  if (!message.text) throw new PermanentSendError('InvalidRequest', 'a Telegram message needs text');
  // String.length counts UTF-16 code units (an emoji is two), never fewer than Telegram's characters: a safe reading.
  if (message.text.length > TELEGRAM_TEXT_LIMIT) {
    throw new PermanentSendError(
      'InvalidRequest',
      `Telegram messages are limited to ${TELEGRAM_TEXT_LIMIT} characters; this one has ${message.text.length}`,
    );
  }
  return ['sendMessage', { chat_id: chatId, text: message.text }];
}
