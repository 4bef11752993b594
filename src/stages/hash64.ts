/**
 * 64-bit hashes of identity bytes: written in pieces (spans of a frame, separators, a lower-cased
 * name) into a scratch by their reader (KEY, putBytes(), finishKey()), or, for a key that is one
 * span of a frame (a token), read where it lies (span()); never built as a string. A key that is
 * a string (a call already parsed, the tests) is hashed as its UTF-8 (string(), finish()).
 *
 * The hash is MurmurHash3_x86_128 (Austin Appleby, public domain), of which the first 64 bits are
 * kept. Why this one: it passes SMHasher (every output bit depends on every input bit, no weak
 * seeds or lengths), so n keys falsely collide with probability about n²/2⁶⁵, as for an ideal
 * 64-bit hash; and its x86 variant needs only 32-bit multiplies (Math.imul), so it runs on plain
 * JS numbers, no BigInt and no allocation. (FNV-1a is smaller but weaker in its high bits and
 * needs 64-bit multiplies; xxhash64 and wyhash need 64-bit ones too.) It is also what --state
 * files of version 2 hold: a cheaper hash would leave every saved key unmatched, so the work went
 * into computing this one faster (words read and written whole, no copy of a token, a key's
 * offset kept in its writer's local), with the reference's values (the tests' vectors) unchanged.
 *
 * The result is two uint32 halves, `hi` and `lo`, read after finish() or span(). One hasher is
 * reused for every key: the stages are synchronous, so no two keys are hashed at once.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The scratch a key is written into by its reader, at offsets it keeps in a local (putBytes() and
 * the rest return the next offset), then hashed by Hasher.finishKey(). One for all: the stages are
 * synchronous, so no two keys are written at once. A call's key is gathered from five spans;
 * writing it through a hasher's methods, its offset kept in a field, took a third longer. A key
 * longer than KEY_MAX bytes is hashed as a string instead (the same hash).
 */
export const KEY_MAX = 1024;
/** 16 bytes more than KEY_MAX: finishKey() reads a tail's four words whole. */
export const KEY = new Uint8Array(KEY_MAX + 16);
const KEY_VIEW = new DataView(KEY.buffer);
const KEY_WORDS = new Int32Array(KEY.buffer);

/**
 * Bytes start..end of `src` into KEY at `n`, four at a time stored as one (unaligned) word (a store
 * per byte made hashing a call's key about a sixth slower); the next offset.
 */
export function putBytes(n: number, src: Uint8Array, start: number, end: number): number {
  let i = start;
  for (; i + 4 <= end; i += 4, n += 4) KEY_VIEW.setInt32(n, src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24), true);
  for (; i < end; i++) KEY[n++] = src[i]!;
  return n;
}

/** putBytes() with A-Z as a-z (ASCII spans only: the caller checked). */
export function putLowerAscii(n: number, src: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    KEY[n++] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
  }
  return n;
}

/** The decimal digits of a length (0 to 2^31 - 1) into KEY at `n`; the next offset. */
export function putLength(n: number, v: number): number {
  if (v < 10) {
    KEY[n] = 0x30 + v;
    return n + 1;
  }
  if (v < 100) {
    const tens = (v / 10) | 0;
    KEY[n] = 0x30 + tens;
    KEY[n + 1] = 0x30 + v - tens * 10;
    return n + 2;
  }
  return putLongLength(n, v);
}

// Apart, so that the usual one or two digits stay small enough to be inlined where they are written.
function putLongLength(n: number, v: number): number {
  let end = n;
  for (let m = v; m > 0; m = (m / 10) | 0) end++;
  for (let p = end - 1, m = v; p >= n; p--) {
    const q = (m / 10) | 0;
    KEY[p] = 0x30 + m - q * 10;
    m = q;
  }
  return end;
}

/** The decimal length of a length (0 to 2^31 - 1): what putLength() writes. */
export function lengthDigits(v: number): number {
  let digits = 1;
  for (; v >= 10; v = (v / 10) | 0) digits++;
  return digits;
}

export class Hasher {
  /**
   * A string key's bytes, gathered first and hashed in one pass at finish(): copying is a store,
   * while mixing pieces of every length into 16-byte blocks as they come would cost a branch or two
   * a byte. `words` views the scratch, aligned: finish() reads a word as one load, not as four byte
   * loads, shifts and ors. Its length is a multiple of 16, so a tail's four words are in bounds.
   */
  private buf = new Uint8Array(256);
  private words = new Int32Array(this.buf.buffer);
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

  private byte(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
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

  private grow(more: number): void {
    const bigger = new Uint8Array((Math.max(this.buf.length * 2, this.length + more) + 15) & ~15);
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
    this.words = new Int32Array(bigger.buffer);
  }

  /** Hashes the bytes gathered: `hi` and `lo` are the key's hash. */
  finish(): this {
    return this.hashWords(this.words, this.length, this.seed);
  }

  /** Hashes the first `n` bytes of KEY (written by putBytes() and the rest), seed 0. */
  finishKey(n: number): this {
    return this.hashWords(KEY_WORDS, n, 0);
  }

  private hashWords(w: Int32Array, len: number, seed: number): this {
    let h1 = seed;
    let h2 = h1;
    let h3 = h1;
    let h4 = h1;
    const rest = len & 15;
    const q = (len & ~15) >> 2;
    for (let i = 0; i < q; i += 4) {
      const k1 = Math.imul(rotl(Math.imul(word(w, i), C1), 15), C2);
      h1 ^= k1;
      h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
      const k2 = Math.imul(rotl(Math.imul(word(w, i + 1), C2), 16), C3);
      h2 ^= k2;
      h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
      const k3 = Math.imul(rotl(Math.imul(word(w, i + 2), C3), 17), C4);
      h3 ^= k3;
      h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
      const k4 = Math.imul(rotl(Math.imul(word(w, i + 3), C4), 18), C1);
      h4 ^= k4;
      h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    }
    // The tail: up to 15 bytes, as four little-endian words of the bytes there are.
    if (rest === 0) return this.end(h1, h2, h3, h4, 0, 0, 0, 0, len);
    return this.end(h1, h2, h3, h4, lowBytes(word(w, q), rest), lowBytes(word(w, q + 1), rest - 4), lowBytes(word(w, q + 2), rest - 8), lowBytes(word(w, q + 3), rest - 12), len);
  }

  /**
   * The hash of bytes start..end of `src` alone, read where they lie: what reset(), bytes() and
   * finish() give, without copying them first (a token's key is its address's bytes).
   */
  span(src: Uint8Array, start: number, end: number): this {
    const len = end - start;
    let h1 = 0;
    let h2 = 0;
    let h3 = 0;
    let h4 = 0;
    const blocksEnd = start + (len & ~15);
    for (let i = start; i < blocksEnd; i += 16) {
      const k1 = Math.imul(rotl(Math.imul(le32(src, i), C1), 15), C2);
      h1 ^= k1;
      h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
      const k2 = Math.imul(rotl(Math.imul(le32(src, i + 4), C2), 16), C3);
      h2 ^= k2;
      h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
      const k3 = Math.imul(rotl(Math.imul(le32(src, i + 8), C3), 17), C4);
      h3 ^= k3;
      h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
      const k4 = Math.imul(rotl(Math.imul(le32(src, i + 12), C4), 18), C1);
      h4 ^= k4;
      h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    }
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let i = blocksEnd; i < end; i++) {
      const at = i - blocksEnd;
      const v = src[i]! << ((at & 3) << 3);
      if (at < 4) k1 |= v;
      else if (at < 8) k2 |= v;
      else if (at < 12) k3 |= v;
      else k4 |= v;
    }
    return this.end(h1, h2, h3, h4, k1, k2, k3, k4, len);
  }

  /** The tail's words (zero past the key's end) and the finalisation: sets `hi` and `lo`. */
  private end(h1: number, h2: number, h3: number, h4: number, k1: number, k2: number, k3: number, k4: number, len: number): this {
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

/** Four bytes of `b` from `i` as a little-endian word. */
const le32 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** Whether words are stored little-endian, as MurmurHash3 reads them: almost every machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Word `i` of the scratch as little-endian. */
const word = (w: Int32Array, i: number): number => (LITTLE_ENDIAN ? w[i]! : swap(w[i]!));

const swap = (x: number): number => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/** The low `n` bytes (0 to 4) of a little-endian word; the bytes past the key's end are not its own. */
const lowBytes = (w: number, n: number): number => (n >= 4 ? w : n <= 0 ? 0 : w & ((1 << (n << 3)) - 1));

/** The 16 hex digits of a hash, as the state file and the tests write it. */
export const hashHex = (hi: number, lo: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');

const shared = new Hasher();

/** The hash of a string's UTF-8 (tests, the state file's conversion): [hi, lo]. */
export function hashString(s: string): [hi: number, lo: number] {
  shared.reset().string(s);
  shared.finish();
  return [shared.hi, shared.lo];
}
