import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { type ConversationSlaView, conversationSlaWorkflowId, slaQuery } from '../../workflows/conversation-sla';

/** How long an API read waits for a conversation's SLA workflow to answer its query. */
export const SLA_QUERY_TIMEOUT_MS = 3_000;

export type LiveSla =
  | { kind: 'live'; view: ConversationSlaView }
  /** Temporal has no such workflow: no customer message has started clocks, or they are long over. */
  | { kind: 'none' }
  /** No worker answered in time (down, restarting, busy): the clocks are not known right now. */
  | { kind: 'unavailable' };

/**
 * The conversation's clocks from its `conversationSla` workflow's query. Only a worker answers a
 * query, so the wait is bounded as for a run's state (api/runs/state.ts).
 */
export async function querySla(
  temporal: Client,
  conversationId: string,
  timeoutMs = SLA_QUERY_TIMEOUT_MS,
): Promise<LiveSla> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const view = await temporal.withAbortSignal(signal, () =>
      temporal.workflow.getHandle(conversationSlaWorkflowId(conversationId)).query(slaQuery),
    );
    return { kind: 'live', view };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'none' };
    if (signal.aborted) return { kind: 'unavailable' };
    throw err;
  }
}
