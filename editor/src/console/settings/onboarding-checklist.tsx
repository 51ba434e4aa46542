/** The tenant's onboarding checklist, shown above console pages until every step is done. */
export function OnboardingChecklist() {
  return null;
}
