import type { RowWriter } from './row-writer.js';

/**
 * What SpanMemo does, for a cell's bytes: the cell made from a field's bytes in a frame (or from two
 * fields' bytes: a market cap and a price), remembered by those bytes and written straight into a
 * row. In a running process (the socket, the scan and the output between two batches) the memory
 * is mostly out of the cache, and the cost of a lookup is the memory it touches: SpanMemo's hashes,
 * lengths, keys, values and each value's Buffer were five places. Here a lookup reads the hashes of
 * its set (four ways side by side, a quarter of a cache line), then the one slot whose hash matches,
 * which holds its key and its cell's bytes together. A cell too long for its slot (a hostile name
 * escaped, a long colour sequence) is kept apart; a key too long is not remembered.
 *
 * Four ways, replaced in turn: with two, a thousand values repeating in 4096 slots left one lookup
 * in twenty-five to remake its cell (three keys of a pair evicting each other), a fifth of a row's
 * time; with four ways and 8192 slots it is the first sightings only.
 */

/**
 * Bytes per slot: a 4-byte header (the key's length + 1 | the second key's length << 8 | the value's
 * length << 16; 0: empty), the key's bytes (then the second key's), the value's. A market cap and a
 * price with their cells take about 40; a name of 30 bytes with its cell about 60.
 */
const STRIDE = 128;
const HEADER = 4;
const WAYS = 4;
/** Longest key remembered (both keys), in bytes: a Solana address is at most 44. */
export const KEY_BYTES = 48;
/** A value length that says the value is in `long`, not in the slot. */
const LONG = 0xffff;

export class CellMemo {
  private readonly setMask: number;
  /** Each slot's hash, the ways of a set side by side. */
  private readonly tags: Int32Array;
  private readonly slab: Buffer;
  /** The slab as int32s: [slot * STRIDE / 4] is the slot's header. */
  private readonly info: Int32Array;
  private readonly long: (Buffer | undefined)[];
  /** Per set: the way replaced next. */
  private readonly next: Uint8Array;

  /** `slots`: a power of two, at least WAYS. */
  constructor(
    private readonly compute: (bytes: Buffer, start: number, end: number, start2: number, end2: number) => string,
    slots = 8192,
  ) {
    // Zeroed: every slot empty, and pages never used are never touched.
    const memory = new ArrayBuffer(slots * STRIDE);
    this.setMask = slots / WAYS - 1;
    this.tags = new Int32Array(slots);
    this.slab = Buffer.from(memory);
    this.info = new Int32Array(memory);
    this.long = new Array<Buffer | undefined>(slots).fill(undefined);
    this.next = new Uint8Array(slots / WAYS);
  }

  /**
   * Writes the cell for bytes[start, end) to `out`, made on first sight; for a memo of two fields'
   * cells, the cells for bytes[start, end) and bytes[start2, end2) (else pass 0, 0).
   */
  write(out: RowWriter, bytes: Buffer, start: number, end: number, start2: number, end2: number): void {
    const length = end - start;
    const length2 = end2 - start2;
    if (length + length2 > KEY_BYTES) {
      out.text(this.compute(bytes, start, end, start2, end2));
      return;
    }
    const h = keyHash(bytes, start, end, start2, end2);
    const first = ((h ^ (h >>> 16)) & this.setMask) * WAYS;
    const tags = this.tags;
    // The lengths as a slot's header has them: what a slot must hold before its bytes are compared.
    const lengths = length + 1 + (length2 << 8);
    let slot = first;
    if (!(tags[slot] === h && this.holds(slot, lengths, bytes, start, length, start2, length2))) {
      slot++;
      if (!(tags[slot] === h && this.holds(slot, lengths, bytes, start, length, start2, length2))) {
        slot++;
        if (!(tags[slot] === h && this.holds(slot, lengths, bytes, start, length, start2, length2))) {
          slot++;
          if (!(tags[slot] === h && this.holds(slot, lengths, bytes, start, length, start2, length2))) {
            slot = this.fill(first, h, lengths, bytes, start, end, start2, end2);
          }
        }
      }
    }

    const n = this.info[slot * (STRIDE >> 2)]! >>> 16;
    if (n === LONG) {
      out.put(this.long[slot]!);
      return;
    }
    out.room(n);
    const buf = out.buf;
    const slab = this.slab;
    const to = out.pos;
    const from = slot * STRIDE + HEADER + length + length2;
    for (let k = 0; k < n; k++) buf[to + k] = slab[from + k]!;
    out.pos = to + n;
  }

  private holds(slot: number, lengths: number, bytes: Buffer, start: number, length: number, start2: number, length2: number): boolean {
    if ((this.info[slot * (STRIDE >> 2)]! & 0xffff) !== lengths) return false;
    const slab = this.slab;
    const at = slot * STRIDE + HEADER;
    let k = 0;
    while (k < length && slab[at + k] === bytes[start + k]) k++;
    if (k < length) return false;
    const at2 = at + length;
    k = 0;
    while (k < length2 && slab[at2 + k] === bytes[start2 + k]) k++;
    return k === length2;
  }

  /** Makes the cell and keeps it in the way of the set (from `first`) replaced next; returns its slot. */
  private fill(first: number, h: number, lengths: number, bytes: Buffer, start: number, end: number, start2: number, end2: number): number {
    const value = this.compute(bytes, start, end, start2, end2);
    const set = first / WAYS;
    const way = this.next[set]!;
    this.next[set] = (way + 1) % WAYS;
    const slot = first + way;
    const slab = this.slab;
    let at = slot * STRIDE + HEADER;
    for (let i = start; i < end; i++) slab[at++] = bytes[i]!;
    for (let i = start2; i < end2; i++) slab[at++] = bytes[i]!;
    let n = Buffer.byteLength(value);
    if (at + n <= (slot + 1) * STRIDE) {
      slab.write(value, at);
      this.long[slot] = undefined;
    } else {
      this.long[slot] = Buffer.from(value, 'utf8');
      n = LONG;
    }
    this.tags[slot] = h;
    this.info[slot * (STRIDE >> 2)] = lengths + (n << 16);
    return slot;
  }
}

/** The hash a CellMemo finds a key by. FNV-1a: cheap, and a collision only costs a recomputation (the bytes are compared). */
function keyHash(bytes: Buffer, start: number, end: number, start2: number, end2: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  for (let i = start2; i < end2; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}
