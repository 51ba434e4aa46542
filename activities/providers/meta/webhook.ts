import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type DeliveryStatus, type InboundEvent, type RawWebhook, WebhookRejected } from '../types';

/**
 * Meta webhooks (WhatsApp Business Account, Messenger pages, Instagram): the GET verification
 * handshake, the X-Hub-Signature-256 check over the exact bytes received, and the payloads read
 * into InboundEvents.
 */

const SIGNATURE_HEADER = 'x-hub-signature-256';

export function headerValue(headers: RawWebhook['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

function hubSignature(appSecret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Compares digests of both sides so neither the content nor the length leaks through timing. */
export function constantTimeEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Throws WebhookRejected unless X-Hub-Signature-256 is the app secret's HMAC of the raw body. */
export function verifyMetaSignature(appSecret: string, raw: RawWebhook): void {
  const given = headerValue(raw.headers, SIGNATURE_HEADER)?.trim();
  if (!given) throw new WebhookRejected(401, 'signature_missing', 'X-Hub-Signature-256 header is missing');
  // Meta sends lowercase hex; a proxy that upper-cases the header still carries the same digest.
  if (!constantTimeEquals(given.toLowerCase(), hubSignature(appSecret, raw.rawBody))) {
    throw new WebhookRejected(403, 'signature_invalid', 'X-Hub-Signature-256 does not match the request body');
  }
}

export type ChallengeQuery = URLSearchParams | Record<string, unknown>;

function queryValue(query: ChallengeQuery, name: string): string | undefined {
  const value = query instanceof URLSearchParams ? query.get(name) : query[name];
  return typeof value === 'string' ? value : undefined;
}

/** The subscription handshake: echo hub.challenge when hub.verify_token is ours. */
export function answerMetaChallenge(verifyToken: string, query: ChallengeQuery): string {
  const mode = queryValue(query, 'hub.mode');
  const token = queryValue(query, 'hub.verify_token');
  if (mode !== 'subscribe' || token === undefined || !constantTimeEquals(token, verifyToken)) {
    throw new WebhookRejected(403, 'verify_token_invalid', 'hub.mode must be subscribe with our hub.verify_token');
  }
  const challenge = queryValue(query, 'hub.challenge');
  if (!challenge) throw new WebhookRejected(400, 'invalid_webhook', 'hub.challenge is missing');
  return challenge;
}

/**
 * Meta serializes webhook payloads with non-ASCII characters and `/ < % @` escaped (lowercase hex)
 * and signs those bytes; a body re-serialized by a JSON library would not verify.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]|[/<%@]/g, (c) =>
    c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A webhook signed exactly as Meta signs it, for the sandbox and tests to post. */
export function buildMetaWebhook(appSecret: string, body: unknown): { headers: Record<string, string>; body: string } {
  const text = typeof body === 'string' ? body : metaJson(body);
  return {
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: hubSignature(appSecret, text) },
    body: text,
  };
}

/** The fields a status or a message needs; each field Meta adds later is ignored. */
const WhatsAppMessageSchema = z.object({
  id: z.string().min(1),
  from: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.object({ id: z.string(), title: z.string() }).optional(),
    })
    .optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  image: z.object({ id: z.string(), mime_type: z.string().optional(), caption: z.string().optional() }).optional(),
  video: z.object({ id: z.string(), mime_type: z.string().optional(), caption: z.string().optional() }).optional(),
  audio: z.object({ id: z.string(), mime_type: z.string().optional() }).optional(),
  sticker: z.object({ id: z.string(), mime_type: z.string().optional() }).optional(),
  document: z
    .object({
      id: z.string(),
      mime_type: z.string().optional(),
      caption: z.string().optional(),
      filename: z.string().optional(),
    })
    .optional(),
});

const WhatsAppStatusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().regex(/^\d+$/).optional(),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number().int(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

const WhatsAppValueSchema = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }).optional(),
  contacts: z
    .array(z.object({ wa_id: z.string().optional(), profile: z.object({ name: z.string() }).optional() }))
    .optional(),
  messages: z.array(WhatsAppMessageSchema).optional(),
  statuses: z.array(WhatsAppStatusSchema).optional(),
});

const WhatsAppBodySchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

const MessagingEventSchema = z.object({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }),
  timestamp: z.number().optional(),
  message: z
    .object({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      attachments: z
        .array(z.object({ type: z.string(), payload: z.object({ url: z.string().optional() }).nullish() }))
        .optional(),
    })
    .optional(),
  delivery: z.object({ mids: z.array(z.string().min(1)).optional(), watermark: z.number().optional() }).optional(),
  read: z.object({ mid: z.string().min(1).optional(), watermark: z.number().optional() }).optional(),
  postback: z.object({ mid: z.string().optional(), title: z.string(), payload: z.string().optional() }).optional(),
});

const PageBodySchema = z.object({
  object: z.enum(['page', 'instagram']),
  entry: z.array(
    z.object({ id: z.string(), time: z.number().optional(), messaging: z.array(MessagingEventSchema).optional() }),
  ),
});

/**
 * A status event from a WhatsApp status webhook carries back the idempotency key the send put in
 * `biz_opaque_callback_data`, tying the status to the send even before its message ID is stored.
 */
export type MetaInboundEvent = InboundEvent & { idempotencyKey?: string };

function invalid(what: string, error: z.ZodError): WebhookRejected {
  const where = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
  return new WebhookRejected(400, 'invalid_webhook', `invalid ${what} webhook: ${where}`);
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(what, parsed.error);
  return parsed.data;
}

function jsonBody(body: unknown): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    throw new WebhookRejected(400, 'invalid_webhook', 'webhook body is not JSON');
  }
}

/**
 * Reads a Meta webhook into events. Objects and fields we do not handle (template status, account
 * updates, reactions, echoes of our own sends) produce no events rather than a rejection, so Meta
 * does not retry them.
 */
export function parseMetaWebhook(body: unknown): MetaInboundEvent[] {
  const json = jsonBody(body);
  const envelope = parseWith(z.object({ object: z.string(), entry: z.array(z.unknown()) }), json, 'Meta');
  if (envelope.object === 'whatsapp_business_account')
    return whatsappEvents(parseWith(WhatsAppBodySchema, json, 'WhatsApp'));
  if (envelope.object === 'page' || envelope.object === 'instagram') {
    return pageEvents(parseWith(PageBodySchema, json, envelope.object === 'page' ? 'Messenger' : 'Instagram'));
  }
  return [];
}

const unixSeconds = (s: string) => new Date(Number(s) * 1000);

function whatsappEvents(body: z.infer<typeof WhatsAppBodySchema>): MetaInboundEvent[] {
  const events: MetaInboundEvent[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = parseWith(WhatsAppValueSchema, change.value, 'WhatsApp');
      const ourNumber = value.metadata?.phone_number_id;
      for (const message of value.messages ?? []) {
        const content = whatsappContent(message);
        if (!content) continue;
        const contact = value.contacts?.find((c) => c.wa_id === message.from) ?? value.contacts?.[0];
        events.push({
          kind: 'message',
          channel: 'whatsapp',
          providerMessageId: message.id,
          from: `+${message.from}`,
          ...(ourNumber ? { to: ourNumber } : {}),
          text: content.text,
          ...(contact?.profile ? { profileName: contact.profile.name } : {}),
          media: content.media,
          at: unixSeconds(message.timestamp),
        });
      }
      for (const status of value.statuses ?? []) {
        const mapped = WHATSAPP_STATUSES[status.status];
        if (!mapped) continue;
        const error = status.errors?.[0];
        const errorMessage =
          error && [error.title ?? error.message, error.error_data?.details].filter(Boolean).join(': ');
        events.push({
          kind: 'status',
          providerMessageId: status.id,
          status: mapped,
          ...(error ? { errorCode: String(error.code) } : {}),
          ...(errorMessage ? { errorMessage } : {}),
          ...(status.timestamp ? { at: unixSeconds(status.timestamp) } : {}),
          ...(status.biz_opaque_callback_data ? { idempotencyKey: status.biz_opaque_callback_data } : {}),
        });
      }
    }
  }
  return events;
}

const WHATSAPP_STATUSES: Record<string, DeliveryStatus | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

/**
 * WhatsApp media arrive as media IDs, not URLs: fetching one takes a Graph call with the access
 * token, so the event names it as `whatsapp-media:<id>` for whoever downloads it.
 */
function whatsappContent(
  message: z.infer<typeof WhatsAppMessageSchema>,
): { text: string; media: Array<{ url: string; contentType?: string }> } | undefined {
  const none: Array<{ url: string; contentType?: string }> = [];
  switch (message.type) {
    case 'text':
      return message.text ? { text: message.text.body, media: none } : undefined;
    case 'button':
      return message.button ? { text: message.button.text, media: none } : undefined;
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      return reply ? { text: reply.title, media: none } : undefined;
    }
    case 'location': {
      const at = message.location;
      if (!at) return undefined;
      const label = [at.name, at.address].filter(Boolean).join(', ');
      return { text: label || `${at.latitude},${at.longitude}`, media: none };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'sticker':
    case 'document': {
      const file = message[message.type];
      if (!file) return undefined;
      const caption = 'caption' in file ? (file.caption ?? '') : '';
      const media = { url: `whatsapp-media:${file.id}`, ...(file.mime_type ? { contentType: file.mime_type } : {}) };
      return { text: caption, media: [media] };
    }
    default:
      // reaction, system, unsupported, order…: not a customer message the pipeline can answer.
      return undefined;
  }
}

function pageEvents(body: z.infer<typeof PageBodySchema>): MetaInboundEvent[] {
  const channel = body.object === 'page' ? 'messenger' : 'instagram';
  const events: MetaInboundEvent[] = [];
  for (const entry of body.entry) {
    for (const event of entry.messaging ?? []) {
      const at = event.timestamp === undefined ? {} : { at: new Date(event.timestamp) };
      const message = event.message;
      if (message && !message.is_echo) {
        const media = (message.attachments ?? []).flatMap((a) => (a.payload?.url ? [{ url: a.payload.url }] : []));
        events.push({
          kind: 'message',
          channel,
          providerMessageId: message.mid,
          from: event.sender.id,
          to: event.recipient.id,
          text: message.text ?? '',
          media,
          ...at,
        });
      }
      if (event.postback?.mid) {
        // A tapped button is the customer's answer, in the button's words.
        events.push({
          kind: 'message',
          channel,
          providerMessageId: event.postback.mid,
          from: event.sender.id,
          to: event.recipient.id,
          text: event.postback.title,
          media: [],
          ...at,
        });
      }
      for (const mid of event.delivery?.mids ?? []) {
        events.push({ kind: 'status', providerMessageId: mid, status: 'delivered', ...at });
      }
      // Messenger's read receipt is a watermark (everything before it was read) with no message ID,
      // so only Instagram's, which names the message, becomes an event.
      if (event.read?.mid) events.push({ kind: 'status', providerMessageId: event.read.mid, status: 'read', ...at });
    }
  }
  return events;
}
