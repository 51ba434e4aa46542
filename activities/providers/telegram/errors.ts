import { z } from 'zod';
import { retryAfterMs } from '../../notify/webhooks';
import { PermanentSendError, TransientSendError } from '../types';

/**
 * Bot API errors. Telegram documents `error_code` (an HTTP status) and a human `description`; the
 * description is the only thing telling "chat not found" from any other 400, so it is matched.
 */

export const BotApiErrorSchema = z.object({
  ok: z.literal(false),
  error_code: z.number().int(),
  description: z.string().default(''),
  parameters: z
    .object({ retry_after: z.number().nonnegative().optional(), migrate_to_chat_id: z.number().optional() })
    .optional(),
});
export type BotApiError = z.infer<typeof BotApiErrorSchema>;

const UNKNOWN_CHAT = /chat not found|PEER_ID_INVALID|chat_id is empty|user not found/i;
/** The user blocked the bot or deleted their account: they chose not to hear from us. */
const USER_LEFT = /bot was blocked by the user|user is deactivated/i;

function parseBotApiError(bodyText: string): BotApiError | undefined {
  try {
    const parsed = BotApiErrorSchema.safeParse(JSON.parse(bodyText));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The error for a Bot API answer that was not `ok`. */
export function botApiError(
  status: number,
  headers: Headers,
  bodyText: string,
): PermanentSendError | TransientSendError {
  const error = parseBotApiError(bodyText);
  const code = error?.error_code ?? status;
  const description = error?.description || bodyText.slice(0, 200).trim() || `HTTP ${status}`;
  const message = `Telegram Bot API error ${code}: ${description}`;
  const providerCode = String(code);

  // 420 is the FLOOD_WAIT form of the same limit.
  if (code === 429 || code === 420) {
    const retryAfter = error?.parameters?.retry_after;
    const wait = retryAfter === undefined ? retryAfterMs(headers.get('retry-after')) : retryAfter * 1000;
    return new TransientSendError(message, 'not-sent', wait, providerCode);
  }
  if (code >= 500 || status >= 500) return new TransientSendError(message, 'not-sent', undefined, providerCode);
  // 404 on /bot<token>/… is how Telegram answers a token it does not know.
  if (code === 401 || code === 404) return new PermanentSendError('Unauthorized', message, providerCode);
  if (code === 403) {
    return new PermanentSendError(USER_LEFT.test(description) ? 'OptedOut' : 'InvalidRecipient', message, providerCode);
  }
  const migratedTo = error?.parameters?.migrate_to_chat_id;
  if (migratedTo !== undefined) {
    return new PermanentSendError('InvalidRecipient', `${message} (the group is now chat ${migratedTo})`, providerCode);
  }
  if (code === 400 && UNKNOWN_CHAT.test(description)) {
    return new PermanentSendError('InvalidRecipient', message, providerCode);
  }
  return new PermanentSendError('InvalidRequest', message, providerCode);
}
