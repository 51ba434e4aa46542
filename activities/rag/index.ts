import type { z } from 'zod';
import { type ActivityOutput, AiReplyInputSchema } from '../../flow/engine/contracts';
import { deliverMessage, type MessagingDeps } from '../messaging';
import type { KnowledgeAnswerer } from './answerer';

export function createRagActivities(deps: MessagingDeps & { answerer: KnowledgeAnswerer }) {
  return {
    /**
     * The ai-reply node's side effect: answer from the knowledge base and, when confident enough,
     * send the answer (exactly once, under the node's idempotency key). Below the threshold nothing
     * is sent and the node takes `unsure`.
     */
    async aiReply(raw: z.input<typeof AiReplyInputSchema>): Promise<ActivityOutput<'aiReply'>> {
      const input = AiReplyInputSchema.parse(raw);
      const found = await deps.answerer.answer({
        tenantId: input.tenantId,
        question: input.question,
        sourceIds: input.sourceIds,
      });
      const confident = found.confidence >= input.minConfidence && found.answer.length > 0;
      if (!input.send || !confident) return { ...found, sent: false };
      const sent = await deliverMessage(deps, {
        tenantId: input.tenantId,
        runId: input.runId,
        workflowId: input.workflowId,
        contactId: input.contactId,
        idempotencyKey: input.idempotencyKey,
        channel: input.channel,
        to: input.to,
        text: found.answer,
      });
      return { ...found, sent: true, providerMessageId: sent.providerMessageId };
    },
  };
}
