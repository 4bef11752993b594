import type { RowWriter } from './row-writer.js';

/**
 * The time cell of a row by the second it shows, as bytes: what the clock does for a string, laid
 * out for a row that has the second as a number and wants bytes. A second's slot is the second
 * modulo SLOTS (a bit over two hours of them, as the clock keeps), and holds the second and the
 * cell's bytes side by side: one place in memory a lookup, no hash, no key to compare.
 */

/** Seconds remembered: a power of two. */
const SLOTS = 8192;
/** Bytes per slot: the second + 1 as a double (0: empty), the cell's length, its bytes. */
const SLOT_BYTES = 32;
const LENGTH_AT = 8;
const CELL_AT = 9;
/** A cell longer than this is not kept: it is made each time (no style of ours is that long). */
const CELL_BYTES = SLOT_BYTES - CELL_AT;

export class SecondCells {
  private readonly slab: Buffer;
  private readonly seconds: Float64Array;
  /** `make`: the cell of a second (a whole number, at least 0). */
  constructor(private readonly make: (second: number) => string) {
    const memory = new ArrayBuffer(SLOTS * SLOT_BYTES);
    this.slab = Buffer.from(memory);
    this.seconds = new Float64Array(memory);
  }

  write(out: RowWriter, second: number): void {
    const slot = second & (SLOTS - 1);
    const at = slot * SLOT_BYTES;
    const slab = this.slab;
    if (this.seconds[slot * (SLOT_BYTES >> 3)] !== second + 1) {
      const cell = this.make(second);
      const n = Buffer.byteLength(cell);
      if (n > CELL_BYTES) {
        out.text(cell);
        return;
      }
      slab.write(cell, at + CELL_AT);
      slab[at + LENGTH_AT] = n;
      this.seconds[slot * (SLOT_BYTES >> 3)] = second + 1;
    }
    const n = slab[at + LENGTH_AT]!;
    out.room(n);
    const buf = out.buf;
    const to = out.pos;
    for (let k = 0; k < n; k++) buf[to + k] = slab[at + CELL_AT + k]!;
    out.pos = to + n;
  }
}
