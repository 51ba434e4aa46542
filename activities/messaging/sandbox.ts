import { createHash } from 'node:crypto';
import { sandboxAddressProblem } from '../../flow/simulate';
import { type MessagingProvider, type OutboundMessage, PermanentSendError, type SendResult } from './provider';

/**
 * The simulated network every channel defaults to. It delivers nothing outside this process but
 * behaves like a provider: it validates addresses, dedupes on the idempotency key, and keeps an
 * outbox that tests and the demo can read.
 */
export class SandboxMessagingProvider implements MessagingProvider {
  readonly name = 'sandbox';
  readonly outbox: Array<OutboundMessage & { providerMessageId: string; idempotencyKey: string; at: Date }> = [];
  private readonly byKey = new Map<string, SendResult>();

  async send(message: OutboundMessage, { idempotencyKey }: { idempotencyKey: string }): Promise<SendResult> {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return existing;
    const problem = sandboxAddressProblem(message.channel, message.to);
    if (problem) throw new PermanentSendError('InvalidRecipient', problem);
    const providerMessageId = `sbx_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
    const result: SendResult = { providerMessageId, status: 'sent' };
    this.byKey.set(idempotencyKey, result);
    this.outbox.push({ ...message, providerMessageId, idempotencyKey, at: new Date() });
    return result;
  }
}
