import { describe, expect, it } from 'vitest';
import { DurationSchema, durationMs, parseDuration } from '../../flow/duration';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * S],
    ['15m', 15 * M],
    ['2h', 2 * H],
    ['3d', 3 * D],
    ['2w', 14 * D],
    ['1d 12h', 36 * H],
    ['1h30m', 90 * M],
    ['1h 30m 15s', H + 30 * M + 15 * S],
    ['  15m  ', 15 * M],
    ['1 h', H],
    ['0s', 0],
    ['1h 1h', 2 * H],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', ' ', '15', 'm', '1.5h', '-1h', '1H', '1 hour', '1y', '1h and 2m', 'h1', '1h,2m'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  it('returns quickly on long hostile input', () => {
    expect(parseDuration(`${'1'.repeat(5_000)}x`)).toBeNull();
    expect(parseDuration(`${'1s '.repeat(2_000)}!`)).toBeNull();
  });
});

describe('durationMs', () => {
  it('gives milliseconds, and throws on anything that is not a duration', () => {
    expect(durationMs('30m')).toBe(30 * M);
    expect(() => durationMs('soon')).toThrow('not a duration: soon');
  });
});

describe('DurationSchema', () => {
  it('accepts positive durations of at most a year (366 days)', () => {
    expect(DurationSchema.safeParse('1s').success).toBe(true);
    expect(DurationSchema.safeParse('366d').success).toBe(true);
    expect(DurationSchema.safeParse('52w 2d').success).toBe(true);
  });

  it('refuses zero, more than a year, text longer than 40 characters and non-durations', () => {
    for (const bad of ['0s', '0m 0h', '367d', '53w', '9999999999999999d', `${'1s '.repeat(14)}`, 'soon', '']) {
      expect(DurationSchema.safeParse(bad).success, bad).toBe(false);
    }
    expect(DurationSchema.safeParse(30).success).toBe(false);
  });

  it('explains the expected format', () => {
    const result = DurationSchema.safeParse('tomorrow');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('a duration like "30s"');
  });
});
