import { describe, expect, it } from 'vitest';
import { Hasher, hashHex, hashString, KEY, KEY_MAX, lengthDigits, putBytes, putLength, putLowerAscii } from '../../src/stages/hash64.js';

// The first 64 bits of MurmurHash3_x86_128 (seed 0) of each string's UTF-8, as the reference
// implementation gives them (checked against murmurhash3js-revisited 3.0.0, hash128 of the bytes).
const VECTORS: [string, string][] = [
  ['', '0000000000000000'],
  ['a', 'a794933c5556b01b'],
  ['hello', '2b2444a0db91def7'],
  ['I will not buy this record, it is scratched.', 'a0a9683b25ac5e40'],
  ['7:telegramn alice', '672e4b7222493818'],
  ['0123456789abcdef', 'fb7d440936aed30a'],
  ['0123456789abcdef0', '1f8a385560920c06'],
  ['é€😀\ud800x', '7cc758e10a5bc755'],
  ['So11111111111111111111111111111111111111112', '8e733651e4fa4a1d'],
];

describe('hash64 (MurmurHash3_x86_128, first 64 bits)', () => {
  it.each(VECTORS)('%j hashes as the reference does', (text, hex) => {
    expect(hashHex(...hashString(text))).toBe(hex);
  });

  it('is the same written into KEY in pieces: lengths as digits, bytes at any alignment, lower-cased bytes', () => {
    const h = new Hasher();
    const bytes = Buffer.from('xx7:TELEGRAMn alicexx');
    let n = putLength(0, 7);
    KEY[n++] = 0x3a;
    n = putLowerAscii(n, bytes, 4, 12);
    h.finishKey(putBytes(n, bytes, 12, 19));
    expect(hashHex(h.hi, h.lo)).toBe('672e4b7222493818');
    for (const v of [0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 12345, 2 ** 31 - 1]) {
      const digits = putLength(0, v);
      expect(digits).toBe(lengthDigits(v));
      h.finishKey(digits);
      expect(hashHex(h.hi, h.lo)).toBe(hashHex(...hashString(String(v))));
    }
    const text = 'So11111111111111111111111111111111111111112:8:telegramnalice1796110800000';
    const padded = Buffer.from('###' + text);
    for (let cut = 0; cut <= text.length; cut++) {
      for (const at of [0, 1, 2, 3]) {
        h.finishKey(putBytes(putBytes(0, padded, at, 3 + cut), padded, 3 + cut, padded.length));
        const expected = hashHex(...hashString('###'.slice(at) + text));
        if (hashHex(h.hi, h.lo) !== expected) expect(hashHex(h.hi, h.lo)).toBe(expected);
      }
    }
  });

  it('hashes a key as long as KEY_MAX', () => {
    const h = new Hasher();
    const long = Buffer.alloc(KEY_MAX, 0x7a);
    h.finishKey(putBytes(0, long, 0, long.length));
    expect(hashHex(h.hi, h.lo)).toBe(hashHex(...hashString('z'.repeat(KEY_MAX))));
  });

  it('spreads near-identical keys over both halves: no collision among 200,000 of them', () => {
    const seen = new Set<string>();
    const his = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      const [hi, lo] = hashString('tok' + i);
      seen.add(hashHex(hi, lo));
      his.add(hi);
    }
    expect(seen.size).toBe(200_000);
    // 32 bits alone: about n²/2³³ ≈ 5 collisions expected, far from hundreds.
    expect(his.size).toBeGreaterThan(199_950);
  });

  it('hashes a span where it lies as it hashes the bytes gathered, whatever its offset and length', () => {
    const text = 'So11111111111111111111111111111111111111112:8:telegramnalice1796110800000';
    const padded = Buffer.from('##' + text + '##');
    const inside = padded.subarray(2, 2 + text.length);
    const h = new Hasher();
    for (let start = 0; start <= text.length; start++) {
      for (let end = start; end <= text.length; end++) {
        const expected = hashHex(...hashString(text.slice(start, end)));
        // expect() only on a mismatch: these are some 2,900 spans.
        h.span(inside, start, end);
        const spanned = hashHex(h.hi, h.lo);
        if (spanned !== expected) expect(spanned).toBe(expected);
        h.finishKey(putBytes(0, inside, start, end));
        const gathered = hashHex(h.hi, h.lo);
        if (gathered !== expected) expect(gathered).toBe(expected);
      }
    }
  });

  it('gathers string keys longer than its first scratch', () => {
    const text = 'x'.repeat(700) + 'y'.repeat(300);
    const h = new Hasher();
    h.finishKey(putBytes(0, Buffer.from(text), 0, text.length));
    const written = hashHex(h.hi, h.lo);
    h.reset().string(text);
    h.finish();
    expect(hashHex(h.hi, h.lo)).toBe(written);
  });
});
