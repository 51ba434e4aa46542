import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { type ActivityOutput, SendMessageInputSchema, SendMessageOutputSchema } from '../../flow/engine/contracts';
import type { Channel } from '../../flow/nodes/send-message';
import type { Db } from '../../prisma/client';
import { onceByKey } from '../ledger';
import type { MessagingProvider } from './provider';

export type MessagingProviders = Partial<Record<Channel, MessagingProvider>>;

export interface MessagingDeps {
  db: Db;
  providers: MessagingProviders;
}

/** Sends through the channel's provider exactly once per idempotency key (see onceByKey). */
export async function deliverMessage(
  { db, providers }: MessagingDeps,
  raw: z.input<typeof SendMessageInputSchema>,
  kind = `message.${raw.channel}`,
): Promise<ActivityOutput<'sendMessage'>> {
  const input = SendMessageInputSchema.parse(raw);
  const provider = providers[input.channel];
  if (!provider) {
    throw ApplicationFailure.create({
      type: 'ChannelNotConfigured',
      message: `no provider is configured for ${input.channel}`,
      nonRetryable: true,
    });
  }
  const { channel, to, text, subject, template } = input;
  const message = { channel, to, text, ...(subject ? { subject } : {}), ...(template ? { template } : {}) };
  return onceByKey(
    db,
    {
      tenantId: input.tenantId,
      idempotencyKey: input.idempotencyKey,
      workflowId: input.workflowId,
      kind,
      request: message,
    },
    SendMessageOutputSchema,
    async () => {
      const sent = await provider.send(message, { idempotencyKey: input.idempotencyKey });
      return { providerMessageId: sent.providerMessageId, provider: provider.name };
    },
  );
}

export function createMessagingActivities(deps: MessagingDeps) {
  return {
    /** The send-message node's side effect. */
    sendMessage: (input: z.input<typeof SendMessageInputSchema>) => deliverMessage(deps, input),
  };
}
