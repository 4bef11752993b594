import { movedColumn, movedRefs, type RingMove } from './ring-slots.js';
import { present, type Call } from '../wire/calls.js';
import { callerKey, isKnownCaller } from './identity.js';

/**
 * top's Heating up: per token, the calls that arrived within the sliding window, and which tokens
 * the most distinct (known) callers piled onto.
 *
 * The window is the same for every token and calls arrive in time order, so the calls of all the
 * windows are one ring in arrival order (typed arrays, plus a reference to the token and to the
 * caller per slot), each token's calls linked through it: a call leaves its window when it reaches
 * the front of the ring, in O(1), and costs no object of its own. A token is one small object while
 * it has a call in the window. Memory is bounded: at most `max` calls (so `max` tokens), the oldest
 * forgotten first, and at most PER_TOKEN calls in one window (its oldest dropped).
 *
 * Each window keeps its count of distinct callers up to date as calls enter and leave it (a scan
 * of at most PER_TOKEN calls), and the tokens with two callers or more are kept in a set: the rows
 * are chosen among those, not among every token seen.
 */

/** One row of the panel: raw feed text (the drawing sanitizes it). */
export interface HeatRow {
  address: string;
  symbol: string | null;
  name: string | null;
  /** Distinct known callers within the window. */
  callers: number;
  /** The market cap of the first call in the window that had one, and of the latest. */
  firstMcap: number | null;
  latestMcap: number | null;
  /** latest ÷ first; null without both. */
  multiple: number | null;
  /** The first call in the window, and the latest, epoch ms. */
  firstAt: number;
  lastAt: number;
  /** Distinct platforms, then callers' names, in the order of their first call in the window. */
  platforms: string[];
  callerNames: string[];
  /** Reached --min-callers. */
  hot: boolean;
}

/** Calls one token's window holds at most: enough for any "who called it" a panel can show. */
export const PER_TOKEN = 200;
/** Recently called tokens remembered, to fill the panel when few tokens have two callers. */
const RECENT = 64;
/** Distinct callers remembered (to share one object between their calls); past this the table starts over. */
const SHARED_CALLERS = 20_000;
const INITIAL_CAPACITY = 1024;

export interface HeatOptions {
  windowMs: number;
  minCallers: number;
  /** Most calls over all windows, so most tokens (--state-max). */
  max: number;
}

/** A call's caller as the windows show it, one object for all the calls that give the same. */
interface HeatCaller {
  /** callerKey() of the call's caller. */
  readonly key: string;
  /** Whether it has an id or a name: only those are counted as callers. */
  readonly known: boolean;
  /** The caller's name, else its id (raw feed text). */
  readonly name: string | null;
  readonly platform: string | null;
}

interface HeatToken {
  readonly address: string;
  symbol: string | null;
  name: string | null;
  /** Its oldest and newest call in the window (ring sequence numbers), linked through `next`. */
  head: number;
  tail: number;
  /** Calls in the window. */
  count: number;
  /** Distinct known callers among them. */
  distinct: number;
}

export class HeatWindows {
  private readonly tokens = new Map<string, HeatToken>();
  /** Tokens with two known callers or more in their window. */
  private readonly multi = new Set<HeatToken>();
  private readonly recent: string[] = [];
  private readonly callers = new Map<string, HeatCaller>();
  private calls = 0;
  private forgotten = 0;

  // The ring: the slot of sequence number s is s & mask. A slot whose token is undefined is a call
  // dropped from the middle of its window (PER_TOKEN): it waits for the front to pass it.
  private mask = -1;
  private head = 0;
  private tail = 0;
  private at = new Float64Array(0);
  /** NaN when the call had no positive market cap. */
  private mcap = new Float64Array(0);
  /** The token's next call (-1: none yet). */
  private next = new Float64Array(0);
  private tokenOf: (HeatToken | undefined)[] = [];
  private callerOf: (HeatCaller | undefined)[] = [];

  constructor(private readonly options: HeatOptions) {
    this.resize(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.tokens.size;
  }

  /** Calls held over all windows. */
  get callCount(): number {
    return this.calls;
  }

  /** Tokens forgotten to stay within `max`. */
  get evictions(): number {
    return this.forgotten;
  }

  /**
   * Counts a call (arrived at `at`); returns the market cap of the token's latest call in the
   * window before this one (what this one moved from), or null.
   */
  add(call: Call, at = call.receivedAt): number | null {
    this.expire(at);
    // Room first, so that the token looked up below is not forgotten under it.
    while (this.tail - this.head >= this.options.max) this.dropFront(true);
    if (this.tail - this.head > this.mask) this.resize((this.mask + 1) * 2);

    const address = call.tokenAddress;
    let t = this.tokens.get(address);
    const previous = t === undefined ? null : this.latestMcap(t);
    if (t === undefined) {
      t = { address, symbol: null, name: null, head: -1, tail: -1, count: 0, distinct: 0 };
      this.tokens.set(address, t);
    }
    t.symbol = present(call.tokenSymbol) ?? t.symbol;
    t.name = present(call.tokenName) ?? t.name;
    const caller = this.callerFor(call.caller);
    if (caller.known && !this.hasCaller(t, caller.key)) t.distinct++;

    const mask = this.mask;
    const seq = this.tail++;
    const i = seq & mask;
    const m = call.marketCap;
    this.at[i] = at;
    this.mcap[i] = m !== undefined && m > 0 ? m : NaN;
    this.next[i] = -1;
    this.tokenOf[i] = t;
    this.callerOf[i] = caller;
    if (t.tail === -1) t.head = seq;
    else this.next[t.tail & mask] = seq;
    t.tail = seq;
    t.count++;
    this.calls++;
    if (t.count > PER_TOKEN) this.dropFirst(t);
    this.track(t);
    if (this.recent[this.recent.length - 1] !== address) {
      this.recent.push(address);
      if (this.recent.length > RECENT) this.recent.shift();
    }
    return previous;
  }

  /**
   * The `limit` tokens with the most distinct callers within the window at `now` (then the most
   * recently called first), among those `match` accepts. Fewer than `limit` with two callers: the
   * most recently called others fill the rest.
   */
  rows(now: number, limit: number, match?: (row: HeatRow) => boolean): HeatRow[] {
    this.expire(now);
    // Tokens are ranked on their counts; a row (names, platforms) is built only for the tokens
    // that may be shown, or that the filter must look at.
    const best: HeatToken[] = [];
    for (const t of this.multi) {
      if (match !== undefined && !match(this.rowOf(t))) continue;
      let i = best.length;
      while (i > 0 && this.ranksBefore(t, best[i - 1]!)) i--;
      if (i < limit) {
        best.splice(i, 0, t);
        if (best.length > limit) best.pop();
      }
    }
    const rows = best.map((t) => this.rowOf(t));
    if (rows.length < limit) {
      const seen = new Set(best.map((t) => t.address));
      for (let i = this.recent.length - 1; i >= 0 && rows.length < limit; i--) {
        const address = this.recent[i]!;
        if (seen.has(address)) continue;
        seen.add(address);
        const t = this.tokens.get(address);
        if (t === undefined || t.distinct >= 2) continue;
        const row = this.rowOf(t);
        if (match === undefined || match(row)) rows.push(row);
      }
    }
    return rows;
  }

  private rowOf(t: HeatToken): HeatRow {
    const platforms: string[] = [];
    const callerNames: string[] = [];
    const met = new Set<string>();
    let firstMcap: number | null = null;
    let latest: number | null = null;
    const mask = this.mask;
    for (let s = t.head; s !== -1; s = this.next[s & mask]!) {
      const i = s & mask;
      const m = this.mcap[i]!;
      if (m === m) {
        firstMcap ??= m;
        latest = m;
      }
      const c = this.callerOf[i]!;
      if (c.platform !== null && !platforms.includes(c.platform)) platforms.push(c.platform);
      if (c.known && !met.has(c.key)) {
        met.add(c.key);
        callerNames.push(c.name ?? '?');
      }
    }
    return {
      address: t.address,
      symbol: t.symbol,
      name: t.name,
      callers: t.distinct,
      firstMcap,
      latestMcap: latest,
      multiple: firstMcap !== null && latest !== null ? latest / firstMcap : null,
      firstAt: this.at[t.head & mask]!,
      lastAt: this.at[t.tail & mask]!,
      platforms,
      callerNames,
      hot: t.distinct >= this.options.minCallers,
    };
  }

  /** Drops the calls that arrived at or before `now - windowMs` (and the dropped slots before them). */
  private expire(now: number): void {
    const cutoff = now - this.options.windowMs;
    while (this.head < this.tail) {
      const i = this.head & this.mask;
      if (this.tokenOf[i] !== undefined && this.at[i]! > cutoff) break;
      this.dropFront(false);
    }
  }

  /** Drops the front of the ring; `bound`: to stay within `max`, not because it left the window. */
  private dropFront(bound: boolean): void {
    const t = this.tokenOf[this.head & this.mask];
    // The front of the ring is its token's oldest call.
    if (t !== undefined) {
      this.dropFirst(t);
      if (t.count === 0) {
        this.tokens.delete(t.address);
        if (bound) this.forgotten++;
      }
      this.track(t);
    }
    this.head++;
  }

  /** Drops a token's oldest call, leaving its slot empty. */
  private dropFirst(t: HeatToken): void {
    const s = t.head;
    const i = s & this.mask;
    const caller = this.callerOf[i]!;
    this.tokenOf[i] = undefined;
    this.callerOf[i] = undefined;
    this.calls--;
    if (--t.count === 0) {
      t.head = t.tail = -1;
      t.distinct = 0;
      return;
    }
    t.head = this.next[i]!;
    if (caller.known && !this.hasCaller(t, caller.key)) t.distinct--;
  }

  private hasCaller(t: HeatToken, key: string): boolean {
    const mask = this.mask;
    for (let s = t.head; s !== -1; s = this.next[s & mask]!) {
      const c = this.callerOf[s & mask]!;
      if (c.known && c.key === key) return true;
    }
    return false;
  }

  private latestMcap(t: HeatToken): number | null {
    let latest: number | null = null;
    const mask = this.mask;
    for (let s = t.head; s !== -1; s = this.next[s & mask]!) {
      const m = this.mcap[s & mask]!;
      if (m === m) latest = m;
    }
    return latest;
  }

  /** The caller object its calls share: a new one when the feed renames it. */
  private callerFor(view: Call['caller']): HeatCaller {
    const key = callerKey(view);
    const name = present(view.name) ?? present(view.id);
    const platform = present(view.platform);
    const held = this.callers.get(key);
    if (held !== undefined && held.name === name && held.platform === platform) return held;
    if (held === undefined && this.callers.size >= SHARED_CALLERS) this.callers.clear();
    const caller: HeatCaller = { key, known: isKnownCaller(view), name, platform };
    this.callers.set(key, caller);
    return caller;
  }

  private track(t: HeatToken): void {
    if (t.distinct >= 2 && t.count > 0) this.multi.add(t);
    else this.multi.delete(t);
  }

  /** More callers first, then the most recently called. */
  private ranksBefore(a: HeatToken, b: HeatToken): boolean {
    return a.distinct !== b.distinct ? a.distinct > b.distinct : this.at[a.tail & this.mask]! > this.at[b.tail & this.mask]!;
  }

  /** Gives the ring `cap` slots (a power of 2), each held call moving to its slot there. */
  private resize(cap: number): void {
    const m: RingMove = { head: this.head, tail: this.tail, oldMask: this.mask, cap };
    this.at = movedColumn(this.at, m);
    this.mcap = movedColumn(this.mcap, m);
    this.next = movedColumn(this.next, m);
    this.tokenOf = movedRefs(this.tokenOf, m, undefined);
    this.callerOf = movedRefs(this.callerOf, m, undefined);
    this.mask = cap - 1;
  }

}
