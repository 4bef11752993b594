/**
 * What memo.ts does for strings, for the bytes of a field in a frame: a human format prints a
 * call's symbol, name, caller, platform and address, and decoding each from the frame costs a
 * native call and a string; looking its bytes up costs a hash and a compare over a few bytes.
 * Two-way set-associative: a key may sit in either slot of its pair, and a new key replaces the one
 * of the pair used less recently, so memory is fixed, a stream of all-new values only overwrites,
 * and two keys that hash to the same pair do not evict each other (with one slot per key, a fifth
 * of a thousand values repeating would). Keys longer than KEY_BYTES are not remembered (computed
 * each time).
 */

/** Longest key remembered, in bytes: a Solana address is at most 44. */
const KEY_BYTES = 48;

export class SpanMemo<V> {
  private readonly mask: number;
  private readonly hashes: Int32Array;
  private readonly lengths: Int32Array;
  /** Every slot's key bytes, KEY_BYTES apart. */
  private readonly keys: Uint8Array;
  private readonly values: (V | undefined)[];
  /** Per pair: the slot (0 or 1) used last; the other one is replaced. */
  private readonly recent: Uint8Array;

  /** `slots`: a power of two, at least 2. */
  constructor(
    private readonly compute: (bytes: Buffer, start: number, end: number) => V,
    slots = 4096,
  ) {
    this.mask = slots - 1;
    this.hashes = new Int32Array(slots);
    this.lengths = new Int32Array(slots).fill(-1);
    this.keys = new Uint8Array(slots * KEY_BYTES);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    this.recent = new Uint8Array(slots >> 1);
  }

  /** The value for bytes[start, end), computed on first sight. */
  get(bytes: Buffer, start: number, end: number): V {
    const length = end - start;
    if (length > KEY_BYTES) return this.compute(bytes, start, end);
    // FNV-1a: cheap, and a collision only costs a recomputation (the bytes are compared).
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const pair = ((h ^ (h >>> 16)) & this.mask) >> 1;
    if (this.holds(pair << 1, h, bytes, start, length)) {
      this.recent[pair] = 0;
      return this.values[pair << 1]!;
    }
    if (this.holds((pair << 1) | 1, h, bytes, start, length)) {
      this.recent[pair] = 1;
      return this.values[(pair << 1) | 1]!;
    }
    const value = this.compute(bytes, start, end);
    const way = this.recent[pair]! ^ 1;
    const slot = (pair << 1) | way;
    this.recent[pair] = way;
    const at = slot * KEY_BYTES;
    this.hashes[slot] = h;
    this.lengths[slot] = length;
    const keys = this.keys;
    for (let k = 0; k < length; k++) keys[at + k] = bytes[start + k]!;
    this.values[slot] = value;
    return value;
  }

  private holds(slot: number, h: number, bytes: Buffer, start: number, length: number): boolean {
    if (this.hashes[slot] !== h || this.lengths[slot] !== length) return false;
    const keys = this.keys;
    const at = slot * KEY_BYTES;
    let k = 0;
    while (k < length && keys[at + k] === bytes[start + k]) k++;
    return k === length;
  }
}
