/**
 * Memory that stays bounded whatever the feed sends: a count of entries at most, the least recently
 * seen forgotten first (and counted). Time is always passed in, from the messages' arrival, so a
 * replay of a capture ages keys exactly as the live run did.
 */

/** --state-max by default: most keys, and most token windows and their calls, held. */
export const DEFAULT_STATE_MAX = 100_000;

interface Node<V> {
  key: string;
  value: V;
  /** Toward the least recently seen. */
  older: Node<V> | undefined;
  newer: Node<V> | undefined;
}

/**
 * A Map with at most `max` entries; reading or writing an entry makes it the most recent.
 *
 * The recency order is a linked list beside the Map. Re-inserting into the Map to reorder it (the
 * usual shortcut) leaves deleted slots at its front that every "oldest" lookup walks again: with
 * 100000 keys that made each eviction cost a scan.
 */
export class LruMap<V> {
  private readonly map = new Map<string, Node<V>>();
  private oldestNode: Node<V> | undefined;
  private newestNode: Node<V> | undefined;
  /** Entries forgotten to stay within `max`. */
  evictions = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`LruMap: max must be at least 1, not ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, now the most recent; undefined when absent. */
  get(key: string): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    this.toNewest(node);
    return node.value;
  }

  /** The value without making it recent. */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: string, value: V): void {
    const held = this.map.get(key);
    if (held !== undefined) {
      held.value = value;
      this.toNewest(held);
      return;
    }
    if (this.map.size >= this.max) this.evictOldest();
    const node: Node<V> = { key, value, older: this.newestNode, newer: undefined };
    if (this.newestNode !== undefined) this.newestNode.newer = node;
    else this.oldestNode = node;
    this.newestNode = node;
    this.map.set(key, node);
  }

  delete(key: string): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.unlink(node);
    this.map.delete(key);
    return true;
  }

  /** The least recently seen entry. */
  oldest(): [string, V] | undefined {
    const node = this.oldestNode;
    return node === undefined ? undefined : [node.key, node.value];
  }

  evictOldest(): void {
    const node = this.oldestNode;
    if (node === undefined) return;
    this.unlink(node);
    this.map.delete(node.key);
    this.evictions++;
  }

  clear(): void {
    this.map.clear();
    this.oldestNode = this.newestNode = undefined;
  }

  /** Least recently seen first. */
  *entries(): Generator<[string, V]> {
    for (let node = this.oldestNode; node !== undefined; node = node.newer) yield [node.key, node.value];
  }

  private unlink(node: Node<V>): void {
    if (node.older !== undefined) node.older.newer = node.newer;
    else this.oldestNode = node.newer;
    if (node.newer !== undefined) node.newer.older = node.older;
    else this.newestNode = node.older;
    node.older = node.newer = undefined;
  }

  private toNewest(node: Node<V>): void {
    if (node === this.newestNode) return;
    this.unlink(node);
    node.older = this.newestNode;
    if (this.newestNode !== undefined) this.newestNode.newer = node;
    else this.oldestNode = node;
    this.newestNode = node;
  }
}

/** When a key was first seen and last seen, in epoch ms, and the order it was added in. */
export interface Sighting {
  first: number;
  last: number;
  seq: number;
}

/**
 * Keys remembered for `ttlMs` from their first sighting (`now - first < ttlMs`), at most `max` of
 * them. Seeing a key again makes it recent but does not extend its life: --dedupe-ttl counts from
 * the first output.
 */
export class SeenKeys {
  private readonly map: LruMap<Sighting>;
  readonly ttlMs: number;
  /** The latest time passed in: what "now" is when the keys are saved. */
  latest = -Infinity;
  /** Bumped by every new key, so a saver knows whether anything changed. */
  changes = 0;
  /**
   * Keys added up to this `changes` count are known to have their lines written for good: only
   * those are saved (commit()). A key added later is used in memory at once.
   */
  committed = 0;

  constructor(options: { max: number; ttlMs: number }) {
    this.map = new LruMap(options.max);
    this.ttlMs = options.ttlMs;
  }

  get size(): number {
    return this.map.size;
  }

  get max(): number {
    return this.map.max;
  }

  get evictions(): number {
    return this.map.evictions;
  }

  private alive(s: Sighting, now: number): boolean {
    return now - s.first < this.ttlMs;
  }

  /** Whether the key is remembered at `now`; a hit is a sighting. An expired key is forgotten. */
  has(key: string, now: number): boolean {
    if (now > this.latest) this.latest = now;
    const s = this.map.get(key);
    if (s === undefined) return false;
    if (!this.alive(s, now)) {
      this.map.delete(key);
      return false;
    }
    if (now > s.last) s.last = now;
    return true;
  }

  /**
   * Remembers the key as seen at `now`, the most recent; a key already remembered keeps its first
   * sighting. Returns the key's addition number (forget() takes it), 0 when it was held already.
   */
  add(key: string, now: number): number {
    if (now > this.latest) this.latest = now;
    const s = this.map.get(key);
    if (s !== undefined && this.alive(s, now)) {
      if (now > s.last) s.last = now;
      return 0;
    }
    const seq = ++this.changes;
    this.map.set(key, { first: now, last: now, seq });
    return seq;
  }

  /** Forgets the key if it is still the one add() numbered `seq` (its line was never written). */
  forget(key: string, seq: number): void {
    if (this.map.peek(key)?.seq === seq) this.map.delete(key);
  }

  /** Keys added up to `changes` count `upTo` may now be saved. */
  commit(upTo = this.changes): void {
    if (upTo > this.committed) this.committed = upTo;
  }

  /**
   * The keys alive at `now` (default: the latest time seen), least recently seen first; with
   * `savable`, only those commit() allowed.
   */
  *entries(now = this.latest, savable = false): Generator<[key: string, first: number, last: number, seq: number]> {
    for (const [key, s] of this.map.entries()) {
      if ((now === -Infinity || this.alive(s, now)) && !(savable && s.seq > this.committed)) yield [key, s.first, s.last, s.seq];
    }
  }

  /**
   * Replaces the content with `entries` (each key once), in their order: least recently seen first.
   * Expired ones are left out; past `max`, the oldest are (and are not counted as evictions: they
   * were never held here).
   */
  replace(entries: ReadonlyArray<readonly [key: string, first: number, last: number, seq?: number]>, now = this.latest): void {
    this.map.clear();
    const from = Math.max(0, entries.length - this.map.max);
    for (let i = from; i < entries.length; i++) {
      const [key, first, last, seq = 0] = entries[i]!;
      if (now === -Infinity || now - first < this.ttlMs) this.map.set(key, { first, last, seq });
    }
  }
}
