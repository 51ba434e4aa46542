// Pure and zod-free: the campaign workflow imports it, and every workflow evaluates its imports.

/** Token bucket arithmetic for pacing, in the workflow's deterministic time. */
export function paceBudget(
  state: { tokens: number; at: number },
  now: number,
  perMinute: number | null,
  burst: number,
): { tokens: number; at: number } {
  if (perMinute === null) return { tokens: burst, at: now };
  const tokens = Math.min(burst, state.tokens + ((now - state.at) / 60_000) * perMinute);
  return { tokens, at: now };
}
