/**
 * The calls a window holds live in rings of columns (typed arrays, and arrays of the few objects a
 * call points to), indexed by a call's sequence number masked to the ring's size: no object per
 * call. When a ring fills it doubles, and each held call (sequence numbers head..tail-1) moves to
 * its slot in the bigger one. Heating up (heat.ts) and the caller board (caller-board.ts) both
 * keep their windows so.
 */

/** A view of a ring's move: the held calls, and the old and new masks. */
export interface RingMove {
  head: number;
  tail: number;
  oldMask: number;
  /** The new size, a power of 2. */
  cap: number;
}

/** A column of numbers, moved into a ring of `cap` slots. */
export function movedColumn(from: Float64Array<ArrayBuffer>, m: RingMove): Float64Array<ArrayBuffer> {
  const to = new Float64Array(m.cap);
  const mask = m.cap - 1;
  for (let s = m.head; s < m.tail; s++) to[s & mask] = from[s & m.oldMask]!;
  return to;
}

/** A column of references, moved into a ring of `cap` slots; `empty` in the others. */
export function movedRefs<T>(from: readonly T[], m: RingMove, empty: T): T[] {
  const to = new Array<T>(m.cap).fill(empty);
  const mask = m.cap - 1;
  for (let s = m.head; s < m.tail; s++) to[s & mask] = from[s & m.oldMask] ?? empty;
  return to;
}
