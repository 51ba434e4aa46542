import { describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey, secretMatches } from '../../api/api-keys';

describe('API keys', () => {
  it('round-trips a generated key and stores only a hash', () => {
    const key = generateApiKey();
    const parsed = parseApiKey(key.token);
    expect(parsed?.prefix).toBe(key.prefix);
    expect(key.hash).not.toContain(parsed?.secret ?? '');
    expect(secretMatches(parsed?.secret ?? '', key.hash)).toBe(true);
  });

  it('rejects malformed keys and wrong secrets', () => {
    expect(parseApiKey('sbk_nothex')).toBeNull();
    expect(parseApiKey('')).toBeNull();
    const a = generateApiKey();
    const b = generateApiKey();
    expect(secretMatches(parseApiKey(b.token)?.secret ?? '', a.hash)).toBe(false);
  });
});
