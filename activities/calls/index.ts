import { Context } from '@temporalio/activity';
import type { z } from 'zod';
import { PlaceCallInputSchema, PlaceCallOutputSchema } from '../../flow/engine/contracts';
import type { Db } from '../../prisma/client';
import { onceByKey } from '../ledger';
import type { CallProvider } from './provider';

export function createCallActivities({ db, provider }: { db: Db; provider: CallProvider }) {
  return {
    /** The place-call node's side effect: dials once per idempotency key and reports the outcome. */
    async placeCall(raw: z.input<typeof PlaceCallInputSchema>) {
      const input = PlaceCallInputSchema.parse(raw);
      const { to, persona, firstMessage, script, maxDurationSeconds, voicemailMessage, voiceAgentId } = input;
      const request = {
        to,
        persona,
        firstMessage,
        script,
        maxDurationSeconds,
        ...(voicemailMessage ? { voicemailMessage } : {}),
        ...(voiceAgentId ? { voiceAgentId } : {}),
      };
      return onceByKey(
        db,
        {
          tenantId: input.tenantId,
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          kind: 'call',
          request,
        },
        PlaceCallOutputSchema,
        () =>
          provider.placeCall(request, {
            idempotencyKey: input.idempotencyKey,
            heartbeat: () => {
              try {
                Context.current().heartbeat();
              } catch {
                // Called outside an activity (a unit test): nothing to report to.
              }
            },
          }),
      );
    },
  };
}
