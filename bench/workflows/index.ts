// Workflows for benchmarks: the product's runFlow next to a hand-written baseline.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../../activities';

export { runFlow } from '../../workflows/run-flow';

const { sendMessage } = proxyActivities<Pick<typeof activities, 'sendMessage'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** The same five sends as the benchmark flow, written by hand: what runFlow is measured against. */
export async function baselineFiveSends(input: { workflowId: string; to: string }): Promise<number> {
  for (let i = 1; i <= 5; i++) {
    await sendMessage({
      tenantId: 'bench',
      runId: 'bench',
      workflowId: input.workflowId,
      contactId: 'bench',
      idempotencyKey: `${input.workflowId}:send-${i}:1`,
      channel: 'sms',
      to: input.to,
      text: `Message ${i}`,
    });
  }
  return 5;
}
