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

/** Look again this often while journeys run or recipients wait, at most… */
export const IDLE_POLL_MS = 2_000;
/** …backing off to this while only long journeys (a wait for a reply, days) keep it open… */
export const MAX_IDLE_POLL_MS = 60_000;
/**
 * …but no further than this while journeys are ending: a campaign draining its last journeys
 * notices it is done (and its counters move) within seconds, not a minute after the last one.
 */
export const DRAINING_POLL_MS = 10_000;

/** What the last dispatch call saw, as far as the next look depends on it. */
export interface LookResult {
  started: number;
  active: number;
  limitedBy: 'concurrency' | 'provider_rate' | null;
  nextDueAt: number | null;
}

/** The campaign's polling memory, carried through continue-as-new. */
export interface LookState {
  /** Pace tokens, and extra ones a catch-up resume granted (spent first, never capped). */
  tokens: number;
  catchUp: number;
  /** The current poll interval while nothing is due (absent in states from before it existed). */
  idlePollMs?: number;
  /** Journeys running at the last look (absent in states from before it existed). */
  lastActive?: number;
}

/**
 * How long the campaign workflow sleeps before its next dispatch call: until a pace token, a due
 * recipient or a journey ending can change what it may start. While only running journeys keep
 * it open the interval doubles to a minute, and is held at ten seconds while they are ending.
 * Updates `state`'s polling memory.
 */
export function nextLookIn(result: LookResult, state: LookState, now: number, perMinute: number | null): number {
  const active = result.active;
  const finishing = state.lastActive !== undefined && active < state.lastActive;
  state.lastActive = active;
  const dueNow = result.nextDueAt !== null && result.nextDueAt <= now;
  const canStartMore = result.limitedBy === null && dueNow;
  if (canStartMore && (perMinute === null || state.tokens + state.catchUp >= 1)) return 0;
  const nextToken = perMinute === null ? IDLE_POLL_MS : Math.max(50, ((1 - (state.tokens % 1)) * 60_000) / perMinute);
  const untilDue = result.nextDueAt === null ? Number.POSITIVE_INFINITY : Math.max(50, result.nextDueAt - now);
  let sleep = Math.min(IDLE_POLL_MS, dueNow ? nextToken : Math.max(nextToken, Math.min(untilDue, IDLE_POLL_MS)));
  if (result.limitedBy === 'provider_rate') sleep = Math.min(sleep, 1_000);
  if (active === 0 && !dueNow && result.nextDueAt !== null) sleep = Math.max(50, result.nextDueAt - now);
  if (active > 0 && !dueNow && result.limitedBy === null && result.started === 0) {
    const idle = state.idlePollMs ?? IDLE_POLL_MS;
    const wait = finishing ? Math.min(idle, DRAINING_POLL_MS) : idle;
    sleep = Math.max(50, Math.min(wait, untilDue));
    state.idlePollMs = Math.min(wait * 2, MAX_IDLE_POLL_MS);
  } else state.idlePollMs = IDLE_POLL_MS;
  return sleep;
}
