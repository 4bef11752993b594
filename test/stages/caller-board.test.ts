import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CallerBoardModel,
  CALLER_SORTS,
  kthOfTwo,
  medianOfTwo,
  Values,
  wilsonLowerBound,
  type BoardCounts,
  type CallerRow,
  type CallerSort,
  type RankingOptions,
} from '../../src/stages/caller-board.js';
import { callerKey, isKnownCaller } from '../../src/stages/identity.js';
import { Call, classifyBytes } from '../../src/wire/calls.js';
import { call, MIN, T0, TOKEN_A, TOKEN_B, type CallSpec } from '../support/messages.js';

/** One hour: every scenario below measures from it. */
const H = 60 * MIN;
const board = (hit = 2): CallerBoardModel => new CallerBoardModel({ horizonMs: H, hit });

function feed(b: CallerBoardModel, specs: CallSpec[]): void {
  for (const spec of specs) b.add(call(spec));
}

/** A call on another token far in the future: every call so far is settled and dropped. */
function settleAll(b: CallerBoardModel, at: number): void {
  b.add(call({ token: 'FAR', platform: 'telegram', at: at + 10 * H }));
}

const row = (rows: CallerRow[], name: string): CallerRow => {
  const r = rows.find((x) => x.caller.name === name);
  if (r === undefined) throw new Error(`no row for ${name}`);
  return r;
};
const names = (rows: CallerRow[]): (string | null)[] => rows.map((r) => r.caller.name ?? r.caller.id);

describe('caller board: one call and its later sightings', () => {
  // Alice calls at $100K; Bob 10 min later sees $250K; Carol 20 min later sees $150K.
  const specs: CallSpec[] = [
    { name: 'Alice', id: 'a1', mcap: 100_000, at: T0 },
    { name: 'Bob', mcap: 250_000, at: T0 + 10 * MIN },
    { name: 'Carol', mcap: 150_000, at: T0 + 20 * MIN },
  ];

  for (const settled of [false, true]) {
    it(`measures peak, multiple, hit, first call, lead and followers (${settled ? 'settled' : 'all held'})`, () => {
      const b = board();
      feed(b, specs);
      if (settled) settleAll(b, T0 + 20 * MIN);
      const rows = b.ranking({ minCalls: 1, settled });
      // Alice: peak max(250K, 150K) = 250K, multiple 250K / 100K = 2.5 >= 2: a hit. Nobody before
      // her: a first call. Bob is the first other caller, 600 s later; followers Bob and Carol: 2.
      // score = Wilson(1 of 1) = (1 + 1.9208 − 1.96·√(0 + 0.9604)) / (1 + 3.8416) = 1 / 4.8416 = 0.2065.
      expect(row(rows, 'Alice')).toEqual({
        rank: 1,
        caller: { id: 'a1', name: 'Alice', platform: 'telegram' },
        calls: 1,
        repeats: 0,
        firstCalls: 1,
        withMcap: 1,
        seenAgain: 1,
        hits: 1,
        hitRate: 1,
        score: 1 / 4.8416,
        medianMultiple: 2.5,
        meanFollowers: 2,
        medianLeadS: 600,
        open: settled ? 0 : 1,
        best: { tokenAddress: TOKEN_A, tokenSymbol: 'BONK', multiple: 2.5, marketCap: 100_000, peak: 250_000, timeMs: T0 },
      });
      // Bob: only Carol after him, at $150K: multiple 150K / 250K = 0.6 (seen lower): a miss.
      // Alice called before him: not a first call. Lead 600 s (Carol), 1 follower.
      expect(row(rows, 'Bob')).toMatchObject({ calls: 1, firstCalls: 0, withMcap: 1, seenAgain: 1, hits: 0, hitRate: 0, score: 0, medianMultiple: 0.6, meanFollowers: 1, medianLeadS: 600 });
      expect(row(rows, 'Bob').best).toMatchObject({ multiple: 0.6, peak: 150_000, marketCap: 250_000 });
      // Carol: never seen again: no multiple (median counts it as 1), no lead, no follower, no best.
      expect(row(rows, 'Carol')).toMatchObject({ calls: 1, firstCalls: 0, withMcap: 1, seenAgain: 0, hits: 0, medianMultiple: 1, meanFollowers: 0, medianLeadS: null, best: null });
      expect(b.counts()).toEqual({ calls: settled ? 4 : 3, callers: 3, repeats: 0, duplicates: 0, open: settled ? 1 : 3 });
    });
  }

  it('a call without a market cap has no multiple, and sightings without one do not count', () => {
    const b = board();
    feed(b, [
      { name: 'Alice', mcap: undefined, at: T0 },
      // Bob's $0, Carol's −5 and Dan's "lots" are no market caps: Alice and Bob are never seen again with one.
      { name: 'Bob', mcap: 0, at: T0 + MIN },
      { name: 'Carol', mcap: -5, at: T0 + 2 * MIN },
      { name: 'Dan', mcap: 'lots', at: T0 + 3 * MIN },
      { name: 'Erin', mcap: 100_000, at: T0 + 4 * MIN },
      // A numeric string is a market cap: Erin's multiple 300K / 100K = 3.
      { name: 'Fay', mcap: '300000', at: T0 + 5 * MIN },
    ]);
    const rows = b.ranking({ minCalls: 1 });
    // Alice: no own market cap: with_mcap 0, so hit_rate 0, score 0, no median, no best; but her
    // lead (Bob, 60 s) and followers (Bob, Carol, Dan, Erin, Fay: 5) still count.
    expect(row(rows, 'Alice')).toMatchObject({ withMcap: 0, seenAgain: 0, hits: 0, hitRate: 0, score: 0, medianMultiple: null, best: null, medianLeadS: 60, meanFollowers: 5 });
    expect(row(rows, 'Bob')).toMatchObject({ withMcap: 0, medianMultiple: null });
    expect(row(rows, 'Erin')).toMatchObject({ withMcap: 1, seenAgain: 1, hits: 1, medianMultiple: 3 });
    expect(row(rows, 'Erin').best).toMatchObject({ multiple: 3, peak: 300_000 });
  });
});

describe('caller board: the horizon edge', () => {
  it('a sighting exactly at the horizon counts, one a millisecond past it does not', () => {
    const b = board();
    feed(b, [
      { name: 'Alice', mcap: 100_000, at: T0 },
      { name: 'Bob', mcap: 300_000, at: T0 + H },
      { name: 'Carol', mcap: 500_000, at: T0 + H + 1 },
    ]);
    const rows = b.ranking({ minCalls: 1 });
    // Alice: Bob at exactly T0 + H is within her horizon: peak 300K, multiple 3 (not Carol's 5),
    // lead 3600 s, 1 follower. Her horizon has passed (Bob is at least the horizon after her): not open.
    expect(row(rows, 'Alice')).toMatchObject({ medianMultiple: 3, hits: 1, medianLeadS: 3600, meanFollowers: 1, open: 0 });
    // Bob: Carol 1 ms later at $500K: 500K / 300K; lead 0.001 s (fractions kept).
    expect(row(rows, 'Bob')).toMatchObject({ medianMultiple: 500_000 / 300_000, medianLeadS: 0.001, open: 1, firstCalls: 0 });
    // Carol: Alice is H + 1 ms before her (beyond the horizon) but Bob only 1 ms: not a first call.
    expect(row(rows, 'Carol')).toMatchObject({ firstCalls: 0 });
  });

  it('another caller exactly the horizon before a call takes its first-call status, one just past does not', () => {
    const b = board();
    feed(b, [
      { name: 'Alice', token: TOKEN_A, at: T0 },
      { name: 'Bob', token: TOKEN_B, at: T0 },
      { name: 'Carol', token: TOKEN_A, at: T0 + H },
      { name: 'Dan', token: TOKEN_B, at: T0 + H + 1 },
    ]);
    const rows = b.ranking({ minCalls: 1 });
    expect(row(rows, 'Carol').firstCalls).toBe(0);
    expect(row(rows, 'Dan').firstCalls).toBe(1);
    // Dan is beyond Bob's horizon: no follower, no lead for Bob; Carol is within Alice's.
    expect(row(rows, 'Bob')).toMatchObject({ meanFollowers: 0, medianLeadS: null });
    expect(row(rows, 'Alice')).toMatchObject({ meanFollowers: 1, medianLeadS: 3600 });
  });

  it('open counts the calls no call is yet the horizon after', () => {
    const b = board();
    feed(b, [{ name: 'Alice', at: T0 }]);
    b.add(call({ name: 'Bob', token: TOKEN_B, at: T0 + H - 1 }));
    expect(row(b.ranking({ minCalls: 1 }), 'Alice').open).toBe(1);
    expect(b.counts().open).toBe(2);
    // A call on any token exactly the horizon after Alice closes her horizon.
    b.add(call({ name: 'Carol', token: 'OTHER', at: T0 + H }));
    expect(row(b.ranking({ minCalls: 1 }), 'Alice').open).toBe(0);
    expect(b.counts().open).toBe(2);
  });
});

describe('caller board: repeats', () => {
  it('counts a call again within the horizon of its call as a repeat, a new call after it', () => {
    const b = board();
    feed(b, [
      { name: 'Alice', mcap: 100_000, at: T0 }, // call 1
      { name: 'Alice', mcap: 200_000, at: T0 + 30 * MIN }, // repeat (30 min after call 1)
      { name: 'alice', mcap: 300_000, at: T0 + H }, // repeat: exactly the horizon after call 1
      { name: 'Alice', mcap: 400_000, at: T0 + H + MIN }, // call 2: 61 min after call 1 (repeats do not extend it)
      { name: 'Alice', mcap: 100_000, at: T0 + H + 31 * MIN }, // repeat of call 2
    ]);
    settleAll(b, T0 + 2 * H);
    const r = row(b.ranking({ minCalls: 1 }), 'Alice');
    // Call 1: its sightings are its own repeats at 200K and 300K (and not call 2, 61 min later):
    // multiple 3. Call 2: its repeat at 100K: multiple 100K / 400K = 0.25.
    // Both are first calls (no other caller); no follower, no lead.
    expect(r).toMatchObject({ calls: 2, repeats: 3, firstCalls: 2, withMcap: 2, seenAgain: 2, hits: 1, hitRate: 0.5 });
    // Median of [0.25, 3] = (0.25 + 3) / 2 = 1.625.
    expect(r.medianMultiple).toBe(1.625);
    expect(r).toMatchObject({ meanFollowers: 0, medianLeadS: null });
    expect(b.counts()).toMatchObject({ calls: 3, repeats: 3, duplicates: 0 });
  });

  it("another caller's repeat is a sighting and one follower, not two", () => {
    const b = board();
    feed(b, [
      { name: 'Alice', mcap: 100_000, at: T0 },
      { name: 'Bob', mcap: 150_000, at: T0 + MIN },
      { name: 'Bob', mcap: 500_000, at: T0 + 2 * MIN },
    ]);
    const rows = b.ranking({ minCalls: 1 });
    // Alice: peak 500K (Bob's repeat) → 5; followers {Bob}: 1; lead 60 s.
    expect(row(rows, 'Alice')).toMatchObject({ medianMultiple: 5, meanFollowers: 1, medianLeadS: 60 });
    expect(row(rows, 'Bob')).toMatchObject({ calls: 1, repeats: 1, medianMultiple: 500_000 / 150_000, meanFollowers: 0 });
  });
});

describe('caller board: duplicates', () => {
  it('the same call stored twice within the horizon counts once, and is no sighting of itself', () => {
    const b = board();
    const ts = Math.floor(T0 / 1000);
    feed(b, [
      { name: 'Alice', mcap: 100_000, timestamp: ts, at: T0 },
      // The same call (token + caller + data.timestamp) from a second writer, a little later.
      { name: 'Alice', mcap: 900_000, timestamp: ts, at: T0 + 2000 },
      { name: 'Alice', mcap: 200_000, timestamp: ts + 600, at: T0 + 10 * MIN }, // a repeat
      { name: 'Alice', mcap: 200_000, timestamp: ts + 600, at: T0 + 11 * MIN }, // its duplicate
    ]);
    let r = row(b.ranking({ minCalls: 1 }), 'Alice');
    // Peak 200K (the repeat), not the duplicate's 900K: multiple 2.
    expect(r).toMatchObject({ calls: 1, repeats: 1, medianMultiple: 2 });
    expect(b.counts()).toMatchObject({ calls: 1, repeats: 1, duplicates: 2 });
    // The same timestamp again more than the horizon after the first copy: a new call.
    b.add(call({ name: 'Alice', mcap: 100_000, timestamp: ts, at: T0 + H + 1 }));
    r = row(b.ranking({ minCalls: 1 }), 'Alice');
    expect(r.calls).toBe(2);
    expect(b.counts()).toMatchObject({ calls: 2, duplicates: 2 });
  });

  it('the same timestamp from another caller or of another token is another call', () => {
    const b = board();
    const ts = Math.floor(T0 / 1000);
    feed(b, [
      { name: 'Alice', timestamp: ts, at: T0 },
      { name: 'Bob', timestamp: ts, at: T0 },
      { name: 'Alice', token: TOKEN_B, timestamp: ts, at: T0 },
    ]);
    expect(b.counts()).toMatchObject({ calls: 3, duplicates: 0 });
  });
});

describe('caller board: unknown callers', () => {
  it('are sightings, followers and leads, stand before a first call, and are never ranked', () => {
    const b = board();
    feed(b, [
      { platform: 'telegram', mcap: 100_000, at: T0 }, // the unknown caller of telegram
      { name: 'Alice', mcap: 100_000, at: T0 + MIN },
      { id: '', name: '', platform: 'telegram', mcap: 300_000, at: T0 + 2 * MIN }, // the same unknown caller (empty id and name)
      { platform: 'discord', mcap: 100_000, at: T0 + 3 * MIN }, // the unknown caller of discord: another caller
      { name: 'Bob', mcap: 100_000, at: T0 + 4 * MIN },
    ]);
    const rows = b.ranking({ minCalls: 1 });
    expect(names(rows).sort()).toEqual(['Alice', 'Bob']);
    // Alice: the unknown telegram caller called 1 min before: not first. Peak 300K → 3. Lead 60 s
    // (the unknown caller), followers: telegram's unknown, discord's unknown, Bob = 3.
    expect(row(rows, 'Alice')).toMatchObject({ firstCalls: 0, medianMultiple: 3, medianLeadS: 60, meanFollowers: 3 });
    // counts: 5 adds, the 3rd a repeat of the unknown telegram caller; known callers: 2.
    expect(b.counts()).toEqual({ calls: 4, callers: 2, repeats: 1, duplicates: 0, open: 4 });
  });
});

/**
 * Calls each on a token of their own, 10 min apart: optionally preceded (1 min before) by the
 * unknown caller, and followed `delayMs` later by the unknown caller at mult × the call's $100K.
 */
interface Unit {
  caller: Partial<CallSpec>;
  mult?: number;
  mcap?: unknown;
  delayMs?: number;
  preceded?: boolean;
}

function units(b: CallerBoardModel, list: Unit[]): number {
  let base = T0;
  list.forEach((u, k) => {
    base = T0 + k * 10 * MIN;
    const token = `TOKEN-${k}`;
    if (u.preceded === true) b.add(call({ token, platform: 'telegram', at: base }));
    b.add(call({ ...u.caller, token, symbol: `T${k}`, mcap: 'mcap' in u ? u.mcap : 100_000, at: base + MIN }));
    if (u.mult !== undefined) b.add(call({ token, platform: 'telegram', mcap: 100_000 * u.mult, at: base + MIN + (u.delayMs ?? MIN) }));
  });
  return base + 10 * MIN;
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('caller board: score, medians, best', () => {
  it('Wilson: 8 hits of 10 ranks above 1 of 1', () => {
    const b = board();
    const end = units(b, [
      ...times(10, (i) => ({ caller: { name: 'Steady' }, mult: i < 8 ? 2 : 1.5 })),
      { caller: { name: 'Lucky' }, mult: 3 },
    ]);
    settleAll(b, end);
    const rows = b.ranking({ minCalls: 1 });
    expect(names(rows)).toEqual(['Steady', 'Lucky']);
    // n = 10, p = 0.8, z² = 3.8416: z²/2n = 0.19208, p(1−p)/n = 0.016, z²/4n² = 0.009604,
    // √0.025604 = 0.1600125, 1.96 × that = 0.3136245; (0.8 + 0.19208 − 0.3136245) / 1.38416 = 0.490157.
    expect(rows[0]!.score).toBeCloseTo(0.490157, 6);
    expect(rows[0]!.hitRate).toBe(0.8);
    // 1 of 1: 1 / 4.8416 = 0.206543.
    expect(rows[1]!.score).toBeCloseTo(0.206543, 6);
  });

  it('wilsonLowerBound: 0 when n is 0 or there is no hit, never below 0', () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(0, 50)).toBe(0);
    expect(wilsonLowerBound(1, 1000)).toBeGreaterThanOrEqual(0);
    // 2 of 3: p = 0.6667, z²/2n = 0.64027, p(1−p)/n = 0.074074, z²/4n² = 0.106711,
    // √0.180785 = 0.425188, ×1.96 = 0.833368; (0.666667 + 0.640267 − 0.833368) / 2.280533 = 0.207655.
    expect(wilsonLowerBound(2, 3)).toBeCloseTo(0.207655, 5);
  });

  it('medians: odd, even (mean of the two middle values), a call never seen again counting as 1', () => {
    for (const settle of [false, true]) {
      const b = board();
      const end = units(b, [
        // Odd: multiples 1.5, 3, 0.5 → sorted 0.5, 1.5, 3 → 1.5. Leads 60, 120, 30 s → 60 s.
        { caller: { name: 'Odd' }, mult: 1.5, delayMs: MIN },
        { caller: { name: 'Odd' }, mult: 3, delayMs: 2 * MIN },
        { caller: { name: 'Odd' }, mult: 0.5, delayMs: 30_000 },
        // Even: 1.5, 4, 0.5, never seen again (1) → sorted 0.5, 1, 1.5, 4 → (1 + 1.5) / 2 = 1.25.
        // Leads 60, 1.5, 1 s (the 4th has none) → sorted 1, 1.5, 60 → 1.5 s.
        { caller: { name: 'Even' }, mult: 1.5, delayMs: MIN },
        { caller: { name: 'Even' }, mult: 4, delayMs: 1500 },
        { caller: { name: 'Even' }, mult: 0.5, delayMs: 1000 },
        { caller: { name: 'Even' } },
      ]);
      // Settled and held give the same medians.
      if (settle) settleAll(b, end);
      const rows = b.ranking({ minCalls: 1 });
      expect(row(rows, 'Odd')).toMatchObject({ medianMultiple: 1.5, medianLeadS: 60 });
      expect(row(rows, 'Even')).toMatchObject({ medianMultiple: 1.25, medianLeadS: 1.5, withMcap: 4, seenAgain: 3 });
    }
    // Two leads: 60 s and 1.5 s → (1.5 + 60) / 2 = 30.75 s.
    const d = board();
    units(d, [
      { caller: { name: 'Two' }, mult: 1.5, delayMs: MIN },
      { caller: { name: 'Two' }, mult: 4, delayMs: 1500 },
    ]);
    expect(row(d.ranking({ minCalls: 1 }), 'Two').medianLeadS).toBe(30.75);
  });

  it('best: the highest multiple, the earliest call on a tie, settled or held', () => {
    for (const settleFirst of [false, true]) {
      const b = board();
      units(b, [
        { caller: { name: 'Alice' }, mult: 1.5 },
        { caller: { name: 'Alice' }, mult: 2 }, // TOKEN-1: the earliest of the two 2× calls
      ]);
      // Settling TOKEN-0 and TOKEN-1 first (or not) must not change which one is best.
      const later = settleFirst ? T0 + 3 * H : T0 + 30 * MIN;
      b.add(call({ name: 'Alice', token: 'TOKEN-X', symbol: 'TX', at: later }));
      b.add(call({ platform: 'telegram', token: 'TOKEN-X', mcap: 200_000, at: later + MIN }));
      const best = row(b.ranking({ minCalls: 1 }), 'Alice').best;
      expect(best).toEqual({ tokenAddress: 'TOKEN-1', tokenSymbol: 'T1', multiple: 2, marketCap: 100_000, peak: 200_000, timeMs: T0 + 11 * MIN });
    }
  });
});

describe('caller board: ranking', () => {
  // Alpha: 10 calls, 8 at 2× and 2 at 1.5×: score 0.4902, hit rate 0.8, median 2, 10 first calls, leads 60 s.
  // Bravo: 1 call at 3×: score 0.2065, hit rate 1, median 3, 1 first call, lead 30 s.
  // Charlie: 3 calls after the unknown caller (0 first calls) at 2×, 2×, 0.5×: score Wilson(2 of 3)
  //   = 0.2077, hit rate 0.667, median 2, leads 10 s.
  // Delta: 2 calls never seen again: score 0, hit rate 0, median 1, 2 first calls, no lead.
  // Echo: 1 call without a market cap, seen at $200K: score 0, hit rate 0, no median, lead 60 s.
  function scene(): CallerBoardModel {
    const b = board();
    const end = units(b, [
      ...times(10, (i) => ({ caller: { name: 'Alpha' }, mult: i < 8 ? 2 : 1.5 })),
      { caller: { name: 'Bravo' }, mult: 3, delayMs: 30_000 },
      ...[2, 2, 0.5].map((mult) => ({ caller: { name: 'Charlie' }, mult, delayMs: 10_000, preceded: true })),
      { caller: { name: 'Delta' } },
      { caller: { name: 'Delta' } },
      { caller: { name: 'Echo' }, mcap: undefined, mult: 2 },
    ]);
    settleAll(b, end);
    return b;
  }

  const expected: Record<CallerSort, string[]> = {
    score: ['Alpha', 'Charlie', 'Bravo', 'Delta', 'Echo'],
    // Delta and Echo tie at 0: score ties too, then calls (2 > 1).
    'hit-rate': ['Bravo', 'Alpha', 'Charlie', 'Delta', 'Echo'],
    // Alpha and Charlie tie at 2: score; Echo has no median: last.
    median: ['Bravo', 'Alpha', 'Charlie', 'Delta', 'Echo'],
    // Bravo and Echo tie at 1 call: score.
    calls: ['Alpha', 'Charlie', 'Delta', 'Bravo', 'Echo'],
    first: ['Alpha', 'Delta', 'Bravo', 'Echo', 'Charlie'],
    // Ascending; Alpha and Echo tie at 60 s: score; Delta has no lead: last.
    lead: ['Charlie', 'Bravo', 'Alpha', 'Echo', 'Delta'],
  };

  for (const sort of CALLER_SORTS) {
    it(`sorts by ${sort}`, () => {
      const rows = scene().ranking({ minCalls: 1, sort });
      expect(names(rows)).toEqual(expected[sort]);
      expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    });
  }

  it('the scene computes as commented', () => {
    const rows = scene().ranking({ minCalls: 1 });
    expect(row(rows, 'Charlie')).toMatchObject({ calls: 3, firstCalls: 0, hits: 2, medianMultiple: 2, medianLeadS: 10 });
    expect(row(rows, 'Charlie').score).toBeCloseTo(0.207655, 5);
    expect(row(rows, 'Echo')).toMatchObject({ withMcap: 0, medianMultiple: null, medianLeadS: 60, best: null });
  });

  it('minCalls (default 5) and top keep the first rows, ranks from 1', () => {
    const b = scene();
    expect(names(b.ranking())).toEqual(['Alpha']);
    expect(names(b.ranking({ minCalls: 3 }))).toEqual(['Alpha', 'Charlie']);
    expect(names(b.ranking({ minCalls: 11 }))).toEqual([]);
    const top = b.ranking({ minCalls: 1, top: 2, sort: 'calls' });
    expect(top.map((r) => [r.rank, r.caller.name])).toEqual([
      [1, 'Alpha'],
      [2, 'Charlie'],
    ]);
    expect(b.ranking({ minCalls: 1, top: 50 })).toHaveLength(5);
  });

  it('breaks ties by score, then calls, then name else id case-insensitively', () => {
    const b = board();
    units(b, [
      { caller: { name: 'Pia' } },
      { caller: { name: 'Quinn' } },
      { caller: { name: 'Quinn' } },
      { caller: { name: 'Bravo' } },
      { caller: { name: 'alpha' } }, // code-unit order would put 'Bravo' first
      { caller: { id: '0abc' } }, // no name: its id
      { caller: { id: 'zz' } },
      { caller: { name: 'Kilo', platform: 'telegram' } },
      { caller: { name: 'kilo', platform: 'discord' } }, // the same name on another platform: another caller
      // A hit outranks them all although it has fewer calls than Quinn.
      { caller: { name: 'Zulu' }, mult: 2 },
    ]);
    const rows = b.ranking({ minCalls: 1 });
    // Zulu (score 0.2065), then every score 0: Quinn (2 calls), then by name or id: 0abc, alpha,
    // bravo, kilo, kilo (same name: the identity key decides, discord before telegram), pia, zz.
    expect(rows.map((r) => `${r.caller.name ?? r.caller.id}/${r.caller.platform}`)).toEqual([
      'Zulu/telegram',
      'Quinn/telegram',
      '0abc/telegram',
      'alpha/telegram',
      'Bravo/telegram',
      'kilo/discord',
      'Kilo/telegram',
      'Pia/telegram',
      'zz/telegram',
    ]);
    // lead: only Zulu has one; the others follow it, in the same tie order.
    expect(names(b.ranking({ minCalls: 1, sort: 'lead' }))).toEqual(names(rows));
  });

  it('settled: only calls whose horizon has passed count, open calls still serve earlier ones', () => {
    const b = board();
    feed(b, [
      { name: 'Alice', mcap: 100_000, at: T0 },
      { name: 'Bob', mcap: 300_000, at: T0 + 10 * MIN },
      { name: 'Carol', token: TOKEN_B, at: T0 + 65 * MIN }, // Alice's horizon has passed; Bob's has not
    ]);
    const all = b.ranking({ minCalls: 1 });
    expect(names(all).sort()).toEqual(['Alice', 'Bob', 'Carol']);
    expect(row(all, 'Bob')).toMatchObject({ calls: 1, open: 1 });
    const settled = b.ranking({ minCalls: 1, settled: true });
    // Alice's multiple 3 comes from Bob's call, open as it is.
    expect(names(settled)).toEqual(['Alice']);
    expect(settled[0]).toMatchObject({ calls: 1, hits: 1, medianMultiple: 3, open: 0, meanFollowers: 1 });
    expect(b.counts().open).toBe(2);
  });

  it('is deterministic: the same calls give the same rows', () => {
    expect(scene().ranking({ minCalls: 1 })).toEqual(scene().ranking({ minCalls: 1 }));
  });
});

describe('caller board: the ring of held calls', () => {
  it('a token whose waiting-for-a-lead call settled gives no lead through a reused slot', () => {
    // A ring of 2 slots: seq n lives in slot n mod the capacity, reused once its call settles.
    const b = new CallerBoardModel({ horizonMs: H, hit: 2 }, 2);
    feed(b, [
      { name: 'Alice', at: T0 }, // seq 0, waiting for another caller
      { name: 'Alice', at: T0 + 30 * MIN }, // seq 1, a repeat: waiting too
      { platform: 'telegram', token: 'Y', at: T0 + H + 1 }, // seq 2: seq 0 settles with no lead
      { name: 'Carol', token: 'Z', at: T0 + H + 2 }, // seq 3 (the ring grows to 4)
      { platform: 'telegram', token: 'Y2', at: T0 + H + 3 }, // seq 4, in seq 0's old slot
      { name: 'Bob', at: T0 + H + 4 }, // leads seq 1 (Alice's repeat): nothing else
    ]);
    const rows = b.ranking({ minCalls: 1 });
    expect(row(rows, 'Carol').medianLeadS).toBeNull();
    expect(row(rows, 'Alice')).toMatchObject({ calls: 1, repeats: 1, medianLeadS: null, meanFollowers: 0 });
  });
});

describe('caller board: memory', () => {
  it('holds only the calls of the last horizon, over 100 horizons', () => {
    const horizon = 10 * MIN;
    const b = new CallerBoardModel({ horizonMs: horizon, hit: 2 });
    let maxHeld = 0;
    let maxTokens = 0;
    // A call every 6 s for 100 horizons: 101 calls in any horizon, edge included.
    for (let k = 0; k <= 100 * 100; k++) {
      const at = T0 + k * 6000;
      const token = k % 3 === 0 ? `NEW-${k}` : `HOT-${k % 7}`;
      b.add(call({ token, name: `c${k % 13}`, mcap: 1000 + (k % 17) * 100, at }));
      maxHeld = Math.max(maxHeld, b.heldCalls());
      maxTokens = Math.max(maxTokens, b.heldTokens());
    }
    expect(maxHeld).toBeLessThanOrEqual(102);
    expect(maxTokens).toBeLessThanOrEqual(102);
    expect(b.counts().calls + b.counts().repeats).toBe(10_001);
    settleAll(b, T0 + 100 * 100 * 6000);
    expect(b.heldCalls()).toBe(1);
    expect(b.heldTokens()).toBe(1);
  });
});

describe('caller board: tokens by the hash of their address', () => {
  // The token index hashes a frame's token bytes where they lie, and anything else by its text:
  // the same address must be one token whichever way its call came.
  const frame = (token: string, name: string, mcap: number, at: number): string =>
    `{"type":"NEW_SCAN","data":{"token_address":"${token}","token_symbol":"BONK","timestamp":${Math.floor(at / 1000)},"caller":{"name":"${name}","platform":"telegram"},"price_data":{"current_price":0.00005,"market_cap":${mcap}}}}`;
  const scanned = (text: string, at: number): Call => {
    const c = classifyBytes(Buffer.from(text), at, false);
    if (!(c instanceof Call)) throw new Error(`not a call: ${String(c)}`);
    return c;
  };

  it('counts a scanned frame, one with an escaped address, a parsed one and a plain object as one token', () => {
    const b = board();
    // Alice's call from the bytes (hashed from its span); the others see it at 2x, 3x and 5x.
    b.add(scanned(frame(TOKEN_A, 'Alice', 100_000, T0), T0));
    // The same address with its first character escaped: read from the parse, hashed from its text.
    const escaped = `\\u${TOKEN_A.charCodeAt(0).toString(16).padStart(4, '0')}${TOKEN_A.slice(1)}`;
    b.add(scanned(frame(escaped, 'Bob', 200_000, T0 + MIN), T0 + MIN));
    b.add(call({ name: 'Carol', mcap: 300_000, at: T0 + 2 * MIN }));
    const plain = call({ name: 'Dave', mcap: 500_000, at: T0 + 3 * MIN });
    const own = { ...plain, kind: 'call', tokenAddress: plain.tokenAddress, tokenName: plain.tokenName, tokenSymbol: plain.tokenSymbol, timestampMs: plain.timestampMs, caller: plain.caller, marketCap: plain.marketCap, price: plain.price, receivedAt: plain.receivedAt, raw: plain.raw, message: plain.message } as const;
    b.add(own);
    expect(b.heldTokens()).toBe(1);
    const alice = row(b.ranking({ minCalls: 1 }), 'Alice');
    expect(alice).toMatchObject({ firstCalls: 1, seenAgain: 1, hits: 1, meanFollowers: 3 });
    expect(alice.best).toEqual({ tokenAddress: TOKEN_A, tokenSymbol: 'BONK', multiple: 5, marketCap: 100_000, peak: 500_000, timeMs: T0 });
    // Another token from its bytes is another entry; both go once their last held call settles.
    b.add(scanned(frame(TOKEN_B, 'Alice', 100_000, T0 + 4 * MIN), T0 + 4 * MIN));
    expect(b.heldTokens()).toBe(2);
    b.add(scanned(frame(TOKEN_B, 'Bob', 100_000, T0 + 3 * MIN + H + 1), T0 + 3 * MIN + H + 1));
    expect(b.heldTokens()).toBe(1);
    expect(row(b.ranking({ minCalls: 1, settled: true }), 'Alice').best?.tokenAddress).toBe(TOKEN_A);
  });
});

describe('medianOfTwo / kthOfTwo / Values', () => {
  it('Values: sorted after any pushes, across growth, merging what is new', () => {
    let seed = 3;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const v = new Values();
    const all: number[] = [];
    for (let round = 0; round < 60; round++) {
      for (let n = Math.floor(rand() * 40); n > 0; n--) {
        const x = Math.floor(rand() * 50) / 4;
        v.push(x);
        all.push(x);
      }
      expect([...v.sorted()]).toEqual([...all].sort((x, y) => x - y));
    }
    expect(v.length).toBe(all.length);
  });

  it('agree with sorting the union', () => {
    let seed = 42;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 500; trial++) {
      const a = times(Math.floor(rand() * 6), () => Math.floor(rand() * 5)).sort((x, y) => x - y);
      const b = times(Math.floor(rand() * 6), () => Math.floor(rand() * 5)).sort((x, y) => x - y);
      const all = [...a, ...b].sort((x, y) => x - y);
      all.forEach((v, k) => expect(kthOfTwo(a, b, k)).toBe(v));
      const n = all.length;
      expect(medianOfTwo(a, b)).toBe(n === 0 ? null : n % 2 ? all[n >> 1]! : (all[n / 2 - 1]! + all[n / 2]!) / 2);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A reference written straight from the SPEC's definitions, quadratic and obvious, against which
// random call sequences check the board's incremental bookkeeping.

interface RefCall {
  t: number;
  token: string;
  caller: string;
  known: boolean;
  ts: number;
  mcap: number;
  symbol: string | null;
  counted: boolean;
  identity: { id: string | null; name: string | null; platform: string | null };
}

function reference(adds: { call: Call; t: number }[], horizon: number, hit: number, options: RankingOptions): { rows: CallerRow[]; counts: BoardCounts } {
  const kept: RefCall[] = [];
  let duplicates = 0;
  const now = adds.length === 0 ? -Infinity : adds[adds.length - 1]!.t;
  const identities = new Map<string, RefCall['identity']>();
  for (const { call: c, t } of adds) {
    const caller = callerKey(c.caller);
    const ts = c.timestampMs ?? -Infinity;
    const token = c.tokenAddress;
    if (kept.some((k) => k.token === token && k.caller === caller && k.ts === ts && t - k.t <= horizon)) {
      duplicates++;
      continue;
    }
    const lastCall = kept.filter((k) => k.token === token && k.caller === caller && k.counted).pop();
    const m = c.marketCap;
    const id = identities.get(caller) ?? { id: null, name: null, platform: null };
    identities.set(caller, { id: c.caller.id || id.id, name: c.caller.name || id.name, platform: c.caller.platform || id.platform });
    kept.push({
      t,
      token,
      caller,
      known: isKnownCaller(c.caller),
      ts,
      mcap: m !== undefined && m > 0 ? m : NaN,
      symbol: c.tokenSymbol ?? null,
      counted: lastCall === undefined || t - lastCall.t > horizon,
      identity: identities.get(caller)!,
    });
  }
  type Acc = { calls: number; repeats: number; first: number; withMcap: number; seen: number; hits: number; followers: number; open: number; mults: number[]; leads: number[]; best: CallerRow['best'] };
  const acc = new Map<string, Acc>();
  const get = (k: string): Acc => {
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { calls: 0, repeats: 0, first: 0, withMcap: 0, seen: 0, hits: 0, followers: 0, open: 0, mults: [], leads: [], best: null }));
    return a;
  };
  let open = 0;
  kept.forEach((e, i) => {
    const isOpen = now - e.t < horizon;
    if (e.counted && isOpen) open++;
    if (!e.known) return;
    const a = get(e.caller);
    if (!e.counted) {
      a.repeats++;
      return;
    }
    if (isOpen) a.open++;
    if (isOpen && options.settled) return;
    const before = kept.slice(0, i).filter((k) => k.token === e.token && e.t - k.t <= horizon);
    const after = kept.slice(i + 1).filter((k) => k.token === e.token && k.t - e.t <= horizon);
    const others = after.filter((k) => k.caller !== e.caller);
    a.calls++;
    if (!before.some((k) => k.caller !== e.caller)) a.first++;
    a.followers += new Set(others.map((k) => k.caller)).size;
    if (others.length > 0) a.leads.push(others[0]!.t - e.t);
    if (e.mcap !== e.mcap) return;
    a.withMcap++;
    const caps = after.map((k) => k.mcap).filter((x) => x === x);
    if (caps.length === 0) {
      a.mults.push(1);
      return;
    }
    const peak = Math.max(...caps);
    const multiple = peak / e.mcap;
    a.seen++;
    a.mults.push(multiple);
    if (multiple >= hit) a.hits++;
    if (a.best === null || multiple > a.best.multiple) a.best = { tokenAddress: e.token, tokenSymbol: e.symbol, multiple, marketCap: e.mcap, peak, timeMs: e.t };
  });
  const median = (xs: number[]): number | null => {
    const s = [...xs].sort((x, y) => x - y);
    const n = s.length;
    return n === 0 ? null : n % 2 ? s[n >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  };
  const rows: (CallerRow & { key: string })[] = [];
  for (const [key, a] of acc) {
    if (a.calls < (options.minCalls ?? 5) || a.calls === 0) continue;
    const lead = median(a.leads);
    rows.push({
      key,
      rank: 0,
      caller: identities.get(key)!,
      calls: a.calls,
      repeats: a.repeats,
      firstCalls: a.first,
      withMcap: a.withMcap,
      seenAgain: a.seen,
      hits: a.hits,
      hitRate: a.withMcap ? a.hits / a.withMcap : 0,
      score: wilsonLowerBound(a.hits, a.withMcap),
      medianMultiple: median(a.mults),
      meanFollowers: a.followers / a.calls,
      medianLeadS: lead === null ? null : lead / 1000,
      open: a.open,
      best: a.best,
    });
  }
  const value = (r: CallerRow): number | null =>
    ({ score: r.score, 'hit-rate': r.hitRate, median: r.medianMultiple, calls: r.calls, first: r.firstCalls, lead: r.medianLeadS === null ? null : -r.medianLeadS })[options.sort ?? 'score'];
  const name = (r: CallerRow): string => (r.caller.name ?? r.caller.id ?? '').toLowerCase();
  rows.sort((x, y) => {
    const vx = value(x);
    const vy = value(y);
    if (vx !== vy) return vx === null ? 1 : vy === null ? -1 : vy - vx;
    if (x.score !== y.score) return y.score - x.score;
    if (x.calls !== y.calls) return y.calls - x.calls;
    if (name(x) !== name(y)) return name(x) < name(y) ? -1 : 1;
    return x.key < y.key ? -1 : 1;
  });
  const out = rows.slice(0, options.top ?? rows.length).map(({ key: _key, ...r }, i) => ({ ...r, rank: i + 1 }));
  return {
    rows: out,
    counts: { calls: kept.filter((k) => k.counted).length, callers: new Set(kept.filter((k) => k.known).map((k) => k.caller)).size, repeats: kept.filter((k) => !k.counted).length, duplicates, open },
  };
}

describe('caller board: against the definitions, on random calls', () => {
  it('gives the rows and counts the SPEC defines at every step', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const horizon = 10 * MIN;
    const callers: Partial<CallSpec>[] = [
      { name: 'Ann' },
      { name: 'ann', id: '9' },
      { name: 'Bob' },
      { id: '7' },
      { name: 'Cy', platform: 'discord' },
      { platform: 'telegram' },
      { platform: 'discord' },
    ];
    const steps = [0, 0, 1, 1000, MIN, MIN, 2 * MIN, 3 * MIN, 5 * MIN, horizon, horizon + 1, 3 * horizon];
    const caps: unknown[] = [undefined, 0, -5, 50_000, 100_000, 100_000, 200_000, 300_000, '150000'];
    let checks = 0;
    for (let run = 0; run < 40; run++) {
      // Half the runs on a ring of 2 slots at first: it grows, and wraps over settled slots.
      const b = new CallerBoardModel({ horizonMs: horizon, hit: 2 }, run % 2 === 0 ? 2 : 1024);
      const adds: { call: Call; t: number }[] = [];
      const specs: CallSpec[] = [];
      let t = T0;
      for (let n = 0; n < 120; n++) {
        t += pick(steps);
        let spec: CallSpec;
        if (specs.length > 0 && rand() < 0.1) {
          spec = { ...pick(specs), at: t }; // the same call again (a duplicate when within the horizon)
        } else {
          spec = { ...pick(callers), token: pick(['A', 'B', 'C']), symbol: pick(['X', 'Y']), mcap: pick(caps), at: t, timestamp: rand() < 0.05 ? undefined : Math.floor(t / 1000) + n };
          specs.push(spec);
        }
        const c = call(spec);
        b.add(c);
        adds.push({ call: c, t });
        if (n % 7 === 6 || n === 119) {
          const options: RankingOptions = { minCalls: pick([1, 1, 2, 3]), sort: pick(CALLER_SORTS), settled: rand() < 0.5, ...(rand() < 0.3 && { top: pick([1, 2, 3]) }) };
          const want = reference(adds, horizon, 2, options);
          const rows = b.ranking(options);
          if (!isDeepStrictEqual(rows, want.rows)) expect(rows).toEqual(want.rows);
          const counts = b.counts();
          if (!isDeepStrictEqual(counts, want.counts)) expect(counts).toEqual(want.counts);
          checks++;
        }
      }
    }
    expect(checks).toBeGreaterThan(500);
  });

  it('keeps them when the held calls outgrow the first ring (a burst of 3000 calls in one horizon)', () => {
    const horizon = 10 * MIN;
    const b = new CallerBoardModel({ horizonMs: horizon, hit: 2 });
    const adds: { call: Call; t: number }[] = [];
    const add = (spec: CallSpec): void => {
      const c = call(spec);
      b.add(c);
      adds.push({ call: c, t: spec.at });
    };
    for (let k = 0; k < 3000; k++) {
      add({ name: `c${k % 11}`, token: `T${(k * 7) % 41}`, mcap: 1000 + ((k * 37) % 101) * 100, timestamp: k, at: T0 + k * 100 });
    }
    expect(b.heldCalls()).toBe(3000);
    for (const settled of [false, true]) expect(b.ranking({ minCalls: 1, settled })).toEqual(reference(adds, horizon, 2, { minCalls: 1, settled }).rows);
    // Half of them settle: the ring wraps past its start.
    add({ name: 'c0', token: 'T0', timestamp: -1, at: T0 + 1500 * 100 + horizon });
    expect(b.heldCalls()).toBeLessThan(3000);
    const want = reference(adds, horizon, 2, { minCalls: 1 });
    expect(b.ranking({ minCalls: 1 })).toEqual(want.rows);
    expect(b.counts()).toEqual(want.counts);
  });
});
