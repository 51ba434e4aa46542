// The dashboards' client-side CSV (quoting, formula-safe text) and the period kept in the URL.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../editor/src/console/dashboards/csv';
import { choiceFromQuery, customError, periodOf, withChoice } from '../../editor/src/console/dashboards/range';

describe('dashboard CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell(-0.015)).toBe('-0.015');
    expect(csvCell(null)).toBe('');
    const table = {
      columns: ['outcome', 'count'],
      rows: [
        ['no, thanks', 2],
        ['said "later"', 1],
        [null, 0],
      ],
    };
    expect(parse(toCsv(table), { columns: true })).toEqual([
      { outcome: 'no, thanks', count: '2' },
      { outcome: 'said "later"', count: '1' },
      { outcome: '', count: '0' },
    ]);
  });
});

describe('dashboard period', () => {
  it('reads presets and custom days from the query, keeping other keys when it writes one', () => {
    expect(choiceFromQuery(new URLSearchParams(''))).toEqual({ kind: 'preset', preset: '30d' });
    expect(choiceFromQuery(new URLSearchParams('range=7d'))).toEqual({ kind: 'preset', preset: '7d' });
    expect(choiceFromQuery(new URLSearchParams('range=5y'))).toEqual({ kind: 'preset', preset: '30d' });
    expect(choiceFromQuery(new URLSearchParams('from=2026-01-01&to=2026-01-31'))).toEqual({
      kind: 'custom',
      from: '2026-01-01',
      to: '2026-01-31',
    });
    // Backwards or impossible days fall back to the default rather than asking the API for nonsense.
    expect(choiceFromQuery(new URLSearchParams('from=2026-02-01&to=2026-01-01')).kind).toBe('preset');
    expect(customError('2026-02-30', '2026-03-01')).toBe('Choose both dates');
    const q = withChoice(new URLSearchParams('range=7d&flow=abc'), {
      kind: 'custom',
      from: '2026-01-01',
      to: '2026-01-02',
    });
    expect(q.toString()).toBe('flow=abc&from=2026-01-01&to=2026-01-02');
  });

  it('runs a preset up to now and a custom period over whole local days, the last included', () => {
    const now = new Date('2026-05-10T12:00:00Z');
    const week = periodOf({ kind: 'preset', preset: '7d' }, now);
    expect(week.to).toEqual(now);
    expect(now.getTime() - week.from.getTime()).toBe(7 * 86_400_000);
    const custom = periodOf({ kind: 'custom', from: '2026-01-01', to: '2026-01-31' }, now);
    expect(custom.from).toEqual(new Date(2026, 0, 1));
    expect(custom.to).toEqual(new Date(2026, 1, 1));
  });
});
