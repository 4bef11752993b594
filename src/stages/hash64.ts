/**
 * 64-bit hashes of identity bytes, fed in pieces (a span of a frame, a separator, a lower-cased
 * name) without building the key first.
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
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;
  // The block being filled: 16 bytes as four little-endian words.
  private k1 = 0;
  private k2 = 0;
  private k3 = 0;
  private k4 = 0;
  private length = 0;
  /** The high and low 32 bits of the last finish(), unsigned. */
  hi = 0;
  lo = 0;

  /** Starts a new key. */
  reset(seed = 0): this {
    this.h1 = this.h2 = this.h3 = this.h4 = seed >>> 0;
    this.k1 = this.k2 = this.k3 = this.k4 = 0;
    this.length = 0;
    return this;
  }

  byte(b: number): void {
    const n = this.length++;
    const v = (b & 0xff) << ((n & 3) << 3);
    switch ((n >> 2) & 3) {
      case 0:
        this.k1 |= v;
        break;
      case 1:
        this.k2 |= v;
        break;
      case 2:
        this.k3 |= v;
        break;
      default:
        this.k4 |= v;
        if ((n & 15) === 15) this.block();
    }
  }

  /** Bytes start..end of `buf`: a word at a time once the block is at a word boundary. */
  bytes(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end && (this.length & 3) !== 0) this.byte(buf[i++]!);
    for (; end - i >= 4; i += 4) {
      const w = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
      const n = this.length;
      this.length = n + 4;
      switch ((n >> 2) & 3) {
        case 0:
          this.k1 = w;
          break;
        case 1:
          this.k2 = w;
          break;
        case 2:
          this.k3 = w;
          break;
        default:
          this.k4 = w;
          this.block();
      }
    }
    while (i < end) this.byte(buf[i++]!);
  }

  /** Bytes start..end of `buf`, A-Z as a-z (ASCII spans only: the caller checked). */
  lowerAsciiBytes(buf: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      this.byte(b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
    }
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
    for (; n >= 1; n = Math.floor(n / 10)) DIGITS[k++] = 0x30 + (n % 10);
    while (k > 0) this.byte(DIGITS[--k]!);
  }

  private block(): void {
    let { h1, h2, h3, h4 } = this;
    let k1 = Math.imul(this.k1, C1);
    k1 = rotl(k1, 15);
    h1 ^= Math.imul(k1, C2);
    h1 = rotl(h1, 19) + h2;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    let k2 = Math.imul(this.k2, C2);
    k2 = rotl(k2, 16);
    h2 ^= Math.imul(k2, C3);
    h2 = rotl(h2, 17) + h3;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    let k3 = Math.imul(this.k3, C3);
    k3 = rotl(k3, 17);
    h3 ^= Math.imul(k3, C4);
    h3 = rotl(h3, 15) + h4;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    let k4 = Math.imul(this.k4, C4);
    k4 = rotl(k4, 18);
    h4 ^= Math.imul(k4, C1);
    h4 = rotl(h4, 13) + h1;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
    this.k1 = this.k2 = this.k3 = this.k4 = 0;
  }

  /** Ends the key: `hi` and `lo` are its hash. */
  finish(): this {
    let { h1, h2, h3, h4 } = this;
    const rest = this.length & 15;
    // The tail: the words filled so far, mixed in as the reference does (k4 down to k1).
    if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(this.k4, C4), 18), C1);
    if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(this.k3, C3), 17), C4);
    if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(this.k2, C2), 16), C3);
    if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(this.k1, C1), 15), C2);
    const len = this.length;
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
