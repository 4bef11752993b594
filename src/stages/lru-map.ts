/**
 * A Map with at most `max` entries, the least recently seen forgotten first: what top's Heating up
 * keeps its token windows in (the stages' key stores are hash tables of their own, bounded-map.ts).
 * The recency order is a linked list beside the Map: re-inserting into the Map to reorder it (the
 * usual shortcut) leaves deleted slots at its front that every "oldest" lookup walks again.
 */

interface Node<V> {
  key: string;
  value: V;
  /** Toward the least recently seen. */
  older: Node<V> | undefined;
  newer: Node<V> | undefined;
}

/** Reading or writing an entry makes it the most recent. */
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
