/**
 * 64-bit hashes of identity bytes, fed in pieces (a span of a frame, a separator, a lower-cased
 * name) into a reused scratch buffer, without building the key as a string.
 *
 * The hash is MurmurHash3_x86_128 (Austin Appleby, public domain), of which the first 64 bits are
 * kept. Why this one: it passes SMHasher (every output bit depends on every input bit, no weak
 * seeds or lengths), so n keys falsely collide with probability about n²/2⁶⁵, as for an ideal
 * 64-bit hash; and its x86 variant needs only 32-bit multiplies (Math.imul), so it runs on plain
 * JS numbers, no BigInt and no allocation. (FNV-1a is smaller but weaker in its high bits and
 * needs 64-bit multiplies; xxhash64 and wyhash need 64-bit ones too.)
 *
 * The result is two uint32 halves, `hi` and `lo`, read after finish(). One hasher is reused for
 * every key: the stages are synchronous, so no two keys are hashed at once.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/** Scratch for digits(), most significant last. */
const DIGITS = new Uint8Array(20);

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class Hasher {
  /**
   * The key's bytes, gathered first and hashed in one pass at finish(): copying a byte is a store,
   * while mixing pieces of every length into 16-byte blocks as they come would cost a branch or
   * two a byte.
   */
  private buf = new Uint8Array(256);
  private length = 0;
  private seed = 0;
  /** The high and low 32 bits of the last finish(), unsigned. */
  hi = 0;
  lo = 0;

  /** Starts a new key. */
  reset(seed = 0): this {
    this.seed = seed >>> 0;
    this.length = 0;
    return this;
  }

  byte(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }

  /** Bytes start..end of `src`. */
  bytes(src: Uint8Array, start: number, end: number): void {
    if (this.length + (end - start) > this.buf.length) this.grow(end - start);
    const buf = this.buf;
    let n = this.length;
    for (let i = start; i < end; i++) buf[n++] = src[i]!;
    this.length = n;
  }

  /** Bytes start..end of `src`, A-Z as a-z (ASCII spans only: the caller checked). */
  lowerAsciiBytes(src: Uint8Array, start: number, end: number): void {
    if (this.length + (end - start) > this.buf.length) this.grow(end - start);
    const buf = this.buf;
    let n = this.length;
    for (let i = start; i < end; i++) {
      const b = src[i]!;
      buf[n++] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
    }
    this.length = n;
  }

  /** The UTF-8 of `s` (a lone surrogate as U+FFFD, as Buffer.from does). */
  string(s: string): void {
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        this.byte(c);
        continue;
      }
      if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 0x3f));
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          this.byte(0xf0 | (c >> 18));
          this.byte(0x80 | ((c >> 12) & 0x3f));
          this.byte(0x80 | ((c >> 6) & 0x3f));
          this.byte(0x80 | (c & 0x3f));
          continue;
        }
        c = 0xfffd;
      }
      this.byte(0xe0 | (c >> 12));
      this.byte(0x80 | ((c >> 6) & 0x3f));
      this.byte(0x80 | (c & 0x3f));
    }
  }

  /** The decimal digits of a non-negative integer below 2^53, as String(n) writes them. */
  digits(n: number): void {
    if (n < 10) {
      this.byte(0x30 + n);
      return;
    }
    let k = 0;
    if (n >= 1e9) {
      // The low nine digits, then the rest: each part fits 31 bits, so the divisions are integer ones.
      let low = n % 1e9;
      n = (n - low) / 1e9;
      for (let i = 0; i < 9; i++, low = (low / 10) | 0) DIGITS[k++] = 0x30 + (low % 10);
    }
    for (; n > 0; n = (n / 10) | 0) DIGITS[k++] = 0x30 + (n % 10);
    if (this.length + k > this.buf.length) this.grow(k);
    while (k > 0) this.buf[this.length++] = DIGITS[--k]!;
  }

  private grow(more: number): void {
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + more));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  /** Hashes the bytes gathered: `hi` and `lo` are the key's hash. */
  finish(): this {
    const b = this.buf;
    const len = this.length;
    let h1 = this.seed;
    let h2 = h1;
    let h3 = h1;
    let h4 = h1;
    const blocks = len & ~15;
    for (let i = 0; i < blocks; i += 16) {
      let k1 = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      let k2 = b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24);
      let k3 = b[i + 8]! | (b[i + 9]! << 8) | (b[i + 10]! << 16) | (b[i + 11]! << 24);
      let k4 = b[i + 12]! | (b[i + 13]! << 8) | (b[i + 14]! << 16) | (b[i + 15]! << 24);
      k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
      h1 ^= k1;
      h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
      k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
      h2 ^= k2;
      h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
      k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
      h3 ^= k3;
      h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
      k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
      h4 ^= k4;
      h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    }
    // The tail: up to 15 bytes, as four little-endian words filled so far.
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let i = blocks; i < len; i++) {
      const v = b[i]! << ((i & 3) << 3);
      const w = (i - blocks) >> 2;
      if (w === 0) k1 |= v;
      else if (w === 1) k2 |= v;
      else if (w === 2) k3 |= v;
      else k4 |= v;
    }
    const rest = len & 15;
    if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= len;
    h2 ^= len;
    h3 ^= len;
    h4 ^= len;
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h3 = fmix(h3);
    h4 = fmix(h4);
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    this.hi = h1 >>> 0;
    this.lo = h2 >>> 0;
    return this;
  }
}

/** The 16 hex digits of a hash, as the state file and the tests write it. */
export const hashHex = (hi: number, lo: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');

const shared = new Hasher();

/** The hash of a string's UTF-8 (tests, the state file's conversion): [hi, lo]. */
export function hashString(s: string): [hi: number, lo: number] {
  shared.reset().string(s);
  shared.finish();
  return [shared.hi, shared.lo];
}
