import { z } from 'zod';
import { ChannelSchema } from '../../flow/nodes/send-message';

export const OutboundMessageSchema = z.object({
  channel: ChannelSchema,
  to: z.string(),
  text: z.string(),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

export interface SendResult {
  providerMessageId: string;
  status: 'queued' | 'sent';
}

/**
 * One messaging provider (Twilio, Meta, SMTP, Telegram, sandbox...). `idempotencyKey` must reach the
 * provider where its API accepts one, so a retried call cannot send twice.
 */
export interface MessagingProvider {
  readonly name: string;
  send(message: OutboundMessage, options: { idempotencyKey: string }): Promise<SendResult>;
}

/** A business error from a provider: retrying will not help. */
export class PermanentSendError extends Error {
  constructor(
    readonly type: 'InvalidRecipient' | 'OptedOut' | 'TemplateRejected' | 'Blocked',
    message: string,
  ) {
    super(message);
    this.name = 'PermanentSendError';
  }
}
