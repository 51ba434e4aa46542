import type { ContactSnapshot } from './schema';

export interface ContactChange {
  set: Record<string, unknown>;
  addTags: string[];
  removeTags: string[];
  leadStatus?: string;
  scoreDelta?: number;
}

/** Named contact attributes `set` may write; anything else is a custom field. */
const NAMED = new Set(['firstName', 'lastName', 'email', 'timeZone']);

/**
 * The contact after a change. Pure, so the update-contact activity and the simulator apply
 * changes identically.
 */
export function applyContactChange(contact: ContactSnapshot, change: ContactChange): ContactSnapshot {
  const next: ContactSnapshot = { ...contact, fields: { ...contact.fields }, tags: [...contact.tags] };
  for (const [key, value] of Object.entries(change.set)) {
    if (NAMED.has(key)) (next as Record<string, unknown>)[key] = value === null ? null : String(value);
    else if (value === null) delete next.fields[key];
    else next.fields[key] = value;
  }
  const tags = new Set(next.tags);
  for (const t of change.addTags) tags.add(t);
  for (const t of change.removeTags) tags.delete(t);
  next.tags = [...tags];
  if (change.leadStatus !== undefined) next.leadStatus = change.leadStatus;
  if (change.scoreDelta !== undefined) next.score = (next.score ?? 0) + change.scoreDelta;
  return next;
}
