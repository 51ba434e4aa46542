import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { ChannelSchema } from '../../flow/nodes/send-message';
import type { Db } from '../../prisma/client';
import { type MessagingProvider, PermanentSendError } from './provider';

export const SendMessageInputSchema = z.object({
  tenantId: z.string().uuid(),
  workflowId: z.string().min(1),
  idempotencyKey: z.string().min(1),
  channel: ChannelSchema,
  to: z.string(),
  text: z.string(),
});
export type SendMessageInput = z.infer<typeof SendMessageInputSchema>;

const LedgerResponseSchema = z.union([
  z.object({ providerMessageId: z.string(), provider: z.string() }),
  z.object({ error: z.string(), message: z.string() }),
]);
export type SendMessageResult = { providerMessageId: string; provider: string };

export interface MessagingDeps {
  db: Db;
  providers: Partial<Record<z.infer<typeof ChannelSchema>, MessagingProvider>>;
}

export function createMessagingActivities({ db, providers }: MessagingDeps) {
  return {
    /**
     * Sends one message exactly once per idempotency key: the ledger row is written before the
     * provider is called, the key is passed to the provider, and a retry that finds a settled row
     * returns its result instead of sending again.
     */
    async sendMessage(raw: SendMessageInput): Promise<SendMessageResult> {
      const input = SendMessageInputSchema.parse(raw);
      const provider = providers[input.channel];
      if (!provider) {
        throw ApplicationFailure.create({
          type: 'ChannelNotConfigured',
          message: `no provider is configured for ${input.channel}`,
          nonRetryable: true,
        });
      }
      const row = await db.outboundAction.upsert({
        where: { idempotencyKey: input.idempotencyKey },
        create: {
          tenantId: input.tenantId,
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          kind: `message.${input.channel}`,
          status: 'pending',
          request: { channel: input.channel, to: input.to, text: input.text },
        },
        update: {},
      });
      if (row.status !== 'pending') {
        const settled = LedgerResponseSchema.parse(row.response);
        if ('providerMessageId' in settled) return settled;
        throw ApplicationFailure.create({ type: settled.error, message: settled.message, nonRetryable: true });
      }
      try {
        const sent = await provider.send(
          { channel: input.channel, to: input.to, text: input.text },
          { idempotencyKey: input.idempotencyKey },
        );
        const response = { providerMessageId: sent.providerMessageId, provider: provider.name };
        await db.outboundAction.update({ where: { id: row.id }, data: { status: 'sent', response } });
        return response;
      } catch (err) {
        if (!(err instanceof PermanentSendError)) throw err; // transient: Temporal retries
        await db.outboundAction.update({
          where: { id: row.id },
          data: { status: 'failed', response: { error: err.type, message: err.message } },
        });
        throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
      }
    },
  };
}
