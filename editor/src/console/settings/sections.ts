/** The settings sections, in nav order: `#/settings/<key>`. */
export const SECTIONS = [
  { key: 'channels', label: 'Channels' },
  { key: 'members', label: 'Members' },
  { key: 'roles', label: 'Roles' },
  { key: 'api-keys', label: 'API keys' },
  { key: 'sla', label: 'SLA policies' },
  { key: 'calendars', label: 'Business hours' },
  { key: 'escalations', label: 'Escalation ladders' },
  { key: 'webhooks', label: 'Webhooks' },
  { key: 'audit', label: 'Audit log' },
  { key: 'two-factor', label: 'Two-factor' },
  { key: 'branding', label: 'Branding' },
] as const;
export type SectionKey = (typeof SECTIONS)[number]['key'];

export const sectionOf = (key: string | undefined): SectionKey =>
  SECTIONS.find((s) => s.key === key)?.key ?? 'channels';

/** Tells the onboarding checklist that something it counts may have changed (it reloads). */
export const ONBOARDING_CHANGED = 'switchboard:onboarding-changed';
export const onboardingMayHaveChanged = () => window.dispatchEvent(new Event(ONBOARDING_CHANGED));
