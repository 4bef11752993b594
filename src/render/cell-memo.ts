import type { RowWriter } from './row-writer.js';

/**
 * What SpanMemo does, for a cell's bytes: the cell made from a field's bytes in a frame, remembered
 * by those bytes and written straight into a row. A row looks up seven cells; with the key, the
 * value's length and the value's bytes in separate arrays (and the value a Buffer of its own), each
 * lookup touched five places in memory, most of them out of the cache once a feed has a few hundred
 * distinct values: the lookups were most of the time of `-f lines`. Here a slot holds its hash, its
 * key and its cell's bytes side by side in one slab, a cache line or two. A cell too long for its
 * slot is kept apart (a hostile name escaped, a long colour sequence); a key too long is not
 * remembered. Two-way set-associative as SpanMemo, for the same reason.
 */

/** Bytes per slot: an 8-byte header (hash; key and value lengths), then the key, then the value. */
const STRIDE = 128;
const HEADER = 8;
/** Longest key remembered, in bytes: a Solana address is at most 44. */
const KEY_BYTES = 48;
/** A value length that says the value is in `long`, not in the slot. */
const LONG = 0xffff;

export class CellMemo {
  private readonly mask: number;
  private readonly slab: Buffer;
  /** The slab as int32s: [slot * STRIDE / 4] the hash, [+ 1] key length | value length << 16 (-1: empty). */
  private readonly meta: Int32Array;
  private readonly long: (Buffer | undefined)[];
  /** Per pair: the slot (0 or 1) used last; the other one is replaced. */
  private readonly recent: Uint8Array;

  /** `slots`: a power of two, at least 2. */
  constructor(
    private readonly compute: (bytes: Buffer, start: number, end: number) => string,
    slots = 4096,
  ) {
    const memory = new ArrayBuffer(slots * STRIDE);
    this.mask = slots - 1;
    this.slab = Buffer.from(memory);
    this.meta = new Int32Array(memory);
    for (let slot = 0; slot < slots; slot++) this.meta[slot * (STRIDE >> 2) + 1] = -1;
    this.long = new Array<Buffer | undefined>(slots).fill(undefined);
    this.recent = new Uint8Array(slots >> 1);
  }

  /** Writes the cell for bytes[start, end) to `out`, made on first sight. */
  write(out: RowWriter, bytes: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length > KEY_BYTES) {
      out.text(this.compute(bytes, start, end));
      return;
    }
    // FNV-1a: cheap, and a collision only costs a recomputation (the bytes are compared).
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const pair = ((h ^ (h >>> 16)) & this.mask) >> 1;
    let slot = pair << 1;
    if (this.holds(slot, h, bytes, start, length)) this.recent[pair] = 0;
    else if (this.holds(++slot, h, bytes, start, length)) this.recent[pair] = 1;
    else slot = this.fill(pair, h, bytes, start, end);

    const info = this.meta[slot * (STRIDE >> 2) + 1]!;
    const n = info >>> 16;
    if (n === LONG) {
      out.put(this.long[slot]!);
      return;
    }
    out.room(n);
    const buf = out.buf;
    const slab = this.slab;
    const to = out.pos;
    const from = slot * STRIDE + HEADER + length;
    for (let k = 0; k < n; k++) buf[to + k] = slab[from + k]!;
    out.pos = to + n;
  }

  private holds(slot: number, h: number, bytes: Buffer, start: number, length: number): boolean {
    const m = slot * (STRIDE >> 2);
    const meta = this.meta;
    if (meta[m] !== h || (meta[m + 1]! & 0xffff) !== length) return false;
    const slab = this.slab;
    const at = slot * STRIDE + HEADER;
    let k = 0;
    while (k < length && slab[at + k] === bytes[start + k]) k++;
    return k === length;
  }

  /** Makes the cell and keeps it in the pair's less recently used slot; returns that slot. */
  private fill(pair: number, h: number, bytes: Buffer, start: number, end: number): number {
    const length = end - start;
    const value = this.compute(bytes, start, end);
    const way = this.recent[pair]! ^ 1;
    const slot = (pair << 1) | way;
    this.recent[pair] = way;
    const slab = this.slab;
    const at = slot * STRIDE + HEADER;
    for (let k = 0; k < length; k++) slab[at + k] = bytes[start + k]!;
    let n = Buffer.byteLength(value);
    if (HEADER + length + n <= STRIDE) {
      slab.write(value, at + length);
      this.long[slot] = undefined;
    } else {
      this.long[slot] = Buffer.from(value, 'utf8');
      n = LONG;
    }
    const m = slot * (STRIDE >> 2);
    this.meta[m] = h;
    this.meta[m + 1] = length | (n << 16);
    return slot;
  }
}
