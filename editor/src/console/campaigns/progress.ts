import { FINAL_RECIPIENT_STATUSES } from '../../../../flow';

/** Recipients settled for good (completed, failed, skipped or cancelled): what the progress bar fills with. */
export function doneCount(byStatus: Partial<Record<string, number>>): number {
  return FINAL_RECIPIENT_STATUSES.reduce((sum, s) => sum + (byStatus[s] ?? 0), 0);
}

/** Campaign statuses that still change on their own: these screens follow them live. */
export const isActive = (status: string): boolean =>
  status === 'running' || status === 'paused' || status === 'scheduled' || status === 'cancelling';
