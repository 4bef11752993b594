import { describe, expect, it } from 'vitest';
import { Hasher, hashHex, hashString } from '../../src/stages/hash64.js';

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

  it('is the same fed in pieces, from bytes, lower-cased bytes or digits', () => {
    const h = new Hasher();
    const bytes = Buffer.from('xx7:TELEGRAMn alicexx');
    h.reset();
    h.digits(7);
    h.byte(0x3a);
    h.lowerAsciiBytes(bytes, 4, 12);
    h.bytes(bytes, 12, 19);
    h.finish();
    expect(hashHex(h.hi, h.lo)).toBe('672e4b7222493818');
    for (const n of [0, 7, 10, 42, 99, 100, 101, 2 ** 31 - 1, 2 ** 31, 999_999_999, 1_000_000_000, 1_000_000_007, 1796110800000, 4_503_599_999_999_999, 9_007_198_999_999_999, 9_007_199_000_000_000, Number.MAX_SAFE_INTEGER]) {
      h.reset().digits(n);
      h.finish();
      expect(hashHex(h.hi, h.lo)).toBe(hashHex(...hashString(String(n))));
    }
  });

  it('is the same whatever the alignment of the pieces fed as bytes', () => {
    const text = 'So11111111111111111111111111111111111111112:8:telegramnalice1796110800000';
    const bytes = Buffer.from(text);
    const h = new Hasher();
    for (let cut = 0; cut <= bytes.length; cut++) {
      h.reset();
      h.bytes(bytes, 0, cut);
      h.bytes(bytes, cut, bytes.length);
      h.finish();
      expect(hashHex(h.hi, h.lo)).toBe(hashHex(...hashString(text)));
    }
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
        h.reset().bytes(inside, start, end);
        h.finish();
        const gathered = hashHex(h.hi, h.lo);
        if (gathered !== expected) expect(gathered).toBe(expected);
      }
    }
  });

  it('gathers keys longer than its first scratch', () => {
    const text = 'x'.repeat(1000) + 'é'.repeat(300);
    const bytes = Buffer.from(text);
    const h = new Hasher();
    h.reset().bytes(bytes, 0, 500);
    h.digits(1_000_000_007);
    h.bytes(bytes, 500, bytes.length);
    h.finish();
    expect(hashHex(h.hi, h.lo)).toBe(hashHex(...hashString(text.slice(0, 500) + '1000000007' + text.slice(500))));
  });
});
