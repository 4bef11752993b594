// The public call type: a library user adds the calls liveCalls() yields.
import { movedColumn, movedRefs, type RingMove } from './ring-slots.js';
import { BoardTokens, NO_CALLS } from './board-tokens.js';
import { Hasher } from './hash64.js';
import { tokenHash } from './identity-hash.js';
import { Call as ScannedCall, present, type LiveCall as Call } from '../wire/calls.js';
import { callerKey, isKnownCaller } from './identity.js';

/**
 * The caller board: each caller's track record, measured from the market caps that later calls of
 * the same token report (SPEC "Caller track record"). Pure: calls in, rows out.
 *
 * Memory is bounded by the horizon, not by the input. Every call is held only while something can
 * still change its results: until a call arrives more than the horizon after it. It is then
 * settled: folded into its caller's counters (plus its multiple and lead for the medians) and
 * dropped. While held, a call's results are kept up to date in amortised O(1) per later call of its
 * token, whatever the number of calls a hot token gets:
 * - peak: a monotonic queue per token (market caps decreasing), whose front after the settled call
 *   is the largest market cap among the calls after it, all of which are within its horizon;
 * - lead: the calls still waiting for another caller form a suffix of the token's calls, all by one
 *   caller; the first call of another caller gives each of them its lead, once;
 * - followers: a call by caller c is a new follower of exactly the calls between c's previous call
 *   of the token and it, so it adds 1 to that range as a difference array (+1 at its start, -1 at
 *   the call itself) whose running sum, taken front to back, is each call's count of followers.
 * Held calls live in one ring of typed arrays indexed by a sequence number (the order of add), the
 * calls of one token linked through it: no object per call. The tokens with a held call are a
 * KeyTable (board-tokens.ts, the store dedupe and multi-call use), found by the hash of the
 * address's bytes in the frame: no string per call, an entry gone with its token's last held call.
 * Callers keep their Maps: a feed has hundreds, and each call's caller is read as text anyway (its
 * latest id, name and platform are what a row shows).
 */

export type CallerSort = 'score' | 'hit-rate' | 'median' | 'calls' | 'first' | 'lead';
export const CALLER_SORTS: readonly CallerSort[] = ['score', 'hit-rate', 'median', 'calls', 'first', 'lead'];
export const DEFAULT_MIN_CALLS = 5;

export interface CallerBoardOptions {
  /** How long after a call its token's later calls still count for it, in ms (edge included). */
  horizonMs: number;
  /** The multiple at which a call is a hit: above 1, e.g. 2. */
  hit: number;
}

export interface RankingOptions {
  /** Only callers with at least this many calls (default 5). */
  minCalls?: number;
  /** Only the first n rows. */
  top?: number;
  /** Default `score`; `lead` ascending, the others descending. */
  sort?: CallerSort;
  /**
   * Count only the calls whose horizon has passed (`open` still says how many have not). Repeats
   * count in either mode: a repeat is final when it is seen.
   */
  settled?: boolean;
}

export interface CallerIdentity {
  id: string | null;
  name: string | null;
  platform: string | null;
}

export interface BestCall {
  tokenAddress: string;
  tokenSymbol: string | null;
  multiple: number;
  marketCap: number;
  peak: number;
  timeMs: number;
}

export interface CallerRow {
  rank: number;
  /** The latest id, name and platform its calls gave (a call without one leaves it as it was). */
  caller: CallerIdentity;
  calls: number;
  repeats: number;
  firstCalls: number;
  withMcap: number;
  seenAgain: number;
  hits: number;
  /** hits ÷ withMcap; 0 when withMcap is 0. */
  hitRate: number;
  /** The lower bound of the 95 % Wilson interval of hitRate. */
  score: number;
  medianMultiple: number | null;
  meanFollowers: number;
  medianLeadS: number | null;
  open: number;
  best: BestCall | null;
}

/**
 * Over every caller, the unknown callers of each platform included, except `callers`: the distinct
 * known (rankable) callers seen. `calls` + `repeats` + `duplicates` is the number of calls added.
 */
export interface BoardCounts {
  calls: number;
  callers: number;
  repeats: number;
  duplicates: number;
  open: number;
}

export interface CallerBoard {
  /**
   * Calls in time order; timeMs defaults to call.receivedAt (a time before the latest one added
   * counts as the latest). A call stored twice (token + caller + data.timestamp) within the
   * horizon counts once (counted in `duplicates`).
   */
  add(call: Call, timeMs?: number): void;
  /** The ranked callers, deterministic for the same calls; calls still open count as they stand. */
  ranking(options?: RankingOptions): CallerRow[];
  counts(): BoardCounts;
}

export function createCallerBoard(options: CallerBoardOptions): CallerBoard {
  return new CallerBoardModel(options);
}

const Z = 1.96;

/** The lower bound of the Wilson score interval (z = 1.96) of hits out of n; 0 when n or hits is 0. */
export function wilsonLowerBound(hits: number, n: number): number {
  if (n <= 0 || hits <= 0) return 0;
  const p = hits / n;
  const z2 = Z * Z;
  const bound = (p + z2 / (2 * n) - Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return bound > 0 ? bound : 0;
}

/** The k-th smallest (from 0) of the union of two ascending arrays, k < a.length + b.length. */
export function kthOfTwo(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  // How many of the k + 1 smallest come from a: the least i with a[i] >= b[k - i].
  let lo = Math.max(0, k + 1 - b.length);
  let hi = Math.min(k + 1, a.length);
  while (lo < hi) {
    const i = (lo + hi) >> 1;
    if (a[i]! < b[k - i]!) lo = i + 1;
    else hi = i;
  }
  const j = k + 1 - lo;
  const fromA = lo > 0 ? a[lo - 1]! : -Infinity;
  const fromB = j > 0 ? b[j - 1]! : -Infinity;
  return fromA > fromB ? fromA : fromB;
}

/** The median of two ascending arrays together (the mean of the two middle values for an even count). */
export function medianOfTwo(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length + b.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? kthOfTwo(a, b, mid) : (kthOfTwo(a, b, mid - 1) + kthOfTwo(a, b, mid)) / 2;
}

/**
 * Numbers kept for a median, one per call ranked: appended in any order, sorted when a ranking
 * asks. A typed array outside the JS heap (8 bytes a value, no garbage from growing), sorted by
 * merging the values added since the last sort into the sorted ones: a live board re-ranked
 * several times a second pays for what is new, not for the whole history.
 */
export class Values {
  private data = new Float64Array(8);
  // Kept apart from data.length, which costs more to read than a field on every push.
  private capacity = 8;
  length = 0;
  private sortedLength = 0;

  push(value: number): void {
    if (this.length === this.capacity) {
      // A prolific caller's history is large: grown by a quarter, it wastes at most that.
      const capacity = this.capacity < 4096 ? this.capacity * 2 : this.capacity + (this.capacity >> 2);
      const grown = new Float64Array(capacity);
      grown.set(this.data);
      this.data = grown;
      this.capacity = capacity;
    }
    this.data[this.length++] = value;
  }

  /** The values, ascending: a view valid until the next push. */
  sorted(): Float64Array {
    const { data, length } = this;
    const m = this.sortedLength;
    if (m < length) {
      const fresh = data.slice(m, length).sort();
      // Merge from the back: the larger of the two tails goes last.
      let i = m - 1;
      let j = fresh.length - 1;
      let k = length - 1;
      while (j >= 0) {
        if (i >= 0 && data[i]! > fresh[j]!) data[k--] = data[i--]!;
        else data[k--] = fresh[j--]!;
      }
      this.sortedLength = length;
    }
    return data.subarray(0, length);
  }
}

/** A caller's results over some of its calls: its settled ones, or (per ranking) its held ones. */
class Tally {
  calls = 0;
  firstCalls = 0;
  withMcap = 0;
  seenAgain = 0;
  hits = 0;
  followers = 0;
  /** Held calls whose horizon has not passed (counted in every mode). */
  open = 0;
  /** Per call with a market cap: its multiple, 1 without one. */
  readonly multiples = new Values();
  /** Per call followed by another caller within the horizon: ms until the first such call. */
  readonly leadsMs = new Values();
  best: BestCall | null = null;
  /** The add order of `best`: the earlier call wins a tie. */
  bestSeq = -1;

  count(seq: number, timeMs: number, mcap: number, peak: number, first: boolean, followers: number, leadMs: number, hit: number, address: string, symbol: string | null): void {
    this.calls++;
    if (first) this.firstCalls++;
    this.followers += followers;
    if (leadMs >= 0) this.leadsMs.push(leadMs);
    if (mcap !== mcap) return; // no market cap of its own: no multiple
    this.withMcap++;
    if (peak !== peak) {
      this.multiples.push(1);
      return;
    }
    const multiple = peak / mcap;
    this.seenAgain++;
    if (multiple >= hit) this.hits++;
    this.multiples.push(multiple);
    const best = this.best;
    if (best === null || multiple > best.multiple || (multiple === best.multiple && seq < this.bestSeq)) {
      this.best = { tokenAddress: address, tokenSymbol: symbol, multiple, marketCap: mcap, peak, timeMs };
      this.bestSeq = seq;
    }
  }
}

const NO_TALLY = new Tally();

class CallerStats {
  id: string | null = null;
  name: string | null = null;
  platform: string | null = null;
  repeats = 0;
  /** Its settled calls. */
  readonly settled = new Tally();

  constructor(
    readonly key: string,
    readonly known: boolean,
  ) {}

  /** The latest id, name and platform the feed gave it (a field a call leaves out keeps its value). */
  rename(view: Call['caller']): void {
    // Kept when equal: each call's fresh copy then dies young instead of churning the old generation.
    const id = present(view.id);
    if (id !== null && id !== this.id) this.id = id;
    const name = present(view.name);
    if (name !== null && name !== this.name) this.name = name;
    const platform = present(view.platform);
    if (platform !== null && platform !== this.platform) this.platform = platform;
  }
}

/** The callers of one platform, by id, by name as spelt, by name lower-cased; its unknown caller. */
class PlatformCallers {
  readonly byId = new Map<string, number>();
  readonly byName = new Map<string, number>();
  readonly byLowerName = new Map<string, number>();
  unknown = -1;
}

/** One for every board: add() is synchronous, so no two tokens are hashed at once. */
const hasher = new Hasher();

const COUNTED = 1;
const FIRST = 2;
const INITIAL_CAPACITY = 1024;

export class CallerBoardModel implements CallerBoard {
  private readonly horizon: number;
  private readonly hit: number;
  /** The time of the latest call added. */
  private now = -Infinity;

  // The ring of held calls: the slot of sequence number s is s & mask (exact for any safe integer).
  private mask = -1;
  private head = 0;
  private tail = 0;
  private time = new Float64Array(0);
  /** NaN when missing or not a positive finite number. */
  private mcap = new Float64Array(0);
  /** data.timestamp in ms (-Infinity when missing): the call identity with token and caller. */
  private tsKey = new Float64Array(0);
  private callerOf = new Float64Array(0);
  private flags = new Float64Array(0);
  /** The same caller's previous call of the token (-1: none). */
  private prevSame = new Float64Array(0);
  /** The next call of the token (-1: none yet). */
  private nextInToken = new Float64Array(0);
  /** The call a repeat repeats; itself for a call. */
  private callSeq = new Float64Array(0);
  /** ms until the first call of another caller after it (-1: none yet). */
  private lead = new Float64Array(0);
  /** The followers' difference array. */
  private diff = new Float64Array(0);
  /** Its token's entry in `tokens`. */
  private tokenOf = new Float64Array(0);
  private symbolOf: (string | null)[] = [];

  /** The tokens with a held call, by the hash of their address (no string per call). */
  private readonly tokens = new BoardTokens();
  /** The platform as the feed spelt it → its callers: no key is built for a caller seen before. */
  private readonly platforms = new Map<string, PlatformCallers>();
  /** The same, by the platform lower-cased (platforms compare case-insensitively). */
  private readonly platformsLower = new Map<string, PlatformCallers>();
  private readonly noPlatform = new PlatformCallers();
  private readonly callers: CallerStats[] = [];
  private knownCallers = 0;
  private calls = 0;
  private repeats = 0;
  private duplicates = 0;
  /** Held calls (not repeats), of every caller. */
  private heldCounted = 0;

  /** `capacity`: the ring's first size, a power of 2 (tests make it small so that it wraps). */
  constructor(options: CallerBoardOptions, capacity = INITIAL_CAPACITY) {
    this.horizon = options.horizonMs;
    this.hit = options.hit;
    this.resize(capacity);
  }

  add(call: Call, timeMs: number = call.receivedAt): void {
    let t = timeMs;
    // Time order is the contract; a clock stepping back must not break the held order.
    if (!(t >= this.now)) t = Number.isFinite(this.now) ? this.now : Number.isFinite(t) ? t : 0;
    this.now = t;
    const edge = t - this.horizon;
    while (this.head < this.tail && this.time[this.head & this.mask]! < edge) this.settleOldest();

    const view = call.caller;
    const ci = this.indexOfCaller(view);
    const stats = this.callers[ci]!;

    const ts = call.timestampMs ?? -Infinity;
    // A call of the feed is hashed from its frame's bytes; a library user's own object by its text.
    if (call instanceof ScannedCall) tokenHash(call, hasher);
    else {
      hasher.reset().string(call.tokenAddress);
      hasher.finish();
    }
    const tokens = this.tokens;
    const tok = tokens.open(hasher.hi, hasher.lo);
    let prev = -1;
    let counted = true;
    let first = true;
    let ofCall = -1;
    /** Where tok.callers holds this caller's last call; -1: not there. */
    let slot = -1;
    if (!tokens.created) {
      const callers = tokens.callers[tok]!;
      let p = -1;
      for (let k = 0; k < callers.length; k += 2) {
        if (callers[k] === ci) {
          slot = k + 1;
          p = callers[slot]!;
          break;
        }
      }
      if (p !== -1) {
        // Its held calls of the token are all within the horizon: one with this timestamp is this call.
        for (let s = p; s >= this.head; s = this.prevSame[s & this.mask]!) {
          if (this.tsKey[s & this.mask] === ts) {
            this.duplicates++;
            return;
          }
        }
        prev = p;
        const c = this.callSeq[p & this.mask]!;
        if (c >= this.head && t - this.time[c & this.mask]! <= this.horizon) {
          counted = false;
          ofCall = c;
        }
        first = callers.length === 2;
      } else {
        first = false; // a held token has held calls, by other callers
      }
    }
    if (stats.known) stats.rename(view);

    if (this.tail - this.head > this.mask) this.resize((this.mask + 1) * 2);
    const mask = this.mask;
    const seq = this.tail++;
    const i = seq & mask;
    const m = call.marketCap;
    const mcap = m !== undefined && m > 0 && m < Infinity ? m : NaN;
    this.time[i] = t;
    this.mcap[i] = mcap;
    this.tsKey[i] = ts;
    this.callerOf[i] = ci;
    this.flags[i] = counted ? (first ? COUNTED | FIRST : COUNTED) : 0;
    this.prevSame[i] = prev;
    this.nextInToken[i] = -1;
    this.callSeq[i] = counted ? seq : ofCall;
    this.lead[i] = -1;
    this.diff[i] = 0;
    this.tokenOf[i] = tok;
    // Only a ranked call can be a best call: the symbol is read for those alone.
    let symbol: string | null = null;
    if (counted && stats.known && mcap === mcap) {
      symbol = call.tokenSymbol ?? null;
      // Held calls share their token's string: a fresh one per call would outlive the young
      // generation and churn the old one.
      if (symbol === tokens.symbol[tok]) symbol = tokens.symbol[tok]!;
      else tokens.symbol[tok] = symbol;
      // A best call names its token: read once per token, and only for a token a ranked call has.
      if (tokens.address[tok] === null) tokens.address[tok] = call.tokenAddress;
    }
    this.symbolOf[i] = symbol;

    const last = tokens.tail[tok]!;
    if (last === -1) {
      tokens.head[tok] = seq;
      tokens.pendingFrom[tok] = seq;
    } else {
      this.nextInToken[last & mask] = seq;
      if (this.callerOf[last & mask] !== ci) {
        for (let s = tokens.pendingFrom[tok]!; s !== seq; s = this.nextInToken[s & mask]!) this.lead[s & mask] = t - this.time[s & mask]!;
        tokens.pendingFrom[tok] = seq;
      }
    }
    tokens.tail[tok] = seq;

    const start = prev === -1 ? tokens.head[tok]! : this.nextInToken[prev & mask]!;
    if (start !== seq) {
      this.diff[start & mask]! += 1;
      this.diff[i] = -1;
    }

    if (mcap === mcap) {
      const mono = tokens.mono[tok]!;
      const monoHead = tokens.monoHead[tok]!;
      while (mono.length > monoHead && this.mcap[mono[mono.length - 1]! & mask]! <= mcap) mono.pop();
      // Empty (what is left before monoHead is spent): a queue of one, exactly sized.
      if (mono.length === monoHead) {
        tokens.mono[tok] = [seq];
        tokens.monoHead[tok] = 0;
      } else mono.push(seq);
    }
    const callers = tokens.callers[tok]!;
    if (slot === -1) {
      if (callers.length === 0) tokens.callers[tok] = [ci, seq];
      else callers.push(ci, seq);
    }
    else callers[slot] = seq;

    if (counted) {
      this.calls++;
      this.heldCounted++;
    } else {
      this.repeats++;
      stats.repeats++;
    }
  }

  /** The index of a call's caller (identities as in stages/identity.ts), a new caller added. */
  private indexOfCaller(view: Call['caller']): number {
    let table: PlatformCallers;
    const platform = view.platform;
    if (platform === undefined || platform === '') {
      table = this.noPlatform;
    } else {
      let t = this.platforms.get(platform);
      if (t === undefined) {
        const lower = platform.toLowerCase();
        t = this.platformsLower.get(lower);
        if (t === undefined) {
          t = new PlatformCallers();
          this.platformsLower.set(lower, t);
        }
        this.platforms.set(platform, t);
      }
      table = t;
    }
    const id = view.id;
    if (id !== undefined && id !== '') {
      let ci = table.byId.get(id);
      if (ci === undefined) table.byId.set(id, (ci = this.newCaller(view)));
      return ci;
    }
    const name = view.name;
    if (name !== undefined && name !== '') {
      let ci = table.byName.get(name);
      if (ci !== undefined) return ci;
      const lower = name.toLowerCase();
      ci = table.byLowerName.get(lower);
      if (ci === undefined) table.byLowerName.set(lower, (ci = this.newCaller(view)));
      table.byName.set(name, ci);
      return ci;
    }
    if (table.unknown === -1) table.unknown = this.newCaller(view);
    return table.unknown;
  }

  private newCaller(view: Call['caller']): number {
    const ci = this.callers.length;
    const stats = new CallerStats(callerKey(view), isKnownCaller(view));
    this.callers.push(stats);
    if (stats.known) this.knownCallers++;
    return ci;
  }

  ranking(options: RankingOptions = {}): CallerRow[] {
    const minCalls = options.minCalls ?? DEFAULT_MIN_CALLS;
    const settledOnly = options.settled === true;
    const sort = options.sort ?? 'score';
    const held = this.heldTallies(settledOnly);
    const sorted: { row: CallerRow; name: string; key: string }[] = [];
    for (let ci = 0; ci < this.callers.length; ci++) {
      const stats = this.callers[ci]!;
      if (!stats.known) continue;
      const a = stats.settled;
      const b = held[ci] ?? NO_TALLY;
      const calls = a.calls + b.calls;
      if (calls < minCalls || calls === 0) continue;
      const withMcap = a.withMcap + b.withMcap;
      const hits = a.hits + b.hits;
      const bestA = a.best;
      const bestB = b.best;
      const best = bestA === null ? bestB : bestB === null || bestA.multiple >= bestB.multiple ? bestA : bestB;
      const leadMs = medianOfTwo(a.leadsMs.sorted(), b.leadsMs.sorted());
      const row: CallerRow = {
        rank: 0,
        caller: { id: stats.id, name: stats.name, platform: stats.platform },
        calls,
        repeats: stats.repeats,
        firstCalls: a.firstCalls + b.firstCalls,
        withMcap,
        seenAgain: a.seenAgain + b.seenAgain,
        hits,
        hitRate: withMcap === 0 ? 0 : hits / withMcap,
        score: wilsonLowerBound(hits, withMcap),
        medianMultiple: medianOfTwo(a.multiples.sorted(), b.multiples.sorted()),
        meanFollowers: (a.followers + b.followers) / calls,
        medianLeadS: leadMs === null ? null : leadMs / 1000,
        open: b.open,
        best: best === null ? null : { ...best },
      };
      // Ties after score and calls: the name, else the id, case-insensitive; then the identity key,
      // so that two callers of one name on two platforms still come in one order.
      sorted.push({ row, name: (stats.name ?? stats.id ?? '').toLowerCase(), key: stats.key });
    }
    const order = rowOrder(sort);
    sorted.sort((x, y) => order(x.row, y.row) || y.row.score - x.row.score || y.row.calls - x.row.calls || compareText(x.name, y.name) || compareText(x.key, y.key));
    const top = Math.min(options.top ?? sorted.length, sorted.length);
    const rows: CallerRow[] = new Array<CallerRow>(top);
    for (let r = 0; r < top; r++) {
      const row = sorted[r]!.row;
      row.rank = r + 1;
      rows[r] = row;
    }
    return rows;
  }

  counts(): BoardCounts {
    return { calls: this.calls, callers: this.knownCallers, repeats: this.repeats, duplicates: this.duplicates, open: this.heldCounted - this.closedHeld() };
  }

  /** Calls (and repeats) held: what memory the board holds beyond its per-caller numbers. */
  heldCalls(): number {
    return this.tail - this.head;
  }

  /** Tokens with a held call. */
  heldTokens(): number {
    return this.tokens.size;
  }

  /** The held calls, as they stand now, tallied per caller index. */
  private heldTallies(settledOnly: boolean): (Tally | undefined)[] {
    const tallies: (Tally | undefined)[] = new Array<Tally | undefined>(this.callers.length);
    const mask = this.mask;
    // A held call at or before this time has its horizon passed (a call exactly the horizon after it arrived).
    const closedBy = this.now - this.horizon;
    const tokens = this.tokens;
    // Oldest first: nothing here is touched, so the order of creation (a Map's, as before).
    for (let tok = tokens.oldest; tok !== -1; tok = tokens.next[tok]!) {
      let followers = tokens.base[tok]!;
      const mono = tokens.mono[tok]!;
      let mp = tokens.monoHead[tok]!;
      for (let s = tokens.head[tok]!; s !== -1; s = this.nextInToken[s & mask]!) {
        const i = s & mask;
        followers += this.diff[i]!;
        while (mp < mono.length && mono[mp]! <= s) mp++;
        const flags = this.flags[i]!;
        if ((flags & COUNTED) === 0) continue;
        const ci = this.callerOf[i]!;
        if (!this.callers[ci]!.known) continue;
        const tally = (tallies[ci] ??= new Tally());
        if (this.time[i]! > closedBy) {
          tally.open++;
          if (settledOnly) continue;
        }
        const peak = mp < mono.length ? this.mcap[mono[mp]! & mask]! : NaN;
        tally.count(s, this.time[i]!, this.mcap[i]!, peak, (flags & FIRST) !== 0, followers, this.lead[i]!, this.hit, tokens.address[tok] ?? '', this.symbolOf[i] ?? null);
      }
    }
    return tallies;
  }

  /** Held calls (not repeats) whose horizon has passed: they sit at the front, exactly the horizon old. */
  private closedHeld(): number {
    const closedBy = this.now - this.horizon;
    let n = 0;
    for (let s = this.head; s < this.tail && this.time[s & this.mask]! <= closedBy; s++) if ((this.flags[s & this.mask]! & COUNTED) !== 0) n++;
    return n;
  }

  /** The oldest held call can change no more: fold it into its caller's counters and drop it. */
  private settleOldest(): void {
    const mask = this.mask;
    const s = this.head++;
    const i = s & mask;
    const tokens = this.tokens;
    const tok = this.tokenOf[i]!;
    const next = this.nextInToken[i]!;
    const followers = tokens.base[tok]! + this.diff[i]!;
    tokens.base[tok] = followers;
    const mono = tokens.mono[tok]!;
    let monoHead = tokens.monoHead[tok]!;
    if (monoHead < mono.length && mono[monoHead] === s) monoHead++;
    const peak = monoHead < mono.length ? this.mcap[mono[monoHead]! & mask]! : NaN;
    if (monoHead === mono.length) {
      mono.length = 0;
      monoHead = 0;
    } else if (monoHead >= 64 && monoHead * 2 >= mono.length) {
      mono.copyWithin(0, monoHead);
      mono.length -= monoHead;
      monoHead = 0;
    }
    tokens.monoHead[tok] = monoHead;
    const ci = this.callerOf[i]!;
    const callers = tokens.callers[tok]!;
    for (let k = 0; k < callers.length; k += 2) {
      if (callers[k] !== ci) continue;
      // Its last held call of the token: the caller has none left there.
      if (callers[k + 1] === s) {
        const end = callers.length - 2;
        callers[k] = callers[end]!;
        callers[k + 1] = callers[end + 1]!;
        callers.length = end;
      }
      break;
    }
    // The address is read before the entry goes: its last call may be counted below.
    const address = tokens.address[tok] ?? '';
    if (next === -1) {
      tokens.close(tok);
    } else {
      tokens.head[tok] = next;
      if (tokens.pendingFrom[tok] === s) tokens.pendingFrom[tok] = next;
    }
    const flags = this.flags[i]!;
    if ((flags & COUNTED) !== 0) {
      this.heldCounted--;
      const stats = this.callers[ci]!;
      if (stats.known) stats.settled.count(s, this.time[i]!, this.mcap[i]!, peak, (flags & FIRST) !== 0, followers, this.lead[i]!, this.hit, address, this.symbolOf[i] ?? null);
    }
    this.symbolOf[i] = null;
  }

  /** Gives the ring `cap` slots (a power of 2), each held call moving to its slot there. */
  private resize(cap: number): void {
    const m: RingMove = { head: this.head, tail: this.tail, oldMask: this.mask, cap };
    this.time = movedColumn(this.time, m);
    this.mcap = movedColumn(this.mcap, m);
    this.tsKey = movedColumn(this.tsKey, m);
    this.callerOf = movedColumn(this.callerOf, m);
    this.flags = movedColumn(this.flags, m);
    this.prevSame = movedColumn(this.prevSame, m);
    this.nextInToken = movedColumn(this.nextInToken, m);
    this.callSeq = movedColumn(this.callSeq, m);
    this.lead = movedColumn(this.lead, m);
    this.diff = movedColumn(this.diff, m);
    this.tokenOf = movedColumn(this.tokenOf, m);
    this.symbolOf = movedRefs(this.symbolOf, m, null);
    this.mask = cap - 1;
  }

}

/** The --sort key's order: descending, `lead` ascending; a caller without the value last. */
function rowOrder(sort: CallerSort): (x: CallerRow, y: CallerRow) => number {
  switch (sort) {
    case 'score':
      return (x, y) => y.score - x.score;
    case 'hit-rate':
      return (x, y) => y.hitRate - x.hitRate;
    case 'calls':
      return (x, y) => y.calls - x.calls;
    case 'first':
      return (x, y) => y.firstCalls - x.firstCalls;
    case 'median':
      return (x, y) => nullsLast(x.medianMultiple, y.medianMultiple) ?? y.medianMultiple! - x.medianMultiple!;
    case 'lead':
      return (x, y) => nullsLast(x.medianLeadS, y.medianLeadS) ?? x.medianLeadS! - y.medianLeadS!;
  }
}

function nullsLast(x: number | null, y: number | null): number | undefined {
  if (x === null) return y === null ? 0 : 1;
  return y === null ? -1 : undefined;
}

/** Code-unit order: the same in every locale. */
function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
