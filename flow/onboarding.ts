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
