import { present, type Call } from '../wire/calls.js';
import { LruMap } from './lru-map.js';
import { callerKey, isKnownCaller } from './identity.js';

/**
 * top's Heating up: per token, the calls that arrived within the sliding window, and which tokens
 * the most distinct (known) callers piled onto. Memory is bounded as multi-call's windows are: at
 * most `max` tokens and `max` calls over all windows (the least recently seen tokens forgotten
 * first), at most PER_TOKEN calls in one window (its oldest dropped).
 *
 * Each window keeps its count of distinct callers up to date as calls enter and leave it (a scan
 * of at most PER_TOKEN calls), and the tokens with two callers or more are kept in a set: the rows
 * are chosen among those, not among every token seen. Most tokens are called once: a token costs
 * a few hundred bytes, its repeated texts (caller keys, names, platforms) shared.
 */

export interface HeatCall {
  /** callerKey() of the call's caller. */
  readonly caller: string;
  /** Whether it has an id or a name: only those are counted as callers. */
  readonly known: boolean;
  /** The caller's name, else its id (raw feed text). */
  readonly callerName: string | null;
  readonly platform: string | null;
  readonly marketCap: number | null;
  /** Arrival, epoch ms. */
  readonly at: number;
}

interface HeatToken {
  readonly address: string;
  symbol: string | null;
  name: string | null;
  /** Arrival order. */
  calls: HeatCall[];
  /** Distinct known callers among `calls`. */
  distinct: number;
}

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
/** Distinct texts shared (caller keys, names, platforms); past this many the table starts over. */
const SHARED_TEXTS = 20_000;

export interface HeatOptions {
  windowMs: number;
  minCallers: number;
  /** Most tokens, and most calls over all windows (--state-max). */
  max: number;
}

export class HeatWindows {
  private readonly tokens: LruMap<HeatToken>;
  /** Tokens with two known callers or more in their window (as of their last change). */
  private readonly multi = new Set<HeatToken>();
  private readonly recent: string[] = [];
  private calls = 0;
  private forgotten = 0;
  private readonly texts = new Map<string, string>();

  constructor(private readonly options: HeatOptions) {
    this.tokens = new LruMap(options.max);
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
    const address = call.tokenAddress;
    let t = this.tokens.get(address);
    if (t === undefined) {
      if (this.tokens.size >= this.options.max) this.evictOldest();
      t = { address, symbol: null, name: null, calls: [], distinct: 0 };
      this.tokens.set(address, t);
    }
    this.prune(t, at);
    const previous = latestMcap(t.calls);
    t.symbol = present(call.tokenSymbol) ?? t.symbol;
    t.name = present(call.tokenName) ?? t.name;
    const c = call.caller;
    const known = isKnownCaller(c);
    const entry: HeatCall = {
      caller: this.shared(callerKey(c)),
      known,
      callerName: this.shared(present(c.name) ?? present(c.id)),
      platform: this.shared(present(c.platform)),
      marketCap: call.marketCap !== undefined && call.marketCap > 0 ? call.marketCap : null,
      at,
    };
    if (known && !hasCaller(t.calls, entry.caller)) t.distinct++;
    // A window of one call (most tokens) in an array of one: push would reserve seventeen.
    if (t.calls.length === 0) t.calls = [entry];
    else t.calls.push(entry);
    this.calls++;
    if (t.calls.length > PER_TOKEN) this.dropFirst(t);
    this.track(t);
    while (this.calls > this.options.max) {
      const oldest = this.tokens.oldest();
      if (oldest === undefined) break;
      if (oldest[1] === t) this.dropFirst(t);
      else this.evictOldest();
    }
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
    // Tokens are ranked on their counts; a row (names, platforms) is built only for the tokens
    // that may be shown, or that the filter must look at.
    const best: HeatToken[] = [];
    for (const t of [...this.multi]) {
      this.prune(t, now);
      this.track(t);
      if (t.distinct < 2 || (match !== undefined && !match(this.rowOf(t)))) continue;
      let i = best.length;
      while (i > 0 && ranksBefore(t, best[i - 1]!)) i--;
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
        const t = this.tokens.peek(address);
        if (t === undefined || t.distinct >= 2) continue;
        this.prune(t, now);
        if (t.calls.length === 0) continue;
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
    for (const c of t.calls) {
      if (firstMcap === null && c.marketCap !== null) firstMcap = c.marketCap;
      if (c.platform !== null && !platforms.includes(c.platform)) platforms.push(c.platform);
      if (c.known && !met.has(c.caller)) {
        met.add(c.caller);
        callerNames.push(c.callerName ?? '?');
      }
    }
    const latest = latestMcap(t.calls);
    return {
      address: t.address,
      symbol: t.symbol,
      name: t.name,
      callers: t.distinct,
      firstMcap,
      latestMcap: latest,
      multiple: firstMcap !== null && latest !== null ? latest / firstMcap : null,
      firstAt: t.calls[0]?.at ?? 0,
      lastAt: t.calls[t.calls.length - 1]?.at ?? 0,
      platforms,
      callerNames,
      hot: t.distinct >= this.options.minCallers,
    };
  }

  /** Drops the calls that arrived at or before `now - windowMs`. */
  private prune(t: HeatToken, now: number): void {
    const cutoff = now - this.options.windowMs;
    while (t.calls.length > 0 && t.calls[0]!.at <= cutoff) this.dropFirst(t);
  }

  private dropFirst(t: HeatToken): void {
    const c = t.calls.shift();
    if (c === undefined) return;
    this.calls--;
    if (c.known && !hasCaller(t.calls, c.caller)) t.distinct--;
  }

  /** One copy of a text seen again and again. */
  private shared<T extends string | null>(s: T): T {
    if (s === null) return s;
    const held = this.texts.get(s);
    if (held !== undefined) return held as T;
    if (this.texts.size >= SHARED_TEXTS) this.texts.clear();
    this.texts.set(s, s);
    return s;
  }

  private track(t: HeatToken): void {
    if (t.distinct >= 2) this.multi.add(t);
    else this.multi.delete(t);
  }

  private evictOldest(): void {
    const oldest = this.tokens.oldest();
    if (oldest === undefined) return;
    const t = oldest[1];
    this.calls -= t.calls.length;
    this.multi.delete(t);
    this.tokens.delete(oldest[0]);
    this.forgotten++;
  }
}

function hasCaller(calls: readonly HeatCall[], caller: string): boolean {
  for (let i = 0; i < calls.length; i++) if (calls[i]!.known && calls[i]!.caller === caller) return true;
  return false;
}

function latestMcap(calls: readonly HeatCall[]): number | null {
  for (let i = calls.length - 1; i >= 0; i--) {
    const m = calls[i]!.marketCap;
    if (m !== null) return m;
  }
  return null;
}

/** More callers first, then the most recently called. */
function ranksBefore(a: HeatToken, b: HeatToken): boolean {
  return a.distinct !== b.distinct ? a.distinct > b.distinct : lastAt(a) > lastAt(b);
}

function lastAt(t: HeatToken): number {
  return t.calls[t.calls.length - 1]?.at ?? 0;
}
