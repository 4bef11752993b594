/**
 * What memo.ts does for strings, for the bytes of a field in a frame: a human format prints a
 * call's symbol, name, caller, platform and address, and decoding each from the frame costs a
 * native call and a string; looking its bytes up costs a hash and a compare over a few bytes.
 * Direct-mapped: a slot holds the last key that hashed to it, so memory is fixed and a stream of
 * all-new values only overwrites. Keys longer than KEY_BYTES are not remembered (computed each time).
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

  /** `slots`: a power of two. */
  constructor(
    private readonly compute: (bytes: Buffer, start: number, end: number) => V,
    slots = 4096,
  ) {
    this.mask = slots - 1;
    this.hashes = new Int32Array(slots);
    this.lengths = new Int32Array(slots).fill(-1);
    this.keys = new Uint8Array(slots * KEY_BYTES);
    this.values = new Array<V | undefined>(slots).fill(undefined);
  }

  /** The value for bytes[start, end), computed on first sight. */
  get(bytes: Buffer, start: number, end: number): V {
    const length = end - start;
    if (length > KEY_BYTES) return this.compute(bytes, start, end);
    // FNV-1a: cheap, and a collision only costs a recomputation (the bytes are compared).
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & this.mask;
    const keys = this.keys;
    const at = slot * KEY_BYTES;
    if (this.hashes[slot] === h && this.lengths[slot] === length) {
      let k = 0;
      while (k < length && keys[at + k] === bytes[start + k]) k++;
      if (k === length) return this.values[slot]!;
    }
    const value = this.compute(bytes, start, end);
    this.hashes[slot] = h;
    this.lengths[slot] = length;
    for (let k = 0; k < length; k++) keys[at + k] = bytes[start + k]!;
    this.values[slot] = value;
    return value;
  }
}
