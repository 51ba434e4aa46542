import {
  type Condition,
  type ConsentChannel,
  type ConsentStatus,
  type Filter,
  FilterSchema,
  KnownConditionSchema,
} from './api';

/** Lead status "none": contacts in no stage (a `not-in` every stage). */
export const NO_STAGE = '__none';

/**
 * The list's filter controls. Each edits one condition of the ContactFilter the list, a segment and
 * the export share; `others` are conditions the controls do not edit (a segment made through the
 * API), kept as they are.
 */
export interface FilterForm {
  search: string;
  status: string;
  tag: string;
  consentChannel: ConsentChannel | '';
  consentStatus: ConsentStatus;
  dnc: '' | 'yes' | 'no';
  others: Condition[];
  /** `any`: the form cannot say "any of", so its controls are off and the filter is kept whole. */
  match: 'all' | 'any';
}

export const EMPTY_FORM: FilterForm = {
  search: '',
  status: '',
  tag: '',
  consentChannel: '',
  consentStatus: 'granted',
  dnc: '',
  others: [],
  match: 'all',
};

export function formFromFilter(filter: Filter): FilterForm {
  if (filter.match === 'any') return { ...EMPTY_FORM, match: 'any', others: filter.conditions };
  const form: FilterForm = { ...EMPTY_FORM, others: [] };
  const taken = new Set<string>();
  for (const raw of filter.conditions) {
    const parsed = KnownConditionSchema.safeParse(raw);
    const c = parsed.success ? parsed.data : null;
    // A second condition of a kind the form already shows stays as it is, among the others.
    const slot = c ? (c.type === 'leadStatus' ? 'status' : c.type) : null;
    if (!c || !slot || taken.has(slot)) {
      form.others.push(raw);
      continue;
    }
    if (c.type === 'search') form.search = c.value;
    else if (c.type === 'tag' && c.op === 'has') form.tag = c.value;
    else if (c.type === 'leadStatus' && c.op === 'in' && c.values.length === 1) form.status = c.values[0] ?? '';
    else if (c.type === 'leadStatus' && c.op === 'not-in' && c.values.length > 1) form.status = NO_STAGE;
    else if (c.type === 'consent') {
      form.consentChannel = c.channel;
      form.consentStatus = c.status;
    } else if (c.type === 'dnc') form.dnc = c.value ? 'yes' : 'no';
    else {
      form.others.push(raw);
      continue;
    }
    taken.add(slot);
  }
  return form;
}

/** The form as a ContactFilter; `stageKeys` spell out "no stage" (not in any of them). */
export function filterFromForm(form: FilterForm, stageKeys: readonly string[]): Filter {
  if (form.match === 'any') return { match: 'any', conditions: form.others };
  const conditions: Condition[] = [];
  if (form.search.trim()) conditions.push({ type: 'search', value: form.search.trim() });
  if (form.status === NO_STAGE) {
    if (stageKeys.length) conditions.push({ type: 'leadStatus', op: 'not-in', values: [...stageKeys] });
  } else if (form.status) conditions.push({ type: 'leadStatus', op: 'in', values: [form.status] });
  if (form.tag.trim()) conditions.push({ type: 'tag', op: 'has', value: form.tag.trim() });
  if (form.consentChannel)
    conditions.push({ type: 'consent', channel: form.consentChannel, status: form.consentStatus });
  if (form.dnc) conditions.push({ type: 'dnc', value: form.dnc === 'yes' });
  return { match: 'all', conditions: [...conditions, ...form.others] };
}

/** A filter from the URL's `filter=` (JSON), or null when absent or not a filter. */
export function filterFromQuery(raw: string | null): Filter | null {
  if (!raw) return null;
  try {
    const parsed = FilterSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A condition in words, for the ones the controls do not edit. */
export function describeCondition(c: Condition): string {
  const parts = Object.entries(c)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return `${c.type}: ${parts.join(' ')}`;
}

export const sameFilter = (a: Filter, b: Filter) => JSON.stringify(a) === JSON.stringify(b);
