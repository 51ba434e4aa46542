import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fnv1a, sha256Hex } from '../../flow/sha256';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('matches the published vectors for "" and "abc"', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe(reference(''));
    expect(sha256Hex('abc')).toBe(reference('abc'));
  });

  it('matches node:crypto for a 1,000-character string', () => {
    const text = Array.from({ length: 1_000 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 94))).join('');
    expect(text).toHaveLength(1_000);
    expect(sha256Hex(text)).toBe(reference(text));
  });

  it('matches node:crypto at every length around the 64-byte block and padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const text = 'a'.repeat(n);
      expect(sha256Hex(text), `length ${n}`).toBe(reference(text));
    }
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    for (const text of ['é', 'Grüße', '日本語', '💥🚀', 'mixed ascii + ünïcödé + 👍'.repeat(20)]) {
      expect(sha256Hex(text), text).toBe(reference(text));
    }
  });

  it('gives 64 lower-case hex characters', () => {
    expect(sha256Hex('anything')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth, keeping array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('serialises the same content the same way whatever the key order', () => {
    const a = { name: 'x', nodes: { n1: { id: 'n1', params: { text: 'hi', channel: 'sms' } } }, format: 1 };
    const b = { format: 1, nodes: { n1: { params: { channel: 'sms', text: 'hi' }, id: 'n1' } }, name: 'x' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });

  it('drops undefined properties and writes undefined array items as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('writes primitives as JSON does, and is valid JSON that parses back to the same value', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(Number.NaN)).toBe('null');
    const value = { z: ['x', { b: 2, a: 1 }], 'key with "quotes"': 'é', '': 0 };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('orders keys by code unit, so upper case comes before lower case', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4, '1': 5 })).toBe('{"1":5,"B":2,"_":4,"a":3,"b":1}');
  });
});

describe('fnv1a', () => {
  it('matches the published 32-bit FNV-1a vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('is stable: pinned values, and a BigInt reference for many texts, as unsigned 32-bit numbers', () => {
    // Split arms are chosen from this hash: changing it would move running journeys to other arms.
    expect(fnv1a('run-123:split')).toBe(1_868_898_697);
    const slow = (text: string) => {
      let h = 0x811c9dc5n;
      for (const byte of Buffer.from(text, 'latin1')) h = ((h ^ BigInt(byte)) * 16_777_619n) % 2n ** 32n;
      return Number(h);
    };
    for (let i = 0; i < 1_000; i++) {
      const text = `run-${i}:node-${i % 7}`;
      const h = fnv1a(text);
      expect(h).toBe(slow(text));
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it('tells similar texts apart', () => {
    expect(fnv1a('run-1:ab')).not.toBe(fnv1a('run-2:ab'));
    expect(fnv1a('ab')).not.toBe(fnv1a('ba'));
  });
});
