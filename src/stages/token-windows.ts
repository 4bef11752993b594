import { grown, KeyTable } from './bounded-map.js';
import { hashHex, hashString } from './hash64.js';

/**
 * The multi-call windows: per token, the calls of known callers that arrived within the window, in
 * arrival order. Memory is bounded twice: at most `max` tokens and at most `max` calls over all
 * windows (the least recently seen tokens are forgotten first), and at most `perWindow` calls in
 * one window (its oldest dropped), which also bounds the work one call costs.
 *
 * Held without an object per token or per call: tokens are a KeyTable (64-bit hashes, recency
 * list) with their window's columns beside it; calls are slots in a pool of typed arrays, each
 * window a linked list of slots. A call keeps only what a signal prints of it: its caller (a hash,
 * and an index into the caller table), `data.timestamp`, the market cap and its arrival. A
 * caller's id, name and platform are kept once per distinct caller held (CallerTable), so a call
 * by a caller already there reads no string from its frame.
 */

/** One call in a window, as a signal prints it (a view built on demand, never stored). */
export interface WindowEntry {
  /** The hash of callerKey(), as 16 hex digits. */
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

/** A window as plain data (state file, tests). */
export interface WindowView {
  entries: WindowEntry[];
  lastSignalAt: number | null;
  lastSeen: number;
}

/** Calls one window holds at most, unless --min-callers needs more. */
export const MAX_WINDOW_CALLS = 1000;

const NONE = -1;

/** Distinct callers of the calls held, each with the details a signal prints; counted by reference. */
export class CallerTable extends KeyTable {
  ids: (string | null)[] = [];
  names: (string | null)[] = [];
  platforms: (string | null)[] = [];
  refs: Int32Array;

  constructor(max: number) {
    super(max);
    this.refs = new Int32Array(this.hi.length);
  }

  protected override resize(capacity: number): void {
    this.refs = grown(this.refs, capacity);
  }

  /** The caller's entry, one reference more; `details` is asked only for a caller not held. */
  hold(hi: number, lo: number, details: () => { id: string | null; name: string | null; platform: string | null }): number {
    const c = this.locate(hi, lo);
    if (this.created) {
      const d = details();
      this.ids[c] = d.id;
      this.names[c] = d.name;
      this.platforms[c] = d.platform;
      this.refs[c] = 0;
    }
    this.refs[c]!++;
    return c;
  }

  release(c: number): void {
    if (--this.refs[c]! > 0) return;
    this.ids[c] = this.names[c] = this.platforms[c] = null;
    this.remove(c);
  }
}

/** The calls a window holds, as slots. */
class CallPool {
  callerHi: Int32Array;
  callerLo: Int32Array;
  /** The caller's entry in the CallerTable. */
  caller: Int32Array;
  at: Float64Array;
  /** NaN: null. */
  marketCap: Float64Array;
  /** NaN: null, or a string (in timestampText). */
  timestamp: Float64Array;
  timestampText: (string | undefined)[] = [];
  /** The next call of its window, in arrival order; for a free slot, the next free one. */
  next: Int32Array;
  private used = 0;
  private free = NONE;

  constructor(private capacity: number) {
    this.callerHi = new Int32Array(capacity);
    this.callerLo = new Int32Array(capacity);
    this.caller = new Int32Array(capacity);
    this.at = new Float64Array(capacity);
    this.marketCap = new Float64Array(capacity);
    this.timestamp = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
  }

  take(): number {
    const s = this.free;
    if (s !== NONE) {
      this.free = this.next[s]!;
      return s;
    }
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  give(s: number): void {
    this.timestampText[s] = undefined;
    this.next[s] = this.free;
    this.free = s;
  }

  clear(): void {
    this.used = 0;
    this.free = NONE;
    this.timestampText = [];
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.callerHi = grown(this.callerHi, capacity);
    this.callerLo = grown(this.callerLo, capacity);
    this.caller = grown(this.caller, capacity);
    this.at = grown(this.at, capacity);
    this.marketCap = grown(this.marketCap, capacity);
    this.timestamp = grown(this.timestamp, capacity);
    this.next = grown(this.next, capacity);
    this.capacity = capacity;
  }
}

/** A call to add, read once from the frame by the stage. */
export interface NewCall {
  callerHi: number;
  callerLo: number;
  details: () => { id: string | null; name: string | null; platform: string | null };
  timestamp: number | string | null;
  marketCap: number | null;
  at: number;
}

export class TokenWindows extends KeyTable {
  /** NaN: no signal yet. */
  lastSignalAt: Float64Array;
  lastSeen: Float64Array;
  head: Int32Array;
  tail: Int32Array;
  count: Int32Array;
  readonly calls: CallPool;
  readonly callers: CallerTable;
  /** Calls held over all windows. */
  private held = 0;
  /** The latest time passed in: "now" when the windows are saved. */
  latest = -Infinity;
  /** Bumped by every change worth saving. */
  changes = 0;

  constructor(max: number) {
    super(max);
    const n = this.hi.length;
    this.lastSignalAt = new Float64Array(n);
    this.lastSeen = new Float64Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.count = new Int32Array(n);
    this.calls = new CallPool(Math.min(max, 1024));
    // A call is added before the bounds are restored: one caller more than `max` calls may be held.
    this.callers = new CallerTable(max + 1);
  }

  protected override resize(capacity: number): void {
    this.lastSignalAt = grown(this.lastSignalAt, capacity);
    this.lastSeen = grown(this.lastSeen, capacity);
    this.head = grown(this.head, capacity);
    this.tail = grown(this.tail, capacity);
    this.count = grown(this.count, capacity);
  }

  /** Calls held over all windows. */
  get callCount(): number {
    return this.held;
  }

  /** The token's window, created when absent; it becomes the most recently seen. */
  open(hi: number, lo: number, now: number): number {
    if (now > this.latest) this.latest = now;
    const w = this.locate(hi, lo);
    if (this.created) {
      this.head[w] = this.tail[w] = NONE;
      this.count[w] = 0;
      this.lastSignalAt[w] = NaN;
      this.lastSeen[w] = now;
    } else {
      this.touch(w);
      if (now > this.lastSeen[w]!) this.lastSeen[w] = now;
    }
    return w;
  }

  /** The window of a token given as text (tests), without making it recent. */
  peek(token: string): WindowView | undefined {
    const [hi, lo] = hashString(token);
    const w = this.find(hi, lo);
    return w === NONE ? undefined : this.view(w);
  }

  /** Drops the window's calls that arrived at or before `cutoff`. */
  prune(w: number, cutoff: number): void {
    const { calls } = this;
    let prev = NONE;
    for (let s = this.head[w]!; s !== NONE; ) {
      const next = calls.next[s]!;
      if (calls.at[s]! <= cutoff) {
        if (prev === NONE) this.head[w] = next;
        else calls.next[prev] = next;
        if (this.tail[w] === s) this.tail[w] = prev;
        this.drop(w, s);
      } else prev = s;
      s = next;
    }
  }

  /** Whether a call by this caller is in the window. */
  hasCaller(w: number, hi: number, lo: number): boolean {
    const { calls } = this;
    hi |= 0;
    lo |= 0;
    for (let s = this.head[w]!; s !== NONE; s = calls.next[s]!) if (calls.callerLo[s] === lo && calls.callerHi[s] === hi) return true;
    return false;
  }

  /** Appends a call to `w`, the most recent window, and restores the bounds. */
  add(w: number, call: NewCall, perWindow = MAX_WINDOW_CALLS): void {
    const { calls } = this;
    const s = calls.take();
    calls.callerHi[s] = call.callerHi;
    calls.callerLo[s] = call.callerLo;
    calls.caller[s] = this.callers.hold(call.callerHi, call.callerLo, call.details);
    calls.at[s] = call.at;
    calls.marketCap[s] = call.marketCap ?? NaN;
    const t = call.timestamp;
    calls.timestamp[s] = typeof t === 'number' ? t : NaN;
    if (typeof t === 'string') calls.timestampText[s] = t;
    calls.next[s] = NONE;
    if (this.tail[w] === NONE) this.head[w] = s;
    else calls.next[this.tail[w]!] = s;
    this.tail[w] = s;
    this.count[w]!++;
    this.held++;
    this.changes++;
    if (this.count[w]! > perWindow) this.dropHead(w);
    while (this.held > this.max) {
      const oldest = this.oldest;
      if (oldest === NONE) break;
      // The only window left is this one: its own oldest calls go.
      if (oldest === w) this.dropHead(w);
      else this.forgetWindow(oldest);
    }
  }

  /** Each caller's first call in the window, in that order: slots. */
  firstCalls(w: number): number[] {
    const { calls } = this;
    const firsts: number[] = [];
    for (let s = this.head[w]!; s !== NONE; s = calls.next[s]!) {
      let met = false;
      for (let i = 0; i < firsts.length; i++) {
        const f = firsts[i]!;
        if (calls.callerLo[f] === calls.callerLo[s] && calls.callerHi[f] === calls.callerHi[s]) {
          met = true;
          break;
        }
      }
      if (!met) firsts.push(s);
    }
    return firsts;
  }

  /** A call slot as a signal prints it. */
  entry(s: number): WindowEntry {
    const { calls, callers } = this;
    const c = calls.caller[s]!;
    const t = calls.timestamp[s]!;
    const m = calls.marketCap[s]!;
    return {
      caller: hashHex(calls.callerHi[s]! >>> 0, calls.callerLo[s]! >>> 0),
      id: callers.ids[c] ?? null,
      name: callers.names[c] ?? null,
      platform: callers.platforms[c] ?? null,
      timestamp: Number.isNaN(t) ? (calls.timestampText[s] ?? null) : t,
      marketCap: Number.isNaN(m) ? null : m,
      at: calls.at[s]!,
    };
  }

  view(w: number): WindowView {
    const entries: WindowEntry[] = [];
    for (let s = this.head[w]!; s !== NONE; s = this.calls.next[s]!) entries.push(this.entry(s));
    const signal = this.lastSignalAt[w]!;
    return { entries, lastSignalAt: Number.isNaN(signal) ? null : signal, lastSeen: this.lastSeen[w]! };
  }

  /** The windows, least recently seen first: [token hash hi, lo, view]. */
  *windows(): Generator<[hi: number, lo: number, view: WindowView]> {
    for (let w = this.oldest; w !== NONE; w = this.next[w]!) yield [this.hi[w]! >>> 0, this.lo[w]! >>> 0, this.view(w)];
  }

  /** Replaces the content, least recently seen first; past the bounds the oldest are left out. */
  replace(windows: ReadonlyArray<readonly [hi: number, lo: number, view: WindowView]>): void {
    this.clearAll();
    // From the most recent back: windows while there is room, each with its newest calls.
    let budget = this.max;
    const kept: [index: number, calls: number][] = [];
    for (let i = windows.length - 1; i >= 0 && kept.length < this.max && budget > 0; i--) {
      const n = Math.min(windows[i]![2].entries.length, budget);
      budget -= n;
      kept.push([i, n]);
    }
    for (let k = kept.length - 1; k >= 0; k--) {
      const [i, n] = kept[k]!;
      const [hi, lo, view] = windows[i]!;
      const w = this.open(hi, lo, view.lastSeen);
      this.lastSeen[w] = view.lastSeen;
      this.lastSignalAt[w] = view.lastSignalAt ?? NaN;
      const entries = view.entries;
      for (let j = entries.length - n; j < entries.length; j++) {
        const e = entries[j]!;
        const [chi, clo] = parseHex(e.caller);
        this.add(w, { callerHi: chi, callerLo: clo, details: () => e, timestamp: e.timestamp, marketCap: e.marketCap, at: e.at }, Infinity);
      }
    }
  }

  private clearAll(): void {
    this.clear();
    this.calls.clear();
    this.callers.clear();
    this.callers.ids = [];
    this.callers.names = [];
    this.callers.platforms = [];
    this.held = 0;
  }

  protected override evicted(w: number): void {
    this.releaseCalls(w);
  }

  private forgetWindow(w: number): void {
    this.releaseCalls(w);
    this.remove(w);
    this.evictions++;
  }

  private releaseCalls(w: number): void {
    for (let s = this.head[w]!; s !== NONE; ) {
      const next = this.calls.next[s]!;
      this.drop(w, s);
      s = next;
    }
    this.head[w] = this.tail[w] = NONE;
  }

  private dropHead(w: number): void {
    const s = this.head[w]!;
    if (s === NONE) return;
    this.head[w] = this.calls.next[s]!;
    if (this.tail[w] === s) this.tail[w] = NONE;
    this.drop(w, s);
  }

  /** Frees a slot already unlinked from (or being cleared with) its window. */
  private drop(w: number, s: number): void {
    this.callers.release(this.calls.caller[s]!);
    this.calls.give(s);
    this.count[w]!--;
    this.held--;
  }
}

export function parseHex(h: string): [hi: number, lo: number] {
  return [parseInt(h.slice(0, 8), 16) >>> 0, parseInt(h.slice(8, 16), 16) >>> 0];
}
