// The onboarding checklist: what a new tenant does to get value, in order. Zod-free: the onboarding
// workflow imports it.

export const ONBOARDING_STEPS = [
  'connect_channel',
  'add_knowledge',
  'publish_flow',
  'invite_teammate',
  'first_campaign',
] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export const ONBOARDING_STEP_LABELS: Record<OnboardingStep, string> = {
  connect_channel: 'Connect a channel',
  add_knowledge: 'Add knowledge',
  publish_flow: 'Publish a flow',
  invite_teammate: 'Invite a teammate',
  first_campaign: 'Run a first campaign',
};

export const isOnboardingStep = (s: string): s is OnboardingStep => (ONBOARDING_STEPS as readonly string[]).includes(s);

export type StepStatus = 'pending' | 'done' | 'skipped';
export type Checklist = Record<OnboardingStep, { status: StepStatus; at: number | null }>;

export const emptyChecklist = (): Checklist =>
  Object.fromEntries(ONBOARDING_STEPS.map((s) => [s, { status: 'pending', at: null }])) as Checklist;

/** Reminders after this many quiet days: the first after two, then four, then eight. */
export const REMINDER_QUIET_DAYS = [2, 4, 8] as const;

export type OnboardingEvent =
  | { kind: 'step_done'; step: OnboardingStep }
  | { kind: 'skip'; step: OnboardingStep }
  | { kind: 'resume'; step: OnboardingStep }
  | { kind: 'dismiss' }
  | { kind: 'undismiss' };

export interface OnboardingState {
  steps: Checklist;
  dismissed: boolean;
  remindersSent: number;
  lastProgressAt: number;
  completedAt: number | null;
}

/**
 * Applies one event to the checklist (in place); true when it changed anything. A done step stays
 * done (skipping it is a no-op); only a skipped step resumes; progress restarts the quiet period.
 */
export function applyOnboardingEvent(state: OnboardingState, e: OnboardingEvent, at: number): boolean {
  if (e.kind === 'dismiss' || e.kind === 'undismiss') {
    const dismissed = e.kind === 'dismiss';
    if (state.dismissed === dismissed) return false;
    state.dismissed = dismissed;
    if (!dismissed) state.lastProgressAt = at; // back: the quiet period starts over
    return true;
  }
  const step = state.steps[e.step];
  if (e.kind === 'step_done') {
    if (step.status === 'done') return false;
    state.steps[e.step] = { status: 'done', at };
    state.lastProgressAt = at;
    return true;
  }
  if (e.kind === 'skip') {
    if (step.status !== 'pending') return false;
    state.steps[e.step] = { status: 'skipped', at };
    return true;
  }
  if (step.status !== 'skipped') return false;
  state.steps[e.step] = { status: 'pending', at: null };
  return true;
}
