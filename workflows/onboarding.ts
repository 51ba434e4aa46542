import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import {
  applyOnboardingEvent,
  emptyChecklist,
  isOnboardingStep,
  ONBOARDING_STEPS,
  type OnboardingEvent,
  type OnboardingState,
  REMINDER_QUIET_DAYS,
} from '../flow/onboarding';

type Activities = typeof activities;

export type { OnboardingEvent, OnboardingState };

export interface OnboardingInput {
  tenantId: string;
  state?: OnboardingState;
}

export const onboardingSignal = defineSignal<[OnboardingEvent]>('onboarding');
export const onboardingQuery = defineQuery<OnboardingState>('onboarding');
export const onboardingWorkflowId = (tenantId: string) => `onboarding-${tenantId}`;

const { onboardingFacts, saveOnboarding, sendOnboardingReminder } = proxyActivities<
  Pick<Activities, 'onboardingFacts' | 'saveOnboarding' | 'sendOnboardingReminder'>
>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const DAY = 86_400_000;

/**
 * A tenant's onboarding (workflow id `onboarding-<tenantId>`): the checklist's steps complete from
 * what the tenant does through the API (a channel created, a flow published, a teammate invited, a
 * campaign launched — signalled by those routes, and reconciled with the database at start), not
 * from clicks on the checklist. After quiet days with steps left it emails the owners a reminder
 * (at most three). Steps can be skipped and resumed; the checklist dismissed and brought back.
 */
export async function onboarding(input: OnboardingInput): Promise<OnboardingState> {
  const { tenantId } = input;
  const state: OnboardingState = input.state ?? {
    steps: emptyChecklist(),
    dismissed: false,
    remindersSent: 0,
    lastProgressAt: Date.now(),
    completedAt: null,
  };
  const events: OnboardingEvent[] = [];
  setHandler(onboardingSignal, (e) => {
    if ('step' in e && !isOnboardingStep(e.step)) return; // an unknown step: nothing to do
    events.push(e);
  });
  setHandler(onboardingQuery, () => state);

  const apply = (e: OnboardingEvent, at: number) => applyOnboardingEvent(state, e, at);
  const complete = () => ONBOARDING_STEPS.every((s) => state.steps[s].status !== 'pending');

  if (!input.state) {
    // What the tenant did before this workflow (or while a signal was lost) counts too.
    const done = await onboardingFacts({ tenantId });
    for (const step of done) apply({ kind: 'step_done', step }, Date.now());
    await saveOnboarding({ tenantId, state });
  }

  while (!complete()) {
    const quietDays = REMINDER_QUIET_DAYS[state.remindersSent];
    const wait =
      quietDays === undefined || state.dismissed ? undefined : state.lastProgressAt + quietDays * DAY - Date.now();
    const woke =
      wait === undefined
        ? await condition(() => events.length > 0).then(() => true)
        : await condition(() => events.length > 0, Math.max(1, wait));
    if (!woke) {
      const pending = ONBOARDING_STEPS.filter((s) => state.steps[s].status === 'pending');
      await sendOnboardingReminder({ tenantId, reminder: state.remindersSent + 1, pending });
      state.remindersSent++;
      await saveOnboarding({ tenantId, state });
      continue;
    }
    let changed = false;
    while (events.length > 0) changed = apply(events.shift() as OnboardingEvent, Date.now()) || changed;
    if (changed) await saveOnboarding({ tenantId, state });
    if (workflowInfo().historyLength > 2_000) return continueAsNew<typeof onboarding>({ tenantId, state });
  }
  state.completedAt = Date.now();
  await saveOnboarding({ tenantId, state });
  return state;
}
