import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type * as activities from '../activities';
import {
  ContactSnapshotSchema,
  FlowSchema,
  findNode,
  findTrigger,
  nextNodeId,
  renderTemplate,
  sendMessageNode,
} from '../flow';

/** Input of `runFlow`. The flow travels in the input, so the run's history is self-contained. */
export const RunFlowInputSchema = z.object({
  tenantId: z.string().uuid(),
  runId: z.string().uuid(),
  flow: FlowSchema,
  contact: ContactSnapshotSchema,
});
export type RunFlowInput = z.input<typeof RunFlowInputSchema>;

export const RunStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export interface PathStep {
  nodeId: string;
  type: string;
  /** The output the node left by; absent while the node is running or when it ended the run. */
  output?: string;
  enteredAt: string;
  leftAt?: string;
}

export interface RunState {
  status: RunStatus;
  currentNodeId: string | null;
  path: PathStep[];
  vars: Record<string, unknown>;
  waitingOn: string | null;
  outcome: string | null;
}

export const stateQuery = defineQuery<RunState>('state');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');

const messaging = proxyActivities<Pick<typeof activities, 'sendMessage'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
const bookkeeping = proxyActivities<Pick<typeof activities, 'recordRunFinished'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 20 },
});

/** Interprets a flow for one contact: one journey. */
export async function runFlow(rawInput: RunFlowInput): Promise<RunState> {
  const input = RunFlowInputSchema.parse(rawInput);
  const { flow, contact } = input;
  const { workflowId } = workflowInfo();
  const state: RunState = {
    status: 'running',
    currentNodeId: null,
    path: [],
    vars: {},
    waitingOn: null,
    outcome: null,
  };
  const visits = new Map<string, number>();
  let cancelled = false;

  setHandler(stateQuery, () => state);
  setHandler(cancelSignal, () => {
    cancelled = true;
  });

  // Date.now() is deterministic inside the workflow sandbox (it is the workflow task's time).
  const now = () => new Date(Date.now()).toISOString();
  let node = findTrigger(flow);
  while (node) {
    if (cancelled) {
      state.status = 'cancelled';
      break;
    }
    const visit = (visits.get(node.id) ?? 0) + 1;
    visits.set(node.id, visit);
    const step: PathStep = { nodeId: node.id, type: node.type, enteredAt: now() };
    state.path.push(step);
    state.currentNodeId = node.id;

    let output: string | undefined;
    switch (node.type) {
      case 'trigger':
        output = 'next';
        break;
      case 'send-message': {
        const params = sendMessageNode.params.parse(node.params);
        try {
          const result = await messaging.sendMessage({
            tenantId: input.tenantId,
            workflowId,
            // Activities run at least once: the provider and the ledger dedupe on this key.
            idempotencyKey: `${workflowId}:${node.id}:${visit}`,
            channel: params.channel,
            to: contactAddress(contact, params.channel),
            text: renderTemplate(params.text, { contact: { ...contact.fields, ...contact }, vars: state.vars }),
          });
          state.vars[node.id] = { messageId: result.providerMessageId };
          output = 'sent';
        } catch (err) {
          // Business failures (bad address, opted out) take the `failed` output; anything else
          // has exhausted its retries and fails the run.
          if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable))
            throw err;
          state.vars[node.id] = { error: err.cause.type ?? 'SendFailed' };
          output = 'failed';
        }
        break;
      }
      case 'end':
        state.outcome = z.object({ outcome: z.string().default('completed') }).parse(node.params).outcome;
        break;
      default:
        state.status = 'failed';
        state.outcome = `unknown node type ${node.type}`;
    }
    step.leftAt = now();
    if (state.status !== 'running') break;
    if (output === undefined) break;
    step.output = output;
    const nextId = nextNodeId(flow, node.id, output);
    node = nextId ? findNode(flow, nextId) : undefined;
  }
  if (state.status === 'running') state.status = 'completed';
  state.currentNodeId = null;
  state.outcome ??= state.status;
  await bookkeeping.recordRunFinished({ tenantId: input.tenantId, runId: input.runId, status: state.status });
  return state;
}

function contactAddress(contact: z.infer<typeof ContactSnapshotSchema>, channel: string): string {
  const address = channel === 'email' ? contact.email : contact.phone;
  return address ?? '';
}
