// Onboarding steps complete from what a tenant does through the API, not from clicks on the
// checklist: one table from successful routes to the step they complete, applied after the
// response has gone (the tenant never waits on it), and a signal-with-start so the checklist's
// workflow exists from the first event on.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { OnboardingStep } from '../../flow/onboarding';
import { type OnboardingEvent, onboardingSignal, onboardingWorkflowId } from '../../workflows/onboarding';

/** `METHOD /route` (as declared) → the step it completes, with a condition on the request if any. */
const STEP_OF_ROUTE: Record<string, { step: OnboardingStep; when?: (request: FastifyRequest) => boolean }> = {
  // The sandbox is for trying things; connecting means a real provider.
  'POST /v1/channels': {
    step: 'connect_channel',
    when: (r) => (r.body as { provider?: string } | undefined)?.provider !== 'sandbox',
  },
  'POST /v1/flows/:id/publish': { step: 'publish_flow' },
  'POST /v1/invitations': { step: 'invite_teammate' },
  'POST /v1/campaigns/:id/launch': { step: 'first_campaign' },
  'POST /v1/knowledge-sources': { step: 'add_knowledge' },
  'POST /v1/knowledge-sources/upload': { step: 'add_knowledge' },
};

export async function signalOnboarding(
  app: Pick<FastifyInstance, 'temporal' | 'taskQueue'>,
  tenantId: string,
  event: OnboardingEvent,
): Promise<void> {
  await app.temporal.workflow.signalWithStart('onboarding', {
    workflowId: onboardingWorkflowId(tenantId),
    taskQueue: app.taskQueue,
    args: [{ tenantId }],
    signal: onboardingSignal,
    signalArgs: [event],
  });
}

/** Starts a new tenant's checklist (it reconciles with the database itself). */
export async function startOnboarding(app: Pick<FastifyInstance, 'temporal' | 'taskQueue'>, tenantId: string) {
  try {
    await app.temporal.workflow.start('onboarding', {
      workflowId: onboardingWorkflowId(tenantId),
      taskQueue: app.taskQueue,
      args: [{ tenantId }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export const onboardingStepsFromApi = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    if (reply.statusCode >= 300 || !request.principal) return;
    const rule = STEP_OF_ROUTE[`${request.method} ${request.routeOptions.url}`];
    if (!rule || (rule.when && !rule.when(request))) return;
    try {
      await signalOnboarding(app, request.principal.tenantId, { kind: 'step_done', step: rule.step });
    } catch (err) {
      // The checklist reconciles with the database when its workflow starts; nothing is lost.
      request.log.warn({ err, step: rule.step }, 'onboarding step not signalled');
    }
  });
});
