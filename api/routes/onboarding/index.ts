// The onboarding checklist: its state, and skip / resume / dismiss / restore. Steps complete from
// what the tenant does (api/onboarding/steps-from-api.ts), never from here.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  applyOnboardingEvent,
  type Checklist,
  emptyChecklist,
  ONBOARDING_STEP_LABELS,
  ONBOARDING_STEPS,
  type OnboardingEvent,
  type OnboardingState,
  type OnboardingStep,
} from '../../../flow/onboarding';
import { onboardingQuery, onboardingWorkflowId } from '../../../workflows/onboarding';
import { signalOnboarding } from '../../onboarding/steps-from-api';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';

const StepSchema = z.enum(ONBOARDING_STEPS);

const ChecklistSchema = z
  .object({
    steps: z.array(
      z.object({
        step: StepSchema,
        label: z.string(),
        status: z.enum(['pending', 'done', 'skipped']),
        at: z.date().nullable(),
      }),
    ),
    done: z.number().int(),
    total: z.number().int(),
    complete: z.boolean(),
    dismissed: z.boolean(),
    remindersSent: z.number().int(),
    completedAt: z.date().nullable(),
  })
  .meta({
    id: 'OnboardingChecklist',
    examples: [
      {
        steps: [
          { step: 'connect_channel', label: 'Connect a channel', status: 'done', at: '2026-11-20T10:00:00.000Z' },
          { step: 'add_knowledge', label: 'Add knowledge', status: 'skipped', at: '2026-11-20T10:05:00.000Z' },
          { step: 'publish_flow', label: 'Publish a flow', status: 'pending', at: null },
          { step: 'invite_teammate', label: 'Invite a teammate', status: 'pending', at: null },
          { step: 'first_campaign', label: 'Run a first campaign', status: 'pending', at: null },
        ],
        done: 1,
        total: 5,
        complete: false,
        dismissed: false,
        remindersSent: 0,
        completedAt: null,
      },
    ],
  });

const toChecklist = (state: Pick<OnboardingState, 'steps' | 'dismissed' | 'remindersSent' | 'completedAt'>) => {
  const steps = ONBOARDING_STEPS.map((step) => {
    const s = state.steps[step] ?? { status: 'pending' as const, at: null };
    return { step, label: ONBOARDING_STEP_LABELS[step], status: s.status, at: s.at === null ? null : new Date(s.at) };
  });
  return {
    steps,
    done: steps.filter((s) => s.status === 'done').length,
    total: steps.length,
    complete: steps.every((s) => s.status !== 'pending'),
    dismissed: state.dismissed,
    remindersSent: state.remindersSent,
    completedAt: state.completedAt === null ? null : new Date(state.completedAt),
  };
};

const onboardingRoutes: FastifyPluginAsyncZod = async (app) => {
  /** The workflow's live state when a worker answers within a second, else what it last saved. */
  const current = async (tenantId: string): Promise<OnboardingState> => {
    try {
      return await app.temporal.withAbortSignal(AbortSignal.timeout(1_000), () =>
        app.temporal.workflow.getHandle(onboardingWorkflowId(tenantId)).query(onboardingQuery),
      );
    } catch {
      const row = await app.db.onboardingProgress.findUnique({ where: { tenantId } });
      return {
        steps: { ...emptyChecklist(), ...((row?.steps as Partial<Checklist> | undefined) ?? {}) },
        dismissed: row?.dismissed ?? false,
        remindersSent: row?.remindersSent ?? 0,
        lastProgressAt: row?.lastProgressAt.getTime() ?? Date.now(),
        completedAt: row?.completedAt?.getTime() ?? null,
      };
    }
  };
  /**
   * Signals the checklist and answers with the state the event makes (the workflow applies the
   * same pure function), without waiting for a worker.
   */
  const change = async (tenantId: string, event: OnboardingEvent) => {
    const state = await current(tenantId);
    await signalOnboarding(app, tenantId, event);
    applyOnboardingEvent(state, event, Date.now());
    return toChecklist(state);
  };

  app.get(
    '/onboarding',
    {
      config: { permission: 'members.read' },
      schema: {
        tags: ['onboarding'],
        summary: 'The setup checklist: each step done (by doing it), skipped or pending',
        response: { 200: ChecklistSchema, ...errorResponses },
      },
    },
    async (request) => toChecklist(await current(requirePrincipal(request).tenantId)),
  );

  const stepRoute = (action: 'skip' | 'resume', summary: string) =>
    app.post(
      `/onboarding/steps/:step/${action}`,
      {
        config: { permission: 'settings.write' },
        schema: {
          tags: ['onboarding'],
          summary,
          params: z.object({ step: StepSchema }),
          response: { 200: ChecklistSchema, ...errorResponses },
        },
      },
      async (request) => {
        const step = request.params.step as OnboardingStep;
        return change(requirePrincipal(request).tenantId, { kind: action, step });
      },
    );
  stepRoute('skip', 'Skip a step that does not apply (a done step stays done)');
  stepRoute('resume', 'Bring a skipped step back to pending');

  const visibility = (kind: 'dismiss' | 'undismiss', url: string, summary: string) =>
    app.post(
      url,
      {
        config: { permission: 'settings.write' },
        schema: { tags: ['onboarding'], summary, response: { 200: ChecklistSchema, ...errorResponses } },
      },
      async (request) => change(requirePrincipal(request).tenantId, { kind }),
    );
  visibility('dismiss', '/onboarding/dismiss', 'Hide the checklist and stop reminders');
  visibility('undismiss', '/onboarding/restore', 'Show the checklist again; reminders start over');
};

export default onboardingRoutes;
