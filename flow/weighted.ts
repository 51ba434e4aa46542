/**
 * Picks one of `entries` with probability proportional to its weight, given `r` uniform in [0, 1).
 * Deterministic for a given `r`: callers derive it from a hash or a seeded generator.
 */
export function pickWeighted<T>(entries: ReadonlyArray<readonly [T, number]>, r: number): T | undefined {
  const usable = entries.filter(([, w]) => w > 0);
  const total = usable.reduce((sum, [, w]) => sum + w, 0);
  let remaining = r * total;
  for (const [value, weight] of usable) {
    remaining -= weight;
    if (remaining < 0) return value;
  }
  return usable[usable.length - 1]?.[0];
}
