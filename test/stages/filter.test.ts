import { describe, expect, it } from 'vitest';
import { classifyFrame, type Call, type OtherMessage } from '../../src/wire/calls.js';
import { compileFilter, createFilterStage, type FilterSpec, type NonePassed } from '../../src/stages/filter.js';

type Message = Call | OtherMessage;

function frameText(raw: string): Message {
  const m = classifyFrame(raw, 0, true);
  if (typeof m === 'string') throw new Error(`fixture was skipped: ${m}`);
  return m;
}

function frame(value: unknown): Message {
  const m = classifyFrame(JSON.stringify(value), 0, true);
  if (typeof m === 'string') throw new Error(`fixture was skipped: ${m}`);
  return m;
}

const call = (token_address: string, data: Record<string, unknown>): Message =>
  frame({ type: 'NEW_SCAN', data: { token_address, ...data } });

/** Ten calls and two non-calls; each test names the addresses it expects through. */
const BATCH: Message[] = [
  call('T1', { token_symbol: 'BONK', caller: { id: 'u1', name: 'Alice', platform: 'telegram' }, price_data: { market_cap: 250_000 } }),
  call('T2', { token_symbol: 'bonk', caller: { id: 'u2', name: 'Bob', platform: 'Discord' }, price_data: { market_cap: 1_000_000 } }),
  call('T3', { token_symbol: 'PEPE', caller: { id: 12345, name: 'Carol', platform: 'twitter' }, price_data: { market_cap: '2000000' } }),
  call('T4', { token_symbol: 'WIF', caller: { id: 'u1', name: 'ALICE', platform: 'TELEGRAM' }, price_data: { market_cap: 5_000 } }),
  call('T5', { token_symbol: 'PEPE', caller: { id: 'u5', platform: 'telegram' }, price_data: {} }),
  call('T6', { token_symbol: 'DOGE', price_data: { market_cap: 750_000 } }),
  call('t7', { token_symbol: 42, caller: { name: 'Dave', platform: 'discord' }, price_data: { market_cap: 'lots' } }),
  call('T8', { caller: 'not-an-object', price_data: null }),
  call('T9', { token_symbol: 'BONK', caller: { id: '1094872340978122843', name: 'Eve', platform: 'x' }, price_data: { market_cap: 1_000_000 } }),
  frameText('{"type":"NEW_SCAN","data":{"token_address":"T10","token_symbol":"SNOW","caller":{"id":1094872340978122843,"name":"Frank","platform":"discord"},"price_data":{"market_cap":2000000.5}}}'),
  frame({ type: 'HEARTBEAT', data: { token_symbol: 'BONK' } }),
  frame({ type: 'NEW_SCAN', data: { token_symbol: 'BONK' } }), // no token_address: not a call
];
const ALL_CALLS = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 't7', 'T8', 'T9', 'T10'];

const spec = (over: Partial<FilterSpec>): FilterSpec => ({
  callers: [],
  excludeCallers: [],
  platforms: [],
  tokens: [],
  symbols: [],
  ...over,
});

function passing(over: Partial<FilterSpec>): string[] {
  const filter = compileFilter(spec(over));
  if (filter === undefined) throw new Error('no filter compiled');
  return BATCH.filter(filter).map((m) => (m as Call).tokenAddress);
}

describe('compileFilter', () => {
  it('returns undefined when no filter is set, so the hot path skips it', () => {
    expect(compileFilter(spec({}))).toBeUndefined();
  });

  it('--caller matches the name or the id, case-insensitively, OR across values', () => {
    expect(passing({ callers: ['alice'] })).toEqual(['T1', 'T4']);
    expect(passing({ callers: ['U2'] })).toEqual(['T2']);
    expect(passing({ callers: ['bob', 'carol'] })).toEqual(['T2', 'T3']);
    expect(passing({ callers: ['u5'] })).toEqual(['T5']); // id only, no name
  });

  it('--caller compares a numeric id by its text', () => {
    expect(passing({ callers: ['12345'] })).toEqual(['T3']);
  });

  it('--caller finds an id beyond 2^53 whether the feed sent it as a string or a number', () => {
    expect(passing({ callers: ['1094872340978122843'] })).toEqual(['T9', 'T10']);
  });

  it('--exclude-caller drops those callers and keeps calls without one', () => {
    expect(passing({ excludeCallers: ['ALICE'] })).toEqual(['T2', 'T3', 'T5', 'T6', 't7', 'T8', 'T9', 'T10']);
    expect(passing({ excludeCallers: ['u2', 'dave'] })).toEqual(['T1', 'T3', 'T4', 'T5', 'T6', 'T8', 'T9', 'T10']);
  });

  it('--platform matches data.caller.platform, case-insensitively', () => {
    expect(passing({ platforms: ['telegram'] })).toEqual(['T1', 'T4', 'T5']);
    expect(passing({ platforms: ['DISCORD', 'x'] })).toEqual(['T2', 'T3', 't7', 'T9', 'T10']);
    expect(passing({ platforms: ['not-an-object'] })).toEqual([]);
  });

  it('--platform x matches twitter and --platform twitter matches x: X is what twitter is called now', () => {
    expect(passing({ platforms: ['x'] })).toEqual(['T3', 'T9']);
    expect(passing({ platforms: ['Twitter'] })).toEqual(['T3', 'T9']);
    expect(passing({ platforms: ['X', 'telegram'] })).toEqual(['T1', 'T3', 'T4', 'T5', 'T9']);
  });

  it('--min-mcap / --max-mcap are inclusive; numeric strings count; a missing or bad mcap fails', () => {
    expect(passing({ minMcap: 1_000_000 })).toEqual(['T2', 'T3', 'T9', 'T10']);
    expect(passing({ maxMcap: 250_000 })).toEqual(['T1', 'T4']);
    expect(passing({ minMcap: 250_000, maxMcap: 1_000_000 })).toEqual(['T1', 'T2', 'T6', 'T9']);
    expect(passing({ minMcap: 0 })).toEqual(['T1', 'T2', 'T3', 'T4', 'T6', 'T9', 'T10']);
  });

  it('--token matches data.token_address, case-insensitively', () => {
    expect(passing({ tokens: ['T7', 'T1'] })).toEqual(['T1', 't7']);
  });

  it('--symbol matches data.token_symbol, case-insensitively, numbers by their text', () => {
    expect(passing({ symbols: ['BONK'] })).toEqual(['T1', 'T2', 'T9']);
    expect(passing({ symbols: ['pepe', '42'] })).toEqual(['T3', 'T5', 't7']);
  });

  it('combines flags with AND', () => {
    expect(passing({ symbols: ['bonk'], platforms: ['telegram', 'discord'] })).toEqual(['T1', 'T2']);
    expect(passing({ platforms: ['telegram'], excludeCallers: ['alice'] })).toEqual(['T5']);
    expect(passing({ symbols: ['bonk'], minMcap: 500_000, excludeCallers: ['eve'] })).toEqual(['T2']);
    expect(passing({ callers: ['alice'], tokens: ['t4'], maxMcap: 10_000 })).toEqual(['T4']);
    expect(passing({ callers: ['alice'], platforms: ['discord'] })).toEqual([]);
  });

  it('lets every call through a filter that excludes nobody, and no non-call through any filter', () => {
    expect(passing({ excludeCallers: ['nobody'] })).toEqual(ALL_CALLS);
    const filter = compileFilter(spec({ excludeCallers: ['nobody'] }))!;
    expect(BATCH.filter((m) => m.kind !== 'call').map(filter)).toEqual([false, false]);
  });
});

describe('the filter stage', () => {
  it('passes a batch through whole when nothing is set, and counts what a filter drops', () => {
    const none = createFilterStage(spec({}));
    expect(none.transform(BATCH)).toBe(BATCH);
    expect(none.summary?.()).toBe('filtered 0');
    const telegram = createFilterStage(spec({ platforms: ['telegram'] }));
    expect(telegram.transform(BATCH).map((m) => (m as Call).tokenAddress)).toEqual(['T1', 'T4', 'T5']);
    expect(telegram.summary?.()).toBe(`filtered ${BATCH.length - 3}`);
  });
});

describe('the filter stage reports a run of calls that none passes', () => {
  const miss = (i: number, name = `Caller ${i % 20}`, platform = i % 2 ? 'telegram' : 'discord'): Message =>
    call(`M${i}`, { caller: { id: `c${i}`, name, platform }, price_data: { market_cap: 1000 } });
  const hit = call('HIT', { caller: { id: 'g', name: 'Gem Hunters', platform: 'telegram' } });
  const setup = () => {
    let t = 1_000_000;
    const reports: NonePassed[] = [];
    const stage = createFilterStage(spec({ callers: ['Gem Hunters'] }), { onNonePassed: (f) => reports.push(f), now: () => t });
    return { stage, reports, advance: (ms: number) => (t += ms) };
  };

  it('after 1,000 calls, with a few of the callers and platforms seen (bounded)', () => {
    const { stage, reports } = setup();
    stage.transform(Array.from({ length: 999 }, (_, i) => miss(i)));
    expect(reports).toEqual([]);
    stage.transform([miss(999)]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.calls).toBe(1000);
    expect(reports[0]!.callers).toEqual(['Caller 0', 'Caller 1', 'Caller 2', 'Caller 3', 'Caller 4', 'Caller 5', 'Caller 6', 'Caller 7']);
    expect(reports[0]!.platforms).toEqual(['discord', 'telegram']);
  });

  it('after 10 s with fewer calls; then at most once a minute', () => {
    const { stage, reports, advance } = setup();
    stage.transform([miss(1)]);
    advance(9_000);
    stage.transform([miss(2)]);
    expect(reports).toEqual([]);
    advance(1_000);
    stage.transform([miss(3)]);
    expect(reports.map((r) => r.calls)).toEqual([3]);
    advance(30_000);
    stage.transform(Array.from({ length: 2000 }, (_, i) => miss(i)));
    expect(reports).toHaveLength(1);
    advance(30_000);
    stage.transform([miss(4)]);
    expect(reports.map((r) => r.calls)).toEqual([3, 2004]);
  });

  it('a call that passes ends the run: nothing to report', () => {
    const { stage, reports, advance } = setup();
    stage.transform(Array.from({ length: 600 }, (_, i) => miss(i)));
    stage.transform([hit]);
    stage.transform(Array.from({ length: 600 }, (_, i) => miss(i)));
    advance(5_000);
    stage.transform([miss(1)]);
    expect(reports).toEqual([]);
  });

  it('samples only the run being reported, in order, across batches and a pass inside one', () => {
    const { stage, reports } = setup();
    const other = frame({ type: 'HEARTBEAT', data: {} });
    // A run that a pass ends mid-batch leaves nothing behind; the next one starts after the pass.
    stage.transform([miss(0, 'Old', 'old'), miss(1, 'Older', 'older'), hit, miss(2, 'A', 'x'), other, miss(3, 'B', 'X')]);
    stage.transform([miss(4, 'A', 'discord'), other, ...Array.from({ length: 400 }, (_, i) => miss(i, 'C', 'Telegram'))]);
    stage.transform([...Array.from({ length: 600 }, (_, i) => miss(i, `D${i}`, `p${i}`)), hit]);
    expect(reports).toEqual([]);
    stage.transform([hit, miss(5, 'E', 'e'), hit, ...Array.from({ length: 1000 }, (_, i) => miss(i, `F${i % 3}`, 'f'))]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!).toEqual({ calls: 1000, callers: ['F0', 'F1', 'F2'], platforms: ['f'] });
    // The run before, had it gone on: the callers after the first pass, platforms lower-cased.
    const again = setup();
    again.stage.transform([miss(0, 'Old', 'old'), hit, miss(2, 'A', 'x'), other, miss(3, 'B', 'X')]);
    again.stage.transform([miss(4, 'A', 'discord'), ...Array.from({ length: 997 }, (_, i) => miss(i, `D${i}`, `p${i}`))]);
    expect(again.reports).toEqual([
      { calls: 1000, callers: ['A', 'B', 'D0', 'D1', 'D2', 'D3', 'D4', 'D5'], platforms: ['x', 'discord', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5'] },
    ]);
  });

  it('remembers at most 64 characters of a name, and nothing when no filter is set', () => {
    const { stage, reports } = setup();
    stage.transform(Array.from({ length: 1000 }, (_, i) => miss(i, 'N'.repeat(10_000), 'P'.repeat(10_000))));
    expect(reports[0]!.callers).toEqual(['N'.repeat(64)]);
    expect(reports[0]!.platforms).toEqual(['p'.repeat(64)]);
    const none: NonePassed[] = [];
    createFilterStage(spec({}), { onNonePassed: (f) => none.push(f) }).transform(Array.from({ length: 1000 }, (_, i) => miss(i)));
    expect(none).toEqual([]);
  });
});
