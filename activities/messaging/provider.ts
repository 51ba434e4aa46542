import { z } from 'zod';
import { ChannelSchema } from '../../flow/nodes/send-message';
import { BusinessError } from '../errors';

export const OutboundMessageSchema = z.object({
  channel: ChannelSchema,
  to: z.string(),
  text: z.string(),
  subject: z.string().optional(),
  template: z.object({ name: z.string(), language: z.string(), variables: z.array(z.string()) }).optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

export interface SendResult {
  providerMessageId: string;
  status: 'queued' | 'sent';
}

/**
 * One messaging provider (Twilio, Meta, SMTP, Telegram, sandbox…). `idempotencyKey` must reach
 * the provider where its API accepts one, so a retried call cannot send twice.
 */
export interface MessagingProvider {
  readonly name: string;
  send(message: OutboundMessage, options: { idempotencyKey: string }): Promise<SendResult>;
}

/** A provider's business refusal: retrying will not help. */
export class PermanentSendError extends BusinessError {
  constructor(type: 'InvalidRecipient' | 'OptedOut' | 'TemplateRejected' | 'Blocked', message: string) {
    super(type, message);
    this.name = 'PermanentSendError';
  }
}
