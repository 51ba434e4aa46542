import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';

/**
 * Input of `sendConversationMessage`: one message outside any journey (an agent's inbox reply, a
 * STOP confirmation). The name and this shape are permanent.
 */
export interface SendConversationMessageInput {
  tenantId: string;
  conversationId: string;
  contactId?: string;
  channel: string;
  to: string;
  text: string;
  subject?: string;
  template?: { name: string; language: string; variables: string[] };
  idempotencyKey: string;
  purpose: 'transactional' | 'marketing';
  authorUserId?: string;
  keywordConfirmation?: boolean;
  /** First retry delay; tests shorten it. */
  retryInitialIntervalMs?: number;
}

type Activities = typeof activities;

/**
 * Sends one conversation message durably: through a provider outage it retries (with backoff, and
 * after the provider's Retry-After) for up to a day, and the ledger keeps it to one send.
 */
export async function sendConversationMessage(
  input: SendConversationMessageInput,
): Promise<{ status: 'sent'; providerMessageId: string } | { status: 'failed'; error: string; message: string }> {
  const { sendConversationMessageOnce } = proxyActivities<Pick<Activities, 'sendConversationMessageOnce'>>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '24 hours',
    retry: {
      initialInterval: input.retryInitialIntervalMs ?? 2_000,
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
    },
  });
  try {
    const sent = await sendConversationMessageOnce(input);
    return { status: 'sent', providerMessageId: sent.providerMessageId };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure) {
      return { status: 'failed', error: cause.type ?? 'Failed', message: cause.message };
    }
    throw err;
  }
}
