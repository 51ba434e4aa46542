import { z } from 'zod';
// Header lookup and the constant-time compare are provider-neutral; they live with Meta's webhook for now.
import { constantTimeEquals, headerValue } from '../meta/webhook';
import { type InboundEvent, type RawWebhook, WebhookRejected } from '../types';

/**
 * Telegram webhooks: setWebhook's `secret_token` comes back in X-Telegram-Bot-Api-Secret-Token on
 * every update (Telegram signs nothing), and the body is one Update.
 */

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export function verifyTelegramSecret(secretToken: string, raw: RawWebhook): void {
  const given = headerValue(raw.headers, SECRET_HEADER);
  if (!given) throw new WebhookRejected(401, 'signature_missing', 'X-Telegram-Bot-Api-Secret-Token header is missing');
  if (!constantTimeEquals(given, secretToken)) {
    throw new WebhookRejected(403, 'signature_invalid', 'X-Telegram-Bot-Api-Secret-Token does not match');
  }
}

/** An update as Telegram posts it, for the sandbox and tests. */
export function buildTelegramUpdate(
  secretToken: string,
  update: unknown,
): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretToken },
    body: typeof update === 'string' ? update : JSON.stringify(update),
  };
}

const FileSchema = z.object({ file_id: z.string().min(1), mime_type: z.string().optional() });

const MessageSchema = z.object({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: z.object({ id: z.number().int(), type: z.string() }),
  from: z
    .object({
      id: z.number().int(),
      first_name: z.string(),
      last_name: z.string().optional(),
      username: z.string().optional(),
    })
    .optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  // Sizes of one photo, smallest first.
  photo: z.array(FileSchema).optional(),
  document: FileSchema.optional(),
  video: FileSchema.optional(),
  voice: FileSchema.optional(),
  audio: FileSchema.optional(),
  sticker: z.object({ file_id: z.string().min(1), emoji: z.string().optional() }).optional(),
});

const UpdateSchema = z.object({
  update_id: z.number().int(),
  message: MessageSchema.optional(),
  edited_message: MessageSchema.optional(),
});

/**
 * One Update into events: a message or an edited message from a customer. Other updates (callback
 * queries, channel posts, membership changes) and service messages without content produce none.
 * Files arrive as file IDs; `telegram-file:<file_id>` names one for whoever downloads it (getFile).
 */
export function parseTelegramUpdate(body: unknown): InboundEvent[] {
  let json = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      json = JSON.parse(body.toString());
    } catch {
      throw new WebhookRejected(400, 'invalid_webhook', 'Telegram update is not JSON');
    }
  }
  const parsed = UpdateSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`)
      .join('; ');
    throw new WebhookRejected(400, 'invalid_webhook', `invalid Telegram update: ${where}`);
  }
  const message = parsed.data.message ?? parsed.data.edited_message;
  if (!message) return [];
  const file = message.photo?.at(-1) ?? message.document ?? message.video ?? message.voice ?? message.audio;
  const media = file
    ? [{ url: `telegram-file:${file.file_id}`, ...(file.mime_type ? { contentType: file.mime_type } : {}) }]
    : [];
  const text = message.text ?? message.caption ?? message.sticker?.emoji ?? '';
  if (!text && media.length === 0) return [];
  const name = [message.from?.first_name, message.from?.last_name].filter(Boolean).join(' ') || message.from?.username;
  return [
    {
      kind: 'message',
      channel: 'telegram',
      providerMessageId: `${message.chat.id}:${message.message_id}`,
      from: String(message.chat.id),
      text,
      ...(name ? { profileName: name } : {}),
      media,
      at: new Date(message.date * 1000),
    },
  ];
}
