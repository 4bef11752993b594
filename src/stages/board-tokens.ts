import { grown, KeyTable } from './bounded-map.js';

/**
 * The caller board's tokens with a held call: the same compact store as dedupe and multi-call (a
 * KeyTable of 64-bit hashes of the token's bytes, hashed from the frame without a string), each
 * token's state in columns indexed by its entry. An entry lives while its token has a held call:
 * the board removes it when the last one settles, so the table never holds more than the calls
 * within the horizon and never evicts (`max` is out of reach).
 *
 * Sequence numbers (the board's order of add) are kept as doubles: a long run passes 2^31.
 */

/** A new token's queues until its first call: never pushed to (replaced by an array of its own). */
export const NO_CALLS: number[] = [];

export class BoardTokens extends KeyTable {
  /** Its held calls, a linked list through the board's `nextInToken`. */
  head: Float64Array;
  tail: Float64Array;
  /** Followers of the call before `head` (the running sum of the difference array). */
  base: Float64Array;
  /** The first of the calls that no other caller followed yet: all of them to `tail` by one caller. */
  pendingFrom: Float64Array;
  /**
   * Monotonic queue from `monoHead`: calls with a market cap, the market caps decreasing. Made
   * with its first call (most tokens have one): an empty array grown by push reserves seventeen.
   */
  mono: number[][] = [];
  monoHead: Int32Array;
  /**
   * Pairs of caller index and its last held call of this token, for the callers with a held call.
   * A token has few callers: a scan of a small array beats a Map, and allocates nothing per call.
   */
  callers: number[][] = [];
  /** The symbol of its latest ranked call: the string its held calls share. */
  symbol: (string | null)[] = [];
  /** Its address, read once from its first ranked call (a best call names it); null before. */
  address: (string | null)[] = [];

  constructor() {
    super(0x7fffffff);
    const n = this.hi.length;
    this.head = new Float64Array(n);
    this.tail = new Float64Array(n);
    this.base = new Float64Array(n);
    this.pendingFrom = new Float64Array(n);
    this.monoHead = new Int32Array(n);
  }

  protected override resize(capacity: number): void {
    this.head = grown(this.head, capacity);
    this.tail = grown(this.tail, capacity);
    this.base = grown(this.base, capacity);
    this.pendingFrom = grown(this.pendingFrom, capacity);
    this.monoHead = grown(this.monoHead, capacity);
  }

  /** The token's entry, a fresh one (no held calls) when it has none; `created` tells which. */
  open(hi: number, lo: number): number {
    const e = this.locate(hi, lo);
    if (this.created) {
      this.head[e] = this.tail[e] = this.pendingFrom[e] = -1;
      this.base[e] = 0;
      this.monoHead[e] = 0;
      this.mono[e] = NO_CALLS;
      this.callers[e] = NO_CALLS;
      this.symbol[e] = null;
      this.address[e] = null;
    }
    return e;
  }

  /** Forgets a token whose last held call settled; its arrays and strings go with it. */
  close(e: number): void {
    this.mono[e] = NO_CALLS;
    this.callers[e] = NO_CALLS;
    this.symbol[e] = null;
    this.address[e] = null;
    this.remove(e);
  }
}
