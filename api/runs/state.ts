import { type Client, WorkflowNotFoundError } from '@temporalio/client';

/** How long an API read waits for a run's workflow to answer its `state` query. */
export const STATE_QUERY_TIMEOUT_MS = 3_000;

/**
 * A run's live state, from its workflow's `state` query; `null` when it is not known now.
 *
 * Only a worker answers a query: with none polling the task queue (down, restarting, or busy),
 * Temporal holds the call until its own timeout and the client retries it, so an unbounded read
 * would hang for minutes. No answer in time is `null`, as is a workflow Temporal no longer has;
 * any other failure is thrown.
 */
export async function queryRunState(
  temporal: Client,
  workflowId: string,
  timeoutMs = STATE_QUERY_TIMEOUT_MS,
): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await temporal.withAbortSignal(signal, () => temporal.workflow.getHandle(workflowId).query('state'));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || signal.aborted) return null;
    throw err;
  }
}
