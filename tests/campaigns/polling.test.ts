// How long the campaign workflow waits before its next dispatch call (flow/pacing.ts nextLookIn).
import { describe, expect, it } from 'vitest';
import { DRAINING_POLL_MS, IDLE_POLL_MS, type LookState, MAX_IDLE_POLL_MS, nextLookIn } from '../../flow/pacing';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const unpaced = (): LookState => ({ tokens: 5_000, catchUp: 0 });
const running = (active: number) => ({ started: 0, active, limitedBy: null, nextDueAt: null });

describe('the next look while only running journeys keep a campaign open', () => {
  it('backs off to a minute while none of them end (long journeys waiting days for a reply)', () => {
    const state = unpaced();
    const sleeps = Array.from({ length: 8 }, () => nextLookIn(running(40), state, NOW, null));
    expect(sleeps).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('comes back within ten seconds while journeys are ending, so the last one is noticed promptly', () => {
    const state = unpaced();
    for (let i = 0; i < 8; i++) nextLookIn(running(100_000), state, NOW, null);
    expect(state.idlePollMs).toBe(MAX_IDLE_POLL_MS);
    // A 100k campaign draining at ~30 journeys a second.
    const sleeps = [99_000, 98_000, 97_500, 97_000].map((active) => nextLookIn(running(active), state, NOW, null));
    expect(sleeps).toEqual([DRAINING_POLL_MS, DRAINING_POLL_MS, DRAINING_POLL_MS, DRAINING_POLL_MS]);
    // Nothing ended since: backing off again, from where the drain held it.
    expect(nextLookIn(running(97_000), state, NOW, null)).toBe(2 * DRAINING_POLL_MS);
  });

  it('goes back to the short interval as soon as a tick starts journeys', () => {
    const state = unpaced();
    for (let i = 0; i < 5; i++) nextLookIn(running(10), state, NOW, null);
    expect(nextLookIn({ started: 3, active: 13, limitedBy: 'concurrency', nextDueAt: NOW }, state, NOW, null)).toBe(
      IDLE_POLL_MS,
    );
    expect(state.idlePollMs).toBe(IDLE_POLL_MS);
  });
});

describe('the next look when something can start', () => {
  it('is immediate when recipients are due and nothing limits the campaign', () => {
    expect(nextLookIn({ started: 5_000, active: 5_000, limitedBy: null, nextDueAt: NOW }, unpaced(), NOW, null)).toBe(
      0,
    );
  });

  it('waits for the next pace token (60 a minute: a second) and for a due time no later than it must', () => {
    const paced: LookState = { tokens: 0, catchUp: 0 };
    expect(nextLookIn({ started: 1, active: 1, limitedBy: null, nextDueAt: NOW }, paced, NOW, 60)).toBe(1_000);
    // Nothing running, next recipient due in an hour (outside its window until then): sleep till then.
    expect(
      nextLookIn({ started: 0, active: 0, limitedBy: null, nextDueAt: NOW + 3_600_000 }, unpaced(), NOW, null),
    ).toBe(3_600_000);
  });

  it('looks again within a second when the provider’s rate held it back', () => {
    const sleep = nextLookIn(
      { started: 1, active: 1, limitedBy: 'provider_rate', nextDueAt: NOW },
      unpaced(),
      NOW,
      null,
    );
    expect(sleep).toBeLessThanOrEqual(1_000);
  });
});
