// The dashboards' period, kept in the URL (`#/dashboards?range=7d` or `?from=2026-01-01&to=2026-01-31`)
// so a view can be shared. Custom dates are whole days on this browser's calendar, `to` included.

export const PRESETS = [
  { key: '7d', days: 7, label: '7 days' },
  { key: '30d', days: 30, label: '30 days' },
  { key: '90d', days: 90, label: '90 days' },
] as const;
export type PresetKey = (typeof PRESETS)[number]['key'];
export const DEFAULT_PRESET: PresetKey = '30d';

/** What the URL asks for. */
export type RangeChoice = { kind: 'preset'; preset: PresetKey } | { kind: 'custom'; from: string; to: string };

/** The instants the API is asked about: `from` inclusive, `to` exclusive. */
export interface Period {
  from: Date;
  to: Date;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD date at local midnight, or null when it is not a real date. */
function localMidnight(day: string): Date | null {
  if (!DAY.test(day)) return null;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d ? date : null;
}

/** A date as YYYY-MM-DD on this browser's calendar (what a date input holds). */
export function toDayString(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Whether custom dates make a period: both real days, `from` not after `to`. */
export function customError(from: string, to: string): string | null {
  const a = localMidnight(from);
  const b = localMidnight(to);
  if (!a || !b) return 'Choose both dates';
  if (a > b) return 'From must not be after To';
  return null;
}

export function choiceFromQuery(query: URLSearchParams): RangeChoice {
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  if (from && to && !customError(from, to)) return { kind: 'custom', from, to };
  const preset = PRESETS.find((p) => p.key === query.get('range'))?.key ?? DEFAULT_PRESET;
  return { kind: 'preset', preset };
}

/** The query with the choice written in (other keys, e.g. the funnel's flow, kept). */
export function withChoice(query: URLSearchParams, choice: RangeChoice): URLSearchParams {
  const next = new URLSearchParams(query);
  for (const k of ['range', 'from', 'to']) next.delete(k);
  if (choice.kind === 'preset') next.set('range', choice.preset);
  else {
    next.set('from', choice.from);
    next.set('to', choice.to);
  }
  return next;
}

/** A preset ends now; a custom period runs from the first day's midnight to the midnight after the last. */
export function periodOf(choice: RangeChoice, now = new Date()): Period {
  if (choice.kind === 'preset') {
    const days = PRESETS.find((p) => p.key === choice.preset)?.days ?? 30;
    return { from: new Date(now.getTime() - days * 86_400_000), to: now };
  }
  const from = localMidnight(choice.from) ?? now;
  const last = localMidnight(choice.to) ?? now;
  return { from, to: new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1) };
}
