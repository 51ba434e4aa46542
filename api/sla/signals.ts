// Telling a conversation's SLA clocks what happened in it. The clocks are advisory to the request
// that moves them: a message is stored and a status changed whether or not Temporal hears of it,
// so a failed signal is logged and never fails (or undoes) the caller's work.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import {
  type conversationSla,
  conversationSlaWorkflowId,
  type SlaSignalKind,
  slaSignal,
} from '../../workflows/conversation-sla';

export interface SlaNotice {
  tenantId: string;
  conversationId: string;
  kind: SlaSignalKind;
}

/** What a failed signal is reported to (a Fastify or pino logger fits). */
export interface SlaLog {
  warn(obj: object, msg: string): void;
}

/** How long a request waits for Temporal to take a signal before it moves on without it. */
export const SLA_SIGNAL_TIMEOUT_MS = 5_000;

/**
 * A customer message starts the conversation's clocks (signal-with-start: the workflow opens them
 * on its first message, or takes the message when it is running). An agent reply, resolve and
 * reopen only move running clocks — they never start any, so a conversation with no workflow (no
 * customer has written, or its clocks finished) is left alone. Returns whether the signal was
 * delivered; it never throws.
 */
export async function notifySla(
  temporal: Client,
  taskQueue: string,
  notice: SlaNotice,
  log?: SlaLog,
): Promise<boolean> {
  const { tenantId, conversationId, kind } = notice;
  const workflowId = conversationSlaWorkflowId(conversationId);
  const signal = AbortSignal.timeout(SLA_SIGNAL_TIMEOUT_MS);
  try {
    await temporal.withAbortSignal(signal, async () => {
      if (kind === 'customer_message') {
        await temporal.workflow.signalWithStart<typeof conversationSla, [{ kind: SlaSignalKind }]>('conversationSla', {
          workflowId,
          taskQueue,
          args: [{ tenantId, conversationId }],
          signal: slaSignal,
          signalArgs: [{ kind }],
        });
      } else {
        await temporal.workflow.getHandle(workflowId).signal(slaSignal, { kind });
      }
    });
    return true;
  } catch (err) {
    // No clocks running: nothing to move (only a customer message starts them).
    if (err instanceof WorkflowNotFoundError) return false;
    const detail = { err, tenantId, conversationId, kind, workflowId };
    const message = signal.aborted
      ? `SLA signal ${kind} not delivered within ${SLA_SIGNAL_TIMEOUT_MS} ms; the clocks miss it`
      : `SLA signal ${kind} failed; the clocks miss it`;
    if (log) log.warn(detail, message);
    else process.emitWarning(`${message} (conversation ${conversationId}): ${(err as Error).message}`, 'SlaSignal');
    return false;
  }
}
