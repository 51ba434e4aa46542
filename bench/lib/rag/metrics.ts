// Retrieval metrics and the printed table.

/** 1-based rank of the first relevant result within the first `k`, or null. */
export function firstRelevantRank<T>(results: T[], isRelevant: (r: T) => boolean, k: number): number | null {
  const i = results.slice(0, k).findIndex(isRelevant);
  return i === -1 ? null : i + 1;
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface Row {
  label: string;
  values: number[];
  format: (x: number) => string;
  /** The last column: hybrid against the better single mode (`higher`: more is better). */
  better: 'higher' | 'lower';
}

/** Modes side by side; last column hybrid ÷ the better of lexical and vector. Assumes columns lexical, vector, hybrid. */
export function table(modes: string[], rows: Row[]): string {
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 6);
  const colWidth = 11;
  const header = [
    ''.padEnd(labelWidth),
    ...modes.map((m) => m.padStart(colWidth)),
    'hybrid/best'.padStart(colWidth + 2),
  ].join(' ');
  const lines = [header, '-'.repeat(header.length)];
  for (const r of rows) {
    const [lexical, vector, hybrid] = r.values as [number, number, number];
    const best = r.better === 'higher' ? Math.max(lexical, vector) : Math.min(lexical, vector);
    const ratio = best === 0 ? Number.NaN : hybrid / best;
    lines.push(
      [
        r.label.padEnd(labelWidth),
        ...r.values.map((v) => r.format(v).padStart(colWidth)),
        (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a').padStart(colWidth + 2),
      ].join(' '),
    );
  }
  return lines.join('\n');
}

export const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
export const dec3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
export const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');
