import { describe, expect, it } from 'vitest';
import { HeatWindows, PER_TOKEN } from '../../src/stages/heat.js';
import { CallRate } from '../../src/stages/call-rate.js';
import { call, MIN, T0, TOKEN_A, TOKEN_B } from '../support/messages.js';

const heat = (o: Partial<{ windowMs: number; minCallers: number; max: number }> = {}) =>
  new HeatWindows({ windowMs: 10 * MIN, minCallers: 3, max: 1000, ...o });

describe('Heating up windows', () => {
  it('ranks tokens by distinct known callers in the window, then by the latest call', () => {
    const h = heat();
    h.add(call({ token: TOKEN_A, name: 'Alice', at: T0 }));
    h.add(call({ token: TOKEN_B, name: 'Alice', symbol: 'WIF', at: T0 + 1 }));
    h.add(call({ token: TOKEN_B, name: 'Bob', symbol: 'WIF', at: T0 + 2 }));
    // The same caller again and an unknown caller add no caller.
    h.add(call({ token: TOKEN_B, name: 'alice', symbol: 'WIF', at: T0 + 3 }));
    h.add(call({ token: TOKEN_B, symbol: 'WIF', at: T0 + 4 }));
    const rows = h.rows(T0 + 5, 10);
    expect(rows.map((r) => [r.symbol, r.callers])).toEqual([
      ['WIF', 2],
      ['BONK', 1],
    ]);
    expect(rows[0]!.callerNames).toEqual(['Alice', 'Bob']);
    expect(rows[0]!.platforms).toEqual(['telegram']);
    expect(rows[0]!.firstAt).toBe(T0 + 1);
  });

  it('first market cap in the window → the latest, with the multiple', () => {
    const h = heat();
    h.add(call({ name: 'A', mcap: 120_000, at: T0 }));
    h.add(call({ name: 'B', mcap: undefined, at: T0 + 1 }));
    expect(h.add(call({ name: 'C', mcap: 510_000, at: T0 + 2 }))).toBe(120_000);
    const [row] = h.rows(T0 + 3, 5);
    expect(row).toMatchObject({ firstMcap: 120_000, latestMcap: 510_000, callers: 3 });
    expect(row!.multiple).toBeCloseTo(4.25);
    // A market cap that is not a positive number counts as missing.
    const g = heat();
    g.add(call({ name: 'A', mcap: 0, at: T0 }));
    expect(g.rows(T0, 1)[0]).toMatchObject({ firstMcap: null, latestMcap: null, multiple: null });
  });

  it('is highlighted once it reaches --min-callers', () => {
    const h = heat({ minCallers: 3 });
    h.add(call({ name: 'A', at: T0 }));
    h.add(call({ name: 'B', at: T0 + 1 }));
    expect(h.rows(T0 + 2, 1)[0]!.hot).toBe(false);
    h.add(call({ name: 'C', at: T0 + 2 }));
    expect(h.rows(T0 + 3, 1)[0]!.hot).toBe(true);
  });

  it('calls leave the window as it slides: counts, first market cap and highlight follow', () => {
    const h = heat({ windowMs: 10 * MIN, minCallers: 2 });
    h.add(call({ name: 'A', mcap: 100_000, at: T0 }));
    h.add(call({ name: 'B', mcap: 200_000, at: T0 + 5 * MIN }));
    h.add(call({ name: 'C', mcap: 300_000, at: T0 + 9 * MIN }));
    expect(h.rows(T0 + 9 * MIN, 1)[0]).toMatchObject({ callers: 3, firstMcap: 100_000 });
    // At exactly the window's length after it, A's call is out (the edge excluded, as multi-call).
    expect(h.rows(T0 + 10 * MIN, 1)[0]).toMatchObject({ callers: 2, firstMcap: 200_000, hot: true });
    expect(h.rows(T0 + 15 * MIN, 1)[0]).toMatchObject({ callers: 1, hot: false });
    expect(h.rows(T0 + 20 * MIN, 1)).toEqual([]);
  });

  it('keeps the best `limit` rows among those the filter accepts', () => {
    const h = heat();
    for (let t = 0; t < 20; t++) {
      const token = `T${t}`;
      for (let c = 0; c <= t % 5; c++) h.add(call({ token, symbol: `S${t}`, name: `C${c}`, at: T0 + t * 10 + c }));
    }
    const top = h.rows(T0 + 1000, 3);
    expect(top.map((r) => r.callers)).toEqual([5, 5, 5]);
    expect(top.map((r) => r.symbol)).toEqual(['S19', 'S14', 'S9']);
    const only = h.rows(T0 + 1000, 3, (r) => r.symbol === 'S3');
    expect(only.map((r) => r.symbol)).toEqual(['S3']);
  });

  it('stays bounded by max tokens and calls whatever the feed sends', () => {
    const h = heat({ max: 100 });
    for (let i = 0; i < 5000; i++) h.add(call({ token: `T${i % 700}`, name: `C${i % 13}`, at: T0 + i }));
    expect(h.size).toBeLessThanOrEqual(100);
    expect(h.callCount).toBeLessThanOrEqual(100);
    expect(h.evictions).toBeGreaterThan(0);
    // One token called forever: its window holds PER_TOKEN calls at most.
    const one = heat({ max: 100_000 });
    for (let i = 0; i < PER_TOKEN * 3; i++) one.add(call({ name: `C${i % 7}`, at: T0 + i }));
    expect(one.callCount).toBe(PER_TOKEN);
    expect(one.rows(T0 + PER_TOKEN * 3, 1)[0]!.callers).toBe(7);
  });
});

describe('Heating up windows against a plain model of them', () => {
  it('agree on every ranked row while the ring wraps, grows and drops calls from the middle', () => {
    // A seeded feed: 12 tokens, so each gets more than PER_TOKEN calls within the window (calls
    // dropped from the middle of the ring), and thousands of calls in the window (the ring grows).
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const windowMs = 5000;
    const h = heat({ windowMs, minCallers: 3, max: 1_000_000 });
    type Sent = { token: string; caller: string | undefined; mcap: number | undefined; at: number };
    const all: Sent[] = [];
    // Each token's calls in the order sent (their times only grow): its window is the tail. Filtering
    // all 12,000 calls for every call made the model most of this test's time.
    const byToken = new Map<string, Sent[]>();
    const inWindow = (token: string, now: number): Sent[] => {
      const calls = byToken.get(token) ?? [];
      let from = calls.length;
      while (from > 0 && calls.length - from < PER_TOKEN && calls[from - 1]!.at > now - windowMs) from--;
      return calls.slice(from);
    };
    let at = T0;
    for (let i = 0; i < 12_000; i++) {
      at += 1 + Math.floor(rand() * 2);
      const token = `T${Math.floor(rand() * 12)}`;
      const caller = rand() < 0.1 ? undefined : `C${Math.floor(rand() * 12)}`;
      const mcap = rand() < 0.2 ? undefined : 1000 + Math.floor(rand() * 1e6);
      const before = inWindow(token, at).filter((c) => c.mcap !== undefined).pop()?.mcap ?? null;
      const previous = h.add(call({ token, symbol: token, name: caller, mcap, at }));
      if (previous !== before) expect(previous).toBe(before);
      const sent = { token, caller, mcap, at };
      all.push(sent);
      if (byToken.has(token)) byToken.get(token)!.push(sent);
      else byToken.set(token, [sent]);
      if (i % 1000 !== 999) continue;
      const now = at + Math.floor(rand() * 3000);
      const expected = [...new Set(all.map((c) => c.token))]
        .map((token) => {
          const calls = inWindow(token, now);
          const callers = [...new Set(calls.filter((c) => c.caller !== undefined).map((c) => c.caller!))];
          const mcaps = calls.filter((c) => c.mcap !== undefined).map((c) => c.mcap!);
          return { symbol: token, callers: callers.length, callerNames: callers, firstMcap: mcaps[0] ?? null, latestMcap: mcaps.at(-1) ?? null, firstAt: calls[0]?.at, lastAt: calls.at(-1)?.at };
        })
        .filter((r) => r.callers >= 2)
        .sort((a, b) => b.callers - a.callers || b.lastAt! - a.lastAt!);
      const rows = h.rows(now, 1000).filter((r) => r.callers >= 2);
      expect(rows.map((r) => ({ symbol: r.symbol, callers: r.callers, callerNames: r.callerNames, firstMcap: r.firstMcap, latestMcap: r.latestMcap, firstAt: r.firstAt, lastAt: r.lastAt }))).toEqual(expected);
      expect(h.callCount).toBe([...new Set(all.map((c) => c.token))].reduce((n, token) => n + inWindow(token, now).length, 0));
    }
  });
});

describe('calls a minute', () => {
  it('counts the last 60 seconds, and an hour of minutes for the sparkline', () => {
    const r = new CallRate();
    const base = Date.UTC(2026, 11, 1, 8, 0, 0);
    for (let s = 0; s < 120; s++) r.add(base + s * 1000, 2);
    expect(r.lastMinute(base + 119_000)).toBe(120);
    // Seconds 91 to 119 of the calls are within the 60 seconds up to second 150.
    expect(r.lastMinute(base + 150_000)).toBe(58);
    expect(r.lastMinute(base + 300_000)).toBe(0);
    const minutes = r.minutes(base + 119_000);
    expect(minutes).toHaveLength(60);
    expect(minutes.slice(-3)).toEqual([0, 120, 120]);
    // An hour later the buckets have aged out, with no timer.
    expect(r.minutes(base + 3_600_000 + 120_000).every((n) => n === 0)).toBe(true);
    expect(r.minutes(base + 3_540_000)[0]).toBe(120);
  });
});
