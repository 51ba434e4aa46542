import { z } from 'zod';
import { allowedBaseUrl, type MetaConfigSchema, type MetaSecretsSchema } from '../config';
import { jsonAnswer, requestJson } from '../http';
import {
  type MessagingProvider,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type SendResult,
  TransientSendError,
} from '../types';
import { graphResponseError } from './errors';

export type MetaChannel = 'whatsapp' | 'messenger' | 'instagram';

export interface MetaMessagingOptions {
  /** A Meta channel is one sender: a WhatsApp phone number ID, a page ID or an Instagram user ID. */
  channel: MetaChannel;
  config: z.output<typeof MetaConfigSchema>;
  secrets: Pick<z.output<typeof MetaSecretsSchema>, 'accessToken'>;
  fetchImpl?: typeof fetch;
}

const GRAPH_BASE_URL = 'https://graph.facebook.com';
const DEFAULT_TIMEOUT_MS = 10_000;
const PROVIDER = 'Meta Graph API';

/** Documented limits, checked here so the failure names the limit instead of a bare code 100. */
const WHATSAPP_TEXT_LIMIT = 4096;
const WHATSAPP_CAPTION_LIMIT = 1024;
const MESSENGER_TEXT_LIMIT = 2000;
const INSTAGRAM_TEXT_LIMIT_BYTES = 1000;

const WhatsAppSendResponseSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string() })).optional(),
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});
const SendApiResponseSchema = z.object({ recipient_id: z.string().optional(), message_id: z.string().min(1) });

const PhoneNumberNodeSchema = z.object({
  id: z.string(),
  display_phone_number: z.string(),
  verified_name: z.string().optional(),
});
const PageNodeSchema = z.object({ id: z.string(), name: z.string() });
const InstagramUserNodeSchema = z.object({ id: z.string(), username: z.string() });

type Media = NonNullable<OutboundMessage['media']>[number];

/**
 * WhatsApp (Cloud API), Messenger and Instagram messaging through the Graph API. The Graph API
 * has no idempotency key and no lookup of sent messages, so `findSent` is absent; the idempotency
 * key rides along as WhatsApp's `biz_opaque_callback_data`, which Meta echoes in status webhooks.
 */
export class MetaMessagingProvider implements MessagingProvider {
  readonly name = 'meta' as const;
  readonly channel: MetaChannel;
  private readonly baseUrl: string;
  private readonly apiVersion: string;
  private readonly senderId: string;
  private readonly accessToken: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: MetaMessagingOptions) {
    this.channel = options.channel;
    this.baseUrl = (allowedBaseUrl(options.config.apiBaseUrl) ?? GRAPH_BASE_URL).replace(/\/+$/, '');
    this.apiVersion = options.config.apiVersion;
    this.senderId = options.config.senderId;
    this.accessToken = options.secrets.accessToken;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    if (message.channel !== this.channel) {
      throw new PermanentSendError(
        'InvalidRequest',
        `this Meta channel sends ${this.channel} messages, not ${message.channel}`,
      );
    }
    const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (this.channel === 'whatsapp') {
      const payload = whatsappPayload(message, ctx.idempotencyKey);
      const answer = await this.call(`${this.senderId}/messages`, payload, timeoutMs);
      const sent = readAccepted(WhatsAppSendResponseSchema, answer);
      const first = sent.messages[0];
      if (!first) throw unreadableAnswer('no message id');
      // Accepted is not yet sent: Meta reports `sent` in a status webhook once it hands the message on.
      return { providerMessageId: first.id, status: 'queued' };
    }
    const payload = sendApiPayload(this.channel, message);
    const answer = await this.call(`${this.senderId}/messages`, payload, timeoutMs);
    return { providerMessageId: readAccepted(SendApiResponseSchema, answer).message_id, status: 'sent' };
  }

  async testConnection(): Promise<{ detail: string }> {
    if (this.channel === 'whatsapp') {
      const node = readNode(PhoneNumberNodeSchema, await this.getSender('id,display_phone_number,verified_name'));
      return { detail: `WhatsApp ${node.display_phone_number}${node.verified_name ? ` (${node.verified_name})` : ''}` };
    }
    if (this.channel === 'messenger') {
      const page = readNode(PageNodeSchema, await this.getSender('id,name'));
      return { detail: `Facebook page ${page.name} (${page.id})` };
    }
    const user = readNode(InstagramUserNodeSchema, await this.getSender('id,username'));
    return { detail: `Instagram @${user.username}` };
  }

  private getSender(fields: string): Promise<unknown> {
    return this.call(`${this.senderId}?fields=${encodeURIComponent(fields)}`, undefined, DEFAULT_TIMEOUT_MS);
  }

  /** One Graph call (POST with a body, GET without): the parsed JSON of a 2xx answer, or the mapped send error. */
  private async call(path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const answer = await requestJson(`${this.baseUrl}/${this.apiVersion}/${path}`, {
      provider: PROVIDER,
      body,
      headers: { authorization: `Bearer ${this.accessToken}` },
      timeoutMs,
      fetchImpl: this.fetchImpl,
    });
    return jsonAnswer(answer, graphResponseError, (text) => unreadableAnswer(`not JSON: ${text.slice(0, 100)}`));
  }
}

/** Meta took the request (2xx) but the answer is not the documented one: it may have sent. */
function unreadableAnswer(why: string): TransientSendError {
  return new TransientSendError(
    `${PROVIDER} accepted the request but its answer could not be read (${why})`,
    'unknown',
  );
}

function readAccepted<T>(schema: z.ZodType<T>, answer: unknown): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw unreadableAnswer(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

function readNode<T>(schema: z.ZodType<T>, answer: unknown): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    throw new PermanentSendError('InvalidRequest', `${PROVIDER} answered an unexpected node: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** WhatsApp's `to` is the number's digits: E.164 without the plus. */
function whatsappRecipient(to: string): string {
  const trimmed = to.trim();
  if (!/^\+?[1-9]\d{6,14}$/.test(trimmed)) {
    throw new PermanentSendError('InvalidRecipient', `"${to}" is not an E.164 phone number`);
  }
  return trimmed.replace(/^\+/, '');
}

function singleMedia(message: OutboundMessage): Media | undefined {
  const media = message.media ?? [];
  if (media.length > 1) {
    throw new PermanentSendError('InvalidRequest', `one send carries at most one attachment on ${message.channel}`);
  }
  return media[0];
}

function isImage(media: Media): boolean {
  if (media.contentType) return media.contentType.startsWith('image/');
  return /\.(jpe?g|png)$/i.test(new URL(media.url, 'https://x').pathname);
}

function fileName(url: string): string | undefined {
  const last = new URL(url, 'https://x').pathname.split('/').pop();
  return last ? decodeURIComponent(last) : undefined;
}

function whatsappPayload(message: OutboundMessage, idempotencyKey: string): Record<string, unknown> {
  const envelope = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: whatsappRecipient(message.to),
    biz_opaque_callback_data: idempotencyKey,
  };
  const media = singleMedia(message);
  if (message.template) return { ...envelope, type: 'template', template: whatsappTemplate(message.template, media) };
  if (media) {
    if (message.text.length > WHATSAPP_CAPTION_LIMIT) {
      throw new PermanentSendError(
        'InvalidRequest',
        `WhatsApp captions are limited to ${WHATSAPP_CAPTION_LIMIT} characters`,
      );
    }
    const caption = message.text ? { caption: message.text } : {};
    if (isImage(media)) return { ...envelope, type: 'image', image: { link: media.url, ...caption } };
    const filename = fileName(media.url);
    return {
      ...envelope,
      type: 'document',
      document: { link: media.url, ...caption, ...(filename ? { filename } : {}) },
    };
  }
  if (message.text.length > WHATSAPP_TEXT_LIMIT) {
    throw new PermanentSendError(
      'InvalidRequest',
      `WhatsApp text messages are limited to ${WHATSAPP_TEXT_LIMIT} characters`,
    );
  }
  return { ...envelope, type: 'text', text: { body: message.text, preview_url: false } };
}

function whatsappTemplate(template: NonNullable<OutboundMessage['template']>, media: Media | undefined) {
  const components: Array<Record<string, unknown>> = [];
  // A template whose header is an image or document takes the attachment as the header's parameter.
  if (media) {
    const header = isImage(media)
      ? { type: 'image', image: { link: media.url } }
      : { type: 'document', document: { link: media.url } };
    components.push({ type: 'header', parameters: [header] });
  }
  if (template.variables.length > 0) {
    components.push({ type: 'body', parameters: template.variables.map((text) => ({ type: 'text', text })) });
  }
  return {
    name: template.name,
    language: { code: template.language },
    ...(components.length > 0 ? { components } : {}),
  };
}

/** Messenger and Instagram share the Send API; the recipient is a page- or account-scoped ID. */
function sendApiPayload(channel: 'messenger' | 'instagram', message: OutboundMessage): Record<string, unknown> {
  const recipient = message.to.trim();
  if (!/^\d{5,}$/.test(recipient)) {
    throw new PermanentSendError('InvalidRecipient', `"${message.to}" is not a ${channel} user ID`);
  }
  // Templates are a WhatsApp notion: on Messenger and Instagram the text is the message.
  const media = singleMedia(message);
  const envelope = { recipient: { id: recipient }, messaging_type: 'RESPONSE' };
  if (media) {
    if (message.text.trim()) {
      throw new PermanentSendError(
        'InvalidRequest',
        `${channel} sends text and attachments as separate messages: send the text on its own`,
      );
    }
    const type = isImage(media) ? 'image' : 'file';
    return { ...envelope, message: { attachment: { type, payload: { url: media.url, is_reusable: true } } } };
  }
  if (channel === 'messenger' && message.text.length > MESSENGER_TEXT_LIMIT) {
    throw new PermanentSendError('InvalidRequest', `Messenger text is limited to ${MESSENGER_TEXT_LIMIT} characters`);
  }
  if (channel === 'instagram' && Buffer.byteLength(message.text, 'utf8') > INSTAGRAM_TEXT_LIMIT_BYTES) {
    throw new PermanentSendError(
      'InvalidRequest',
      `Instagram text is limited to ${INSTAGRAM_TEXT_LIMIT_BYTES} bytes of UTF-8`,
    );
  }
  return { ...envelope, message: { text: message.text } };
}
