import { LruMap } from './bounded-map.js';

/**
 * The multi-call windows: per token, the calls of known callers that arrived within the window, in
 * arrival order. Memory is bounded twice: at most `max` tokens and at most `max` calls over all
 * windows (the least recently seen tokens are forgotten first), and at most `perWindow` calls in
 * one window (its oldest dropped), which also bounds the work one call costs.
 */

export interface WindowEntry {
  /** callerKey() of the call's caller. */
  readonly caller: string;
  readonly id: string | null;
  readonly name: string | null;
  readonly platform: string | null;
  /** `data.timestamp` as the frame had it. */
  readonly timestamp: number | string | null;
  readonly marketCap: number | null;
  /** Arrival, epoch ms. */
  readonly at: number;
}

export interface TokenWindow {
  /** Arrival order. */
  entries: WindowEntry[];
  /** When the last signal for the token was emitted: the cooldown runs from there. */
  lastSignalAt: number | null;
  lastSeen: number;
}

/** Calls one window holds at most, unless --min-callers needs more. */
export const MAX_WINDOW_CALLS = 1000;

export class TokenWindows {
  private readonly lru: LruMap<TokenWindow>;
  /** Calls held over all windows. */
  private calls = 0;
  private forgotten = 0;
  /** The latest time passed in: "now" when the windows are saved. */
  latest = -Infinity;
  /** Bumped by every change worth saving. */
  changes = 0;

  constructor(readonly max: number) {
    this.lru = new LruMap(max);
  }

  get size(): number {
    return this.lru.size;
  }

  /** Calls held over all windows. */
  get callCount(): number {
    return this.calls;
  }

  /** Tokens forgotten to stay within `max`. */
  get evictions(): number {
    return this.forgotten;
  }

  /** The token's window, created when absent; it becomes the most recently seen. */
  open(token: string, now: number): TokenWindow {
    if (now > this.latest) this.latest = now;
    let w = this.lru.get(token);
    if (w === undefined) {
      if (this.lru.size >= this.max) this.evictOldest();
      w = { entries: [], lastSignalAt: null, lastSeen: now };
      this.lru.set(token, w);
    } else if (now > w.lastSeen) {
      w.lastSeen = now;
    }
    return w;
  }

  peek(token: string): TokenWindow | undefined {
    return this.lru.peek(token);
  }

  /** Drops the window's calls that arrived at or before `cutoff`. */
  prune(w: TokenWindow, cutoff: number): void {
    const entries = w.entries;
    let kept = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.at > cutoff) entries[kept++] = e;
    }
    if (kept === entries.length) return;
    this.calls -= entries.length - kept;
    entries.length = kept;
  }

  /** Appends a call to `w`, the most recent window, and restores the bounds. */
  add(w: TokenWindow, entry: WindowEntry, perWindow = MAX_WINDOW_CALLS): void {
    w.entries.push(entry);
    this.calls++;
    this.changes++;
    if (w.entries.length > perWindow) {
      w.entries.shift();
      this.calls--;
    }
    while (this.calls > this.max) {
      const oldest = this.lru.oldest();
      if (oldest === undefined) break;
      if (oldest[1] === w) {
        // The only window left is this one: its own oldest calls go.
        w.entries.shift();
        this.calls--;
      } else {
        this.evictOldest();
      }
    }
  }

  private evictOldest(): void {
    const oldest = this.lru.oldest();
    if (oldest === undefined) return;
    this.calls -= oldest[1].entries.length;
    this.lru.delete(oldest[0]);
    this.forgotten++;
  }

  /** Least recently seen first. */
  entries(): Generator<[string, TokenWindow]> {
    return this.lru.entries();
  }

  /** Replaces the content, least recently seen first; past the bounds the oldest are left out. */
  replace(windows: ReadonlyArray<readonly [string, TokenWindow]>): void {
    this.lru.clear();
    this.calls = 0;
    let budget = this.max;
    const kept: (readonly [string, TokenWindow])[] = [];
    for (let i = windows.length - 1; i >= 0 && kept.length < this.max && budget > 0; i--) {
      const item = windows[i]!;
      const entries = item[1].entries;
      if (entries.length > budget) entries.splice(0, entries.length - budget);
      budget -= entries.length;
      kept.push(item);
    }
    for (let i = kept.length - 1; i >= 0; i--) {
      const [token, w] = kept[i]!;
      this.lru.set(token, w);
      this.calls += w.entries.length;
    }
  }
}
