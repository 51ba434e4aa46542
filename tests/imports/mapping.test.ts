import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, normalizeHeaders } from '../../api/imports/csv';
import { planColumns, type SavedMapping, suggestMapping } from '../../api/imports/mapping';

const fields = [{ key: 'company', label: 'Company name', type: 'text', options: [] }];

describe('suggestMapping', () => {
  it('recognizes headers in several spellings, each target once', () => {
    const headers = [
      'First Name',
      'SURNAME',
      'Mobile',
      'E-mail',
      'e_mail',
      'Time zone',
      'Labels',
      'Stage',
      'Company Name',
      'Other',
    ];
    expect(suggestMapping(headers, [], fields)).toEqual({
      savedMapping: null,
      mapping: {
        'First Name': 'firstName',
        SURNAME: 'lastName',
        Mobile: 'phone',
        'E-mail': 'email',
        e_mail: 'ignore',
        'Time zone': 'timeZone',
        Labels: 'tags',
        Stage: 'leadStatus',
        'Company Name': 'fields.company',
        Other: 'ignore',
      },
    });
  });

  it('prefers a saved mapping with exactly these headers, then saved choices per header', () => {
    const saved: SavedMapping[] = [
      { name: 'partial', mapping: { Handy: 'phone', X: 'email' } },
      { name: 'exact', mapping: { handy: 'phone', 'first name': 'lastName' } },
    ];
    expect(suggestMapping(['Handy', 'First Name'], saved, fields)).toEqual({
      savedMapping: 'exact',
      mapping: { Handy: 'phone', 'First Name': 'lastName' },
    });
    expect(suggestMapping(['Handy', 'Email'], saved, fields)).toEqual({
      savedMapping: null,
      mapping: { Handy: 'phone', Email: 'email' },
    });
  });

  it('drops saved targets that no longer exist', () => {
    const saved = [{ name: 'old', mapping: { Co: 'fields.gone', Phone: 'phone' } }];
    expect(suggestMapping(['Co', 'Phone'], saved, fields).mapping).toEqual({ Co: 'ignore', Phone: 'phone' });
  });
});

describe('planColumns', () => {
  it('maps column indexes and skips ignored columns', () => {
    expect(planColumns({ A: 'phone', B: 'ignore', C: 'fields.company' }, ['A', 'B', 'C'], fields)).toEqual([
      { index: 0, header: 'A', target: 'phone' },
      { index: 2, header: 'C', target: 'fields.company' },
    ]);
  });

  it('lists every problem', () => {
    try {
      planColumns({ A: 'phone', B: 'phone', C: 'nickname', D: 'email' }, ['A', 'B', 'C'], fields);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ statusCode: 400, code: 'invalid_mapping' });
      expect((err as { details: unknown[] }).details).toHaveLength(3);
    }
  });
});

describe('csv format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-csv-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('detects the delimiter from the header line, ignoring quoted ones', async () => {
    expect(await detectFormat(write('a', 'a,b;c,d\n1;2;3'))).toEqual({ delimiter: ',', bom: false });
    expect(await detectFormat(write('b', '"a,b,c";d;e\n'))).toEqual({ delimiter: ';', bom: false });
    expect(await detectFormat(write('c', '\uFEFFa\tb\n'))).toEqual({ delimiter: '\t', bom: true });
    expect(await detectFormat(write('d', 'phone\n+1'))).toEqual({ delimiter: ',', bom: false });
    await expect(detectFormat(write('e', ' \r\n'))).rejects.toMatchObject({ code: 'empty_file' });
  });

  it('names blank and repeated headers', () => {
    expect(normalizeHeaders(['Phone', '', 'phone', ' Email '])).toEqual(['Phone', 'Column 2', 'phone (2)', 'Email']);
  });
});
