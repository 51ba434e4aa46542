// Shared chart settings: every colour is a CSS variable, so charts follow the theme (dark mode
// included) without re-rendering; recharts passes these strings through to SVG attributes.
import { formatDuration } from '../ui';

export const COLOURS = {
  accent: 'var(--sb-accent)',
  ok: 'var(--sb-ok)',
  danger: 'var(--sb-danger)',
  current: 'var(--sb-current)',
  muted: 'var(--sb-muted)',
} as const;

export const axisProps = {
  stroke: 'var(--sb-border)',
  tick: { fill: 'var(--sb-muted)', fontSize: 12 },
  tickLine: { stroke: 'var(--sb-border)' },
} as const;

export const gridProps = { stroke: 'var(--sb-border)', strokeDasharray: '3 3' } as const;

export const tooltipProps = {
  contentStyle: {
    background: 'var(--sb-panel)',
    border: '1px solid var(--sb-border)',
    borderRadius: 6,
    color: 'var(--sb-fg)',
  },
  labelStyle: { color: 'var(--sb-fg)', fontWeight: 600 },
  itemStyle: { color: 'var(--sb-fg)' },
  cursor: { fill: 'var(--sb-border)', fillOpacity: 0.4 },
} as const;

export const legendProps = { wrapperStyle: { color: 'var(--sb-fg)', fontSize: 12 } } as const;

/** Seconds as "1m 35s". */
export const seconds = (s: number | null | undefined) =>
  s === null || s === undefined ? '—' : formatDuration(s * 1000);

/** An amount in a currency; a currency code the browser does not know is written after the number. */
export function money(amount: number, currency: string | null): string {
  if (!currency) return amount.toLocaleString(undefined, { maximumFractionDigits: 4 });
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      maximumFractionDigits: 4,
    }).format(amount);
  } catch {
    return `${amount.toLocaleString(undefined, { maximumFractionDigits: 4 })} ${currency}`;
  }
}

/** snake_case and kebab-case codes as words ("no-answer" → "no answer"). */
export const words = (code: string) => code.replace(/[_-]/g, ' ');

/** "1 call", "3 calls". */
export const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
