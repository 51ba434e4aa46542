import { type CountryCode, parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';
import { z } from 'zod';
import { COUNTRY_ZONES, NANP_AREA_CODE_ZONES, REGIONAL_PREFIX_ZONES } from './time-zones';

export type { CountryCode };

export type PhoneResult = { ok: true; e164: string; country?: string } | { ok: false; reason: string };

const LENGTH_REASONS: Record<string, string> = {
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  NOT_A_NUMBER: 'not a phone number',
  INVALID_LENGTH: 'invalid length',
};

/**
 * A phone number as E.164, or why it is not one. Numbers without a leading `+` are read in
 * `defaultCountry`; only numbers libphonenumber's full metadata says are valid pass.
 */
export function normalizePhone(raw: string, defaultCountry?: CountryCode): PhoneResult {
  // 00 is the international prefix in most of the world: 0044… is +44….
  const text = raw.trim().replace(/^00(?=[1-9])/, '+');
  if (!/\d/.test(text) || /[a-z]{3,}/i.test(text.replace(/ext\.?|x/gi, '')))
    return { ok: false, reason: 'not a phone number' };
  if (!text.startsWith('+') && !defaultCountry)
    return { ok: false, reason: 'not in international format (+…): give a defaultCountry to read national numbers' };
  const lengthProblem = validatePhoneNumberLength(text, defaultCountry);
  if (lengthProblem === 'INVALID_COUNTRY') return { ok: false, reason: 'unknown country calling code' };
  if (lengthProblem) return { ok: false, reason: LENGTH_REASONS[lengthProblem] ?? 'invalid length' };
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed) return { ok: false, reason: 'not a phone number' };
  if (!parsed.isValid() && !(parsed.isPossible() && FICTIONAL_RANGES.some((r) => r.test(parsed.number)))) {
    const where = parsed.country ?? defaultCountry;
    return { ok: false, reason: where ? `invalid for ${where}` : `invalid for +${parsed.countryCallingCode}` };
  }
  const country = parsed.country ?? (parsed.countryCallingCode === '44' ? 'GB' : undefined);
  return { ok: true, e164: parsed.number, ...(country ? { country } : {}) };
}

/**
 * Ranges reserved for drama and testing (Ofcom's UK drama numbers; the NANP 555-01xx and the
 * Australian 0491 570 ranges are already valid in the metadata). libphonenumber calls the UK ones
 * invalid, but the sandbox, demos and fixtures use them, so they are accepted.
 */
const FICTIONAL_RANGES = [
  /^\+447700900\d{3}$/,
  /^\+44(113|114|115|116|117|118|121|131|141|151|161|191)4960\d{3}$/,
  /^\+442079460\d{3}$/,
  /^\+442890180\d{3}$/,
  /^\+442920180\d{3}$/,
  /^\+441632960\d{3}$/,
  /^\+448081570\d{3}$/,
  /^\+449098790\d{3}$/,
  /^\+443069990\d{3}$/,
];

const EmailSchema = z.string().email();

export type EmailResult = { ok: true; email: string } | { ok: false; reason: string };

/** Trimmed, lower-cased and validated. */
export function normalizeEmail(raw: string): EmailResult {
  const email = raw.trim().toLowerCase();
  if (!EmailSchema.safeParse(email).success) return { ok: false, reason: 'not an email address' };
  return { ok: true, email };
}

function longestPrefix(table: Readonly<Record<string, string>>, digits: string): string | null {
  for (let n = digits.length; n >= 0; n--) {
    const zone = table[digits.slice(0, n)];
    if (zone) return zone;
  }
  return null;
}

/**
 * The contact's likely IANA zone from an E.164 number: NANP numbers by area code, the multi-zone
 * countries (AU, BR, MX, RU, ID) by their regional prefix, others by country when it has one zone.
 * Null when the number says nothing reliable (mobiles in multi-zone countries, toll-free, unknown).
 */
export function inferTimeZone(e164: string): string | null {
  const checked = normalizePhone(e164);
  if (!checked.ok) return null;
  const parsed = parsePhoneNumberFromString(checked.e164);
  if (!parsed) return null;
  const national = String(parsed.nationalNumber);
  const country = parsed.country ?? checked.country;
  if (country === 'US' || country === 'CA') return NANP_AREA_CODE_ZONES[national.slice(0, 3)] ?? null;
  if (!country) return null;
  const regional = REGIONAL_PREFIX_ZONES[country];
  if (regional) return longestPrefix(regional, national);
  return COUNTRY_ZONES[country] ?? null;
}
