import { Hasher } from './hash64.js';

/**
 * Memory that stays bounded whatever the feed sends, and holds no object per key: keys are 64-bit
 * hashes (hash64.ts) in typed arrays, at most `max` of them, the least recently seen forgotten
 * first (and counted). Time is always passed in, from the messages' arrival, so a replay of a
 * capture ages keys exactly as the live run did.
 *
 * The design, in a few lines: an entry is an index into parallel typed arrays (the hash's two
 * halves, the recency links, and whatever its owner keeps beside them). An open-addressing table
 * (linear probing, at most half full, deletion by backward shift so no tombstones pile up) maps a
 * hash to its entry. Recency is an intrusive doubly linked list of entry indexes (Int32Array prev
 * and next), so reading a key, making it the most recent and evicting the oldest are O(1) and
 * allocate nothing. The arrays grow by doubling up to `max` entries, so a small run stays small.
 */

/** --state-max by default: most keys, and most token windows and their calls, held. */
export const DEFAULT_STATE_MAX = 100_000;

const FIRST_CAPACITY = 1024;
const NONE = -1;

/** Hash → entry, with recency; subclasses keep their own columns and grow them in resize(). */
export class KeyTable {
  readonly max: number;
  size = 0;
  /** Entries forgotten to stay within `max`. */
  evictions = 0;
  /** The least and the most recently seen entries; NONE (-1) when empty. */
  oldest = NONE;
  newest = NONE;
  hi: Int32Array;
  lo: Int32Array;
  /** Toward the least recently seen; for a free entry, the next free one (in `next`). */
  prev: Int32Array;
  next: Int32Array;
  private table: Int32Array;
  private mask: number;
  /** 32 - log2(table size): the top bits of a product pick the slot. */
  private shift: number;
  private capacity: number;
  /** Entries ever handed out, below capacity; freed ones are reused first. */
  private used = 0;
  private free = NONE;

  constructor(max: number) {
    if (!(max >= 1) || !Number.isInteger(max)) throw new RangeError(`bounded store: max must be a whole number of at least 1, not ${max}`);
    this.max = max;
    this.capacity = Math.min(max, FIRST_CAPACITY);
    this.hi = new Int32Array(this.capacity);
    this.lo = new Int32Array(this.capacity);
    this.prev = new Int32Array(this.capacity);
    this.next = new Int32Array(this.capacity);
    this.mask = tableSize(this.capacity) - 1;
    this.shift = 32 - Math.log2(this.mask + 1);
    this.table = new Int32Array(2 * (this.mask + 1));
  }

  /** The entry of the hash, or -1. */
  find(hi: number, lo: number): number {
    return this.findMixed(hi | 0, lo | 0, mix(hi | 0, lo | 0));
  }

  /** find() of a hash (as int32 halves) whose mix() is `m`: a lookup that may insert computes it once. */
  protected findMixed(hi: number, lo: number, m: number): number {
    const { table, mask } = this;
    for (let slot = (m >>> 0) >>> this.shift; ; slot = (slot + 1) & mask) {
      const e = table[2 * slot]! - 1;
      if (e === NONE) return NONE;
      // The slot's own mix first: a key not held is told without reading any entry.
      if (table[2 * slot + 1] === m && this.lo[e] === lo && this.hi[e] === hi) return e;
    }
  }

  /**
   * A new entry for a hash not held, the most recent. At `max` entries the least recently seen is
   * forgotten first (evicted() tells the owner).
   */
  insert(hi: number, lo: number): number {
    return this.insertMixed(hi | 0, lo | 0, mix(hi | 0, lo | 0));
  }

  /** Whether the last locate() made a new entry. */
  created = false;

  /** The entry of the hash, made (the most recent) when absent, as `created` then says: one mix(). */
  locate(hi: number, lo: number): number {
    hi |= 0;
    lo |= 0;
    const m = mix(hi, lo);
    const e = this.findMixed(hi, lo, m);
    this.created = e === NONE;
    return e === NONE ? this.insertMixed(hi, lo, m) : e;
  }

  protected insertMixed(hi: number, lo: number, m: number): number {
    let e: number;
    if (this.size >= this.max) {
      // The least recently seen makes room, and its entry is the new one's: no trip through the free list.
      e = this.oldest;
      this.evicted(e);
      this.unplace(e);
      this.unlink(e);
      this.evictions++;
    } else {
      e = this.free;
      if (e !== NONE) this.free = this.next[e]!;
      else {
        if (this.used === this.capacity) this.grow();
        e = this.used++;
      }
      this.size++;
    }
    this.hi[e] = hi;
    this.lo[e] = lo;
    this.place(e, m);
    this.link(e);
    return e;
  }

  /** Makes the entry the most recently seen. */
  touch(e: number): void {
    if (e === this.newest) return;
    this.unlink(e);
    this.link(e);
  }

  remove(e: number): void {
    this.unplace(e);
    this.unlink(e);
    this.next[e] = this.free;
    this.free = e;
    this.size--;
  }

  clear(): void {
    this.table.fill(0);
    this.size = this.used = 0;
    this.oldest = this.newest = this.free = NONE;
  }

  /** The owner forgets what it keeps for an entry about to be evicted. */
  protected evicted(_e: number): void {}

  /** The owner grows its columns to `capacity` entries (copying the first `used`). */
  protected resize(_capacity: number): void {}

  private grow(): void {
    const capacity = Math.min(this.max, this.capacity * 2);
    this.hi = grown(this.hi, capacity);
    this.lo = grown(this.lo, capacity);
    this.prev = grown(this.prev, capacity);
    this.next = grown(this.next, capacity);
    this.resize(capacity);
    this.capacity = capacity;
    const size = tableSize(capacity);
    if (size !== this.mask + 1) {
      const old = this.table;
      this.mask = size - 1;
      this.shift = 32 - Math.log2(size);
      this.table = new Int32Array(2 * size);
      for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.place(old[i]! - 1, old[i + 1]!);
    }
  }

  /** A slot holds its entry (+1, 0 when empty) and the entry's mix(): probes and shifts read only the table. */
  private place(e: number, m: number): void {
    const { table, mask } = this;
    let slot = (m >>> 0) >>> this.shift;
    while (table[2 * slot] !== 0) slot = (slot + 1) & mask;
    table[2 * slot] = e + 1;
    table[2 * slot + 1] = m;
  }

  /** Takes the entry out of the table, shifting back the entries that probed past it. */
  private unplace(e: number): void {
    const { table, mask, shift } = this;
    let hole = (mix(this.hi[e]!, this.lo[e]!) >>> 0) >>> shift;
    while (table[2 * hole] !== e + 1) hole = (hole + 1) & mask;
    table[2 * hole] = 0;
    for (let slot = (hole + 1) & mask; table[2 * slot] !== 0; slot = (slot + 1) & mask) {
      const home = (table[2 * slot + 1]! >>> 0) >>> shift;
      // An entry may move back into the hole only if its home is not between the hole and it.
      const between = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
      if (!between) {
        table[2 * hole] = table[2 * slot]!;
        table[2 * hole + 1] = table[2 * slot + 1]!;
        table[2 * slot] = 0;
        hole = slot;
      }
    }
  }

  private link(e: number): void {
    this.prev[e] = this.newest;
    this.next[e] = NONE;
    if (this.newest !== NONE) this.next[this.newest] = e;
    else this.oldest = e;
    this.newest = e;
  }

  private unlink(e: number): void {
    const p = this.prev[e]!;
    const n = this.next[e]!;
    if (p !== NONE) this.next[p] = n;
    else this.oldest = n;
    if (n !== NONE) this.prev[n] = p;
    else this.newest = p;
  }
}

/**
 * Both halves of a hash multiplied through (Fibonacci hashing): its top bits pick the slot where a
 * probe starts, so even keys that differ only in their low bits (tests, crafted input) do not form
 * one long run; all 32 bits, kept in the slot, tell most other keys apart without their entry.
 */
function mix(hi: number, lo: number): number {
  return Math.imul(hi ^ Math.imul(lo, 0x85ebca6b), 0x9e3779b1);
}

/** A power of two at least twice `capacity`: the table stays at most half full. */
function tableSize(capacity: number): number {
  let size = 16;
  while (size < capacity * 2) size *= 2;
  return size;
}

export function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}

const keyHasher = new Hasher();

/**
 * Keys remembered for `ttlMs` from their first sighting (`now - first < ttlMs`), at most `max` of
 * them. Seeing a key again makes it recent but does not extend its life: --dedupe-ttl counts from
 * the first output.
 *
 * Each key carries its addition number (`changes` when it was added): keys up to `committed` are
 * known to have their lines written for good, and only those are saved (a state file saves a key
 * only once the outputs kept its line).
 */
export class SeenKeys extends KeyTable {
  readonly ttlMs: number;
  first: Float64Array;
  last: Float64Array;
  seq: Float64Array;
  /** The latest time passed in: what "now" is when the keys are saved. */
  latest = -Infinity;
  /** Bumped by every new key, so a saver knows whether anything changed. */
  changes = 0;
  /** Keys added up to this `changes` count may be saved. */
  committed = 0;

  constructor(options: { max: number; ttlMs: number }) {
    super(options.max);
    this.ttlMs = options.ttlMs;
    this.first = new Float64Array(this.hi.length);
    this.last = new Float64Array(this.hi.length);
    this.seq = new Float64Array(this.hi.length);
  }

  protected override resize(capacity: number): void {
    this.first = grown(this.first, capacity);
    this.last = grown(this.last, capacity);
    this.seq = grown(this.seq, capacity);
  }

  /** Whether the hash is remembered at `now`; a hit is a sighting. An expired key is forgotten. */
  hasHash(hi: number, lo: number, now: number): boolean {
    if (now > this.latest) this.latest = now;
    const e = this.find(hi, lo);
    if (e === -1) return false;
    if (!(now - this.first[e]! < this.ttlMs)) {
      this.remove(e);
      return false;
    }
    if (now > this.last[e]!) this.last[e] = now;
    this.touch(e);
    return true;
  }

  /**
   * Remembers the hash as seen at `now`, the most recent; a key already remembered keeps its first
   * sighting. Returns the key's addition number (forgetHash() takes it), 0 when it was held.
   */
  addHash(hi: number, lo: number, now: number): number {
    // What see() does: it answers 0 for a key remembered at `now`, and adds any other.
    return this.see(hi, lo, now);
  }

  /**
   * One lookup for what dedupe asks of every call: 0 when the key is remembered at `now` (a
   * sighting: it becomes the most recent), else the key is added and its addition number returned.
   */
  see(hi: number, lo: number, now: number): number {
    if (now > this.latest) this.latest = now;
    hi |= 0;
    lo |= 0;
    const m = mix(hi, lo);
    let e = this.findMixed(hi, lo, m);
    if (e !== -1) {
      if (now - this.first[e]! < this.ttlMs) {
        if (now > this.last[e]!) this.last[e] = now;
        this.touch(e);
        return 0;
      }
      this.remove(e);
    }
    e = this.insertMixed(hi, lo, m);
    const seq = ++this.changes;
    this.first[e] = this.last[e] = now;
    this.seq[e] = seq;
    return seq;
  }

  /** Forgets the key if it is still the one addHash() numbered `seq` (its line was never written). */
  forgetHash(hi: number, lo: number, seq: number): void {
    const e = this.find(hi, lo);
    if (e !== -1 && this.seq[e] === seq) this.remove(e);
  }

  /** Keys added up to `changes` count `upTo` may now be saved. */
  commit(upTo = this.changes): void {
    if (upTo > this.committed) this.committed = upTo;
  }

  /** Whether the entry is alive at `now` (-Infinity: always). */
  alive(e: number, now: number): boolean {
    return now === -Infinity || now - this.first[e]! < this.ttlMs;
  }

  /**
   * Puts back a key read from a file or merged from another run, as the most recent (call in order,
   * least recently seen first). A key already held keeps the earlier first and the later last
   * sighting and the smaller addition number. Expired ones are left out.
   */
  restore(hi: number, lo: number, first: number, last: number, seq: number, now = this.latest): void {
    if (!(now === -Infinity || now - first < this.ttlMs)) return;
    let e = this.find(hi, lo);
    if (e === -1) {
      e = this.insert(hi, lo);
      this.first[e] = first;
      this.last[e] = last;
      this.seq[e] = seq;
      return;
    }
    if (first < this.first[e]!) this.first[e] = first;
    if (last > this.last[e]!) this.last[e] = last;
    if (seq < this.seq[e]!) this.seq[e] = seq;
    this.touch(e);
  }

  // Keys as strings (their UTF-8 hashed): for tests and the library, never the hot path.

  has(key: string, now: number): boolean {
    keyHasher.reset().string(key);
    keyHasher.finish();
    return this.hasHash(keyHasher.hi, keyHasher.lo, now);
  }

  add(key: string, now: number): number {
    keyHasher.reset().string(key);
    keyHasher.finish();
    return this.addHash(keyHasher.hi, keyHasher.lo, now);
  }
}
