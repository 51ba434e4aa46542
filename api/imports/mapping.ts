// Column mappings: which contact field each CSV column fills. A mapping is `{ [header]: target }`
// where target is a contact field, `fields.<key>` (a custom field) or `ignore`.
import { z } from 'zod';
import { AppError } from '../errors';

export const STANDARD_TARGETS = ['firstName', 'lastName', 'phone', 'email', 'timeZone', 'tags', 'leadStatus'] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];
export type Target = StandardTarget | `fields.${string}` | 'ignore';

export const MappingSchema = z
  .record(z.string().max(500), z.string().max(200))
  .refine((m) => Object.keys(m).length <= 500, 'at most 500 columns');
export type Mapping = Record<string, string>;

export interface CustomFieldDef {
  key: string;
  label: string;
  type: string;
  options: string[];
}

/** Lower-case letters and digits only: "E-mail Address" → "emailaddress". */
const squash = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

const SYNONYMS: Record<StandardTarget, string[]> = {
  firstName: ['firstname', 'first', 'fname', 'givenname', 'forename', 'name', 'prenom', 'vorname', 'nombre'],
  lastName: ['lastname', 'last', 'lname', 'surname', 'familyname', 'nom', 'nachname', 'apellido'],
  phone: [
    'phone',
    'phonenumber',
    'phoneno',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'mobileno',
    'cell',
    'cellphone',
    'cellular',
    'tel',
    'telephone',
    'telefon',
    'telefono',
    'whatsapp',
    'whatsappnumber',
    'msisdn',
    'contactnumber',
  ],
  email: ['email', 'emailaddress', 'mail', 'emailid', 'courriel', 'correo'],
  timeZone: ['timezone', 'tz', 'zone', 'tzname'],
  tags: ['tags', 'tag', 'labels', 'label', 'groups', 'lists'],
  leadStatus: ['leadstatus', 'status', 'stage', 'leadstage', 'lifecyclestage', 'pipelinestage'],
};

const SYNONYM_INDEX = new Map<string, StandardTarget>(
  STANDARD_TARGETS.flatMap((t) => SYNONYMS[t].map((s) => [s, t] as const)),
);

/** The target a header suggests by its name alone, or undefined. */
function guess(header: string, customFields: readonly CustomFieldDef[]): Target | undefined {
  const s = squash(header.replace(/^fields\./i, ''));
  if (!s) return undefined;
  const custom = customFields.find((f) => squash(f.key) === s || squash(f.label) === s);
  if (custom) return `fields.${custom.key}`;
  if (/^fields\./i.test(header)) return undefined;
  return SYNONYM_INDEX.get(s);
}

export interface SavedMapping {
  name: string;
  mapping: Mapping;
}

/**
 * Suggests a mapping for `headers`. A saved mapping whose columns are exactly these headers (in
 * any order and case) wins outright; otherwise, per header, the most recent saved mapping that
 * knows the header, then the header's name, then `ignore`. A target is suggested at most once.
 * `saved` is newest first.
 */
export function suggestMapping(
  headers: readonly string[],
  saved: readonly SavedMapping[],
  customFields: readonly CustomFieldDef[],
): { mapping: Mapping; savedMapping: string | null } {
  const valid = (t: string | undefined): t is Target => t !== undefined && isKnownTarget(t, customFields);
  const wanted = new Set(headers.map((h) => h.trim().toLowerCase()));
  for (const s of saved) {
    const keys = Object.keys(s.mapping).map((k) => k.trim().toLowerCase());
    if (keys.length !== wanted.size || !keys.every((k) => wanted.has(k))) continue;
    const byKey = new Map(Object.entries(s.mapping).map(([k, v]) => [k.trim().toLowerCase(), v]));
    const mapping: Mapping = {};
    for (const h of headers) {
      const t = byKey.get(h.trim().toLowerCase());
      mapping[h] = valid(t) ? t : 'ignore';
    }
    return { mapping, savedMapping: s.name };
  }
  const used = new Set<string>();
  const mapping: Mapping = {};
  for (const h of headers) {
    const key = h.trim().toLowerCase();
    let target: string | undefined;
    for (const s of saved) {
      const hit = Object.entries(s.mapping).find(([k]) => k.trim().toLowerCase() === key)?.[1];
      if (valid(hit)) {
        target = hit;
        break;
      }
    }
    target ??= guess(h, customFields);
    if (!target || target === 'ignore' || used.has(target)) {
      mapping[h] = 'ignore';
      continue;
    }
    used.add(target);
    mapping[h] = target;
  }
  return { mapping, savedMapping: null };
}

export function isKnownTarget(target: string, customFields: readonly CustomFieldDef[]): target is Target {
  if (target === 'ignore' || (STANDARD_TARGETS as readonly string[]).includes(target)) return true;
  return target.startsWith('fields.') && customFields.some((f) => f.key === target.slice('fields.'.length));
}

/** A mapping resolved against the file's columns: for each column index, its target. */
export type ColumnPlan = { index: number; header: string; target: Exclude<Target, 'ignore'> }[];

/**
 * Checks a client's mapping against the file's headers and the tenant's custom fields: unknown
 * headers, unknown targets, a target used twice, and neither phone nor email mapped are 400
 * `invalid_mapping` with the problems in `details`. Headers left out are ignored.
 */
export function planColumns(
  mapping: Mapping,
  headers: readonly string[],
  customFields: readonly CustomFieldDef[],
): ColumnPlan {
  const problems: { column: string; message: string }[] = [];
  const used = new Map<string, string>();
  for (const [header, target] of Object.entries(mapping)) {
    if (!headers.includes(header)) problems.push({ column: header, message: 'no such column in the file' });
    if (!isKnownTarget(target, customFields)) {
      problems.push({
        column: header,
        message: target.startsWith('fields.')
          ? `unknown custom field "${target.slice('fields.'.length)}"`
          : `unknown field "${target}": use one of ${STANDARD_TARGETS.join(', ')}, fields.<key> or ignore`,
      });
      continue;
    }
    if (target === 'ignore') continue;
    const previous = used.get(target);
    if (previous !== undefined)
      problems.push({ column: header, message: `"${target}" is already mapped from column "${previous}"` });
    used.set(target, header);
  }
  if (!used.has('phone') && !used.has('email'))
    problems.push({ column: '', message: 'map a column to phone or to email: contacts are matched on them' });
  if (problems.length > 0) throw new AppError(400, 'invalid_mapping', 'the column mapping is not valid', problems);
  const plan: ColumnPlan = [];
  headers.forEach((header, index) => {
    const target = mapping[header];
    if (target && target !== 'ignore') plan.push({ index, header, target: target as Exclude<Target, 'ignore'> });
  });
  return plan;
}
