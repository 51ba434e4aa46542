import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { CampaignStarter } from '../campaigns/dispatch';

export const escalationWorkflowId = (escalationId: string) => `escalation-${escalationId}`;

/** Starts an escalation's ladder: one workflow per escalation, however often this is retried. */
export async function startEscalationLadder(starter: CampaignStarter, tenantId: string, escalationId: string) {
  try {
    await starter.client.workflow.start('escalation', {
      workflowId: escalationWorkflowId(escalationId),
      taskQueue: starter.taskQueue,
      args: [{ tenantId, escalationId }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
