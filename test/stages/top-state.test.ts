import { describe, expect, it } from 'vitest';
import { createCallerBoard } from '../../src/stages/caller-board.js';
import { LATEST_MAX, TopState } from '../../src/stages/top-state.js';
import { newSourceCounts } from '../../src/pipeline/source.js';
import { call, MIN, other, T0, TOKEN_A, TOKEN_B } from '../support/messages.js';

const VIEW = { heatRows: 5, callerRows: 5, latestRows: 5 };

function topState(o: Partial<{ stateMax: number; minCallers: number }> = {}) {
  const board = createCallerBoard({ horizonMs: 24 * 60 * MIN, hit: 2 });
  return new TopState({ windowMs: 10 * MIN, minCallers: 3, stateMax: 100_000, minCalls: 1, board, startedAt: T0, ...o });
}

describe('the board model', () => {
  it('counts received, output, filtered, skipped and reconnects', () => {
    const s = topState();
    const counts = newSourceCounts();
    s.source = counts;
    counts.received = 10;
    counts.skipped['not-json'] = 2;
    s.add([call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + 1 }), other(T0 + 2)]);
    s.status({ type: 'reconnecting', reason: 'pong timeout', delayMs: 4000, attempt: 1 }, T0 + 3);
    const snap = s.snapshot(T0 + 1000, VIEW);
    // 10 received: 2 skipped, 2 calls and 1 other message passed, so 5 were filtered out.
    expect(snap.counts).toEqual({ received: 10, output: 2, filtered: 5, skipped: 2, reconnects: 1 });
    expect(snap.upMs).toBe(1000);
  });

  it('the link state and its reason come from the statuses', () => {
    const s = topState();
    expect(s.snapshot(T0, VIEW).link).toEqual({ state: 'connecting' });
    s.status({ type: 'connected', url: 'ws://x', reconnected: false });
    expect(s.snapshot(T0, VIEW).link).toEqual({ state: 'connected' });
    s.status({ type: 'reconnecting', reason: 'pong timeout', delayMs: 4000, attempt: 1 }, T0);
    expect(s.snapshot(T0, VIEW).link).toEqual({ state: 'reconnecting', reason: 'pong timeout', retryAt: T0 + 4000 });
    s.status({ type: 'skipped', kind: 'binary', count: 1 });
    expect(s.snapshot(T0, VIEW).link.state).toBe('reconnecting');
  });

  it('latest calls newest first, each with how its market cap moved', () => {
    const s = topState();
    s.add([call({ name: 'A', mcap: 100_000, at: T0 }), call({ name: 'B', mcap: 150_000, at: T0 + 1 }), call({ name: 'C', mcap: 90_000, at: T0 + 2 })]);
    s.add([call({ token: TOKEN_B, name: 'D', mcap: 5_000, at: T0 + 3 })]);
    const latest = s.snapshot(T0 + 4, VIEW).latest;
    expect(latest.map((l) => [l.call.caller.name, l.move])).toEqual([
      ['D', 0],
      ['C', -1],
      ['B', 1],
      ['A', 0],
    ]);
  });

  it('the / filter matches symbol, name, caller or address in every panel', () => {
    const s = topState();
    s.add([
      call({ token: TOKEN_A, symbol: 'BONK', tokenName: 'Bonk Inu', name: 'Alice', at: T0 }),
      call({ token: TOKEN_B, symbol: 'WIF', tokenName: 'dogwifhat', name: 'Bob', at: T0 + 1 }),
    ]);
    const by = (filter: string) => {
      const snap = s.snapshot(T0 + 2, { ...VIEW, filter });
      return { heat: snap.heat.map((r) => r.symbol), latest: snap.latest.map((l) => l.call.tokenSymbol), callers: snap.callers.map((r) => r.caller.name) };
    };
    expect(by('wif')).toEqual({ heat: ['WIF'], latest: ['WIF'], callers: [] });
    expect(by('ALICE')).toEqual({ heat: ['BONK'], latest: ['BONK'], callers: ['Alice'] });
    expect(by(TOKEN_B.slice(5, 15).toLowerCase())).toMatchObject({ heat: ['WIF'], latest: ['WIF'] });
    expect(by('bonk inu').heat).toEqual(['BONK']);
    expect(by('').latest).toHaveLength(2);
  });

  it('the Callers panel is the caller board, with --min-calls', () => {
    const s = topState();
    s.add([call({ name: 'Alice', at: T0 }), call({ token: TOKEN_B, name: 'Alice', at: T0 + 1 }), call({ name: 'Bob', at: T0 + 2 })]);
    const snap = s.snapshot(T0 + 3, VIEW);
    expect(snap.callers.map((r) => [r.caller.name, r.calls])).toEqual([
      ['Alice', 2],
      ['Bob', 1],
    ]);
    expect(snap.board.callers).toBe(2);
    // History primes the board alone: no other panel, no counter sees it.
    s.addHistory(call({ name: 'Carol', at: T0 - MIN }));
    const after = s.snapshot(T0 + 2000, VIEW);
    expect(after.callers.map((r) => r.caller.name)).toContain('Carol');
    expect(after.latest).toHaveLength(3);
    expect(after.counts.output).toBe(3);
  });

  it('stays bounded whatever the feed sends: latest calls, windows, the board', () => {
    const s = topState({ stateMax: 1000 });
    for (let i = 0; i < 20_000; i += 100) {
      const batch = [];
      for (let k = 0; k < 100; k++) batch.push(call({ token: `T${i + k}`, name: `C${(i + k) % 50}`, at: T0 + i + k }));
      s.add(batch);
    }
    const snap = s.snapshot(T0 + 20_000, { heatRows: 10, callerRows: 10, latestRows: 1000 });
    expect(snap.latest.length).toBeLessThanOrEqual(LATEST_MAX * 2);
    expect(s.heat.size).toBeLessThanOrEqual(1000);
    expect(s.heat.callCount).toBeLessThanOrEqual(1000);
    // The board stops taking calls once it holds --state-max of them.
    expect(snap.board.open).toBeLessThanOrEqual(1000 + 256);
    expect(s.boardSkipped).toBeGreaterThan(0);
    expect(snap.counts.output).toBe(20_000);
  });

  it('a snapshot is bounded by the rows asked for', () => {
    const s = topState();
    for (let i = 0; i < 50; i++) s.add([call({ token: `T${i}`, name: `C${i}`, at: T0 + i })]);
    const snap = s.snapshot(T0 + 100, { heatRows: 3, callerRows: 4, latestRows: 5 });
    expect([snap.heat.length, snap.callers.length, snap.latest.length]).toEqual([3, 4, 5]);
  });
});
