import { z } from 'zod';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+)\s*([smhdw])/g;
const WHOLE = /^\s*(\d+\s*[smhdw]\s*)+$/;

/** Parses "90s", "15m", "2h", "1d 12h", "2w" into milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms;
}

/** A duration written as text ("30m", "1d 2h"); at most a year. */
export const DurationSchema = z
  .string()
  .max(40)
  .refine((s) => {
    const ms = parseDuration(s);
    return ms !== null && ms > 0 && ms <= 366 * UNIT_MS.d;
  }, 'a duration like "30s", "15m", "2h", "1d 12h" (at most a year)');

export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new Error(`not a duration: ${text}`);
  return ms;
}
