import { createHash } from 'node:crypto';
import type { MessagingProvider, OutboundMessage, SendContext, SendResult } from '../types';
import { PermanentSendError } from '../types';

/**
 * Web chat is our own channel: the message row is the delivery. The API's web-chat socket hub
 * hears of it (PostgreSQL NOTIFY, see activities/channels/live.ts) and pushes it to the visitor's
 * open widgets; a visitor who is away reads it from the history when the widget reconnects.
 */
export class WebchatMessagingProvider implements MessagingProvider {
  readonly name = 'webchat' as const;

  constructor(private readonly channelId: string) {}

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    if (message.channel !== 'webchat') {
      throw new PermanentSendError('InvalidRequest', `web chat sends webchat messages, not ${message.channel}`);
    }
    if (!/^[\w-]{8,64}$/.test(message.to)) {
      throw new PermanentSendError('InvalidRecipient', `"${message.to}" is not a web-chat visitor id`);
    }
    const id = createHash('sha256').update(`${this.channelId}:${ctx.idempotencyKey}`).digest('hex').slice(0, 24);
    return { providerMessageId: `wc_${id}`, status: 'sent' };
  }

  async findSent(_message: OutboundMessage, ctx: { idempotencyKey: string }): Promise<SendResult | null> {
    // Sending is writing our own row; the same key always names the same message.
    const id = createHash('sha256').update(`${this.channelId}:${ctx.idempotencyKey}`).digest('hex').slice(0, 24);
    return { providerMessageId: `wc_${id}`, status: 'sent' };
  }

  async testConnection() {
    return { detail: 'web chat is served by this API' };
  }
}
