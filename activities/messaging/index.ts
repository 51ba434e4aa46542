import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { type ActivityOutput, SendMessageInputSchema } from '../../flow/engine/contracts';
import { type Channel, ChannelSchema } from '../../flow/nodes/send-message';
import type { SendConversationMessageInput } from '../../workflows/send-conversation-message';
import { BusinessError } from '../errors';
import type { MessagingProvider } from '../providers/types';
import { type OutboundDeps, sendOutbound } from './outbound';

export type MessagingProviders = Partial<Record<Channel, MessagingProvider>>;

export type MessagingDeps = OutboundDeps;

/** Sends a flow's message through the tenant's channel exactly once per idempotency key. */
export async function deliverMessage(
  deps: MessagingDeps,
  raw: z.input<typeof SendMessageInputSchema>,
): Promise<ActivityOutput<'sendMessage'>> {
  const input = SendMessageInputSchema.parse(raw);
  try {
    return await sendOutbound(deps, {
      tenantId: input.tenantId,
      idempotencyKey: input.idempotencyKey,
      workflowId: input.workflowId,
      contactId: input.contactId,
      channel: input.channel,
      to: input.to,
      text: input.text,
      purpose: input.purpose ?? 'transactional',
      ...(input.subject ? { subject: input.subject } : {}),
      ...(input.template ? { template: input.template } : {}),
    });
  } catch (err) {
    throw asActivityFailure(err);
  }
}

/** Business errors raised before the ledger (no channel, no address) fail the node, not retry. */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof BusinessError) {
    return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
  }
  return err;
}

export function createMessagingActivities(deps: MessagingDeps) {
  return {
    /** The send-message node's side effect. */
    sendMessage: (input: z.input<typeof SendMessageInputSchema>) => deliverMessage(deps, input),
    /** An inbox reply or a keyword confirmation, on the conversation's own channel. */
    async sendConversationMessageOnce(input: SendConversationMessageInput) {
      const channel = ChannelSchema.parse(input.channel);
      try {
        return await sendOutbound(deps, {
          tenantId: input.tenantId,
          conversationId: input.conversationId,
          idempotencyKey: input.idempotencyKey,
          channel,
          to: input.to,
          text: input.text,
          purpose: input.purpose,
          ...(input.contactId ? { contactId: input.contactId } : {}),
          ...(input.subject ? { subject: input.subject } : {}),
          ...(input.template ? { template: input.template } : {}),
          ...(input.authorUserId ? { authorUserId: input.authorUserId } : {}),
          ...(input.keywordConfirmation ? { keywordConfirmation: true } : {}),
        });
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}
