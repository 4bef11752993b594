import { afterEach, describe, expect, it } from 'vitest';
// The package's own entry, as a bot developer imports it (package.json "exports" → dist/).
import { CALLER_SORTS, RexiLiveError, createCallerBoard, liveCalls, type CallerBoard, type CallerBoardOptions, type RankingOptions } from 'rexi-live';
import { startBareServer, type BareServer } from '../support/ws-server.js';
import { take } from '../support/take.js';

const servers: BareServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const TOKEN = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';
const frame = (caller: Record<string, string>, marketCap: number, timestamp: number): string =>
  JSON.stringify({ type: 'NEW_SCAN', data: { token_address: TOKEN, token_symbol: 'BONK', timestamp, caller: { platform: 'telegram', ...caller }, price_data: { market_cap: marketCap } } });

describe('createCallerBoard from the package entry', () => {
  it('ranks the callers of calls from liveCalls, each at its receivedAt', async () => {
    const server = await startBareServer((ws) => {
      ws.send(frame({ id: 'a', name: 'Alpha Vault' }, 100_000, 1_764_000_000));
      ws.send(frame({ id: 'b', name: 'Bravo' }, 300_000, 1_764_000_001));
      ws.send(frame({ id: 'a', name: 'Alpha Vault' }, 150_000, 1_764_000_002)); // a repeat
      ws.send(frame({}, 50_000, 1_764_000_003)); // the unknown caller of telegram
    });
    servers.push(server);
    const calls = await take(liveCalls({ url: server.url }), 4);
    const board = createCallerBoard({ horizonMs: 24 * 3_600_000, hit: 2 });
    for (const call of calls) board.add(call);
    const rows = board.ranking({ minCalls: 1 });
    // Alpha: peak max(300K, 150K, 50K) = 300K over its 100K: 3×, a hit; Wilson(1 of 1) = 1 / 4.8416.
    // Bravo: peak max(150K, 50K) = 150K over 300K: 0.5×; Alpha called before it: no first call.
    expect(rows.map((r) => [r.rank, r.caller.name, r.calls, r.repeats, r.firstCalls, r.hits, r.medianMultiple, r.open])).toEqual([
      [1, 'Alpha Vault', 1, 1, 1, 1, 3, 1],
      [2, 'Bravo', 1, 0, 0, 0, 0.5, 1],
    ]);
    expect(rows[0]!.score).toBeCloseTo(1 / 4.8416, 12);
    expect(rows[0]!.caller).toEqual({ id: 'a', name: 'Alpha Vault', platform: 'telegram' });
    expect(rows[0]!.best).toEqual({ tokenAddress: TOKEN, tokenSymbol: 'BONK', multiple: 3, marketCap: 100_000, peak: 300_000, timeMs: calls[0]!.receivedAt });
    // Received within a second: every call is still open, so none counts with settled.
    expect(board.ranking({ minCalls: 1, settled: true })).toEqual([]);
    expect(board.counts()).toEqual({ calls: 3, callers: 2, repeats: 1, duplicates: 0, open: 3 });
  });

  it('takes explicit times, and the same call added twice counts once', async () => {
    const server = await startBareServer((ws) => ws.send(frame({ name: 'Solo' }, 100_000, 1_764_000_000)));
    servers.push(server);
    const [call] = await take(liveCalls({ url: server.url }), 1);
    const board = createCallerBoard({ horizonMs: 60_000, hit: 1.5 });
    board.add(call!, 1_000);
    board.add(call!, 2_000);
    expect(board.counts()).toMatchObject({ calls: 1, duplicates: 1, open: 1 });
    // 60 s after the first copy its horizon has passed; the same call more than 60 s later is a new one.
    board.add(call!, 61_001);
    expect(board.counts()).toMatchObject({ calls: 2, duplicates: 1, open: 1 });
    expect(board.ranking({ minCalls: 2 }).map((r) => [r.caller.name, r.calls, r.open])).toEqual([['Solo', 2, 1]]);
  });

  it('throws REXI_BAD_OPTION naming the option, before any call', () => {
    const badBoards: Array<[CallerBoardOptions, RegExp]> = [
      [{ horizonMs: 0, hit: 2 }, /^horizonMs /],
      [{ horizonMs: -1, hit: 2 }, /^horizonMs /],
      [{ horizonMs: Number.NaN, hit: 2 }, /^horizonMs /],
      [{ horizonMs: Infinity, hit: 2 }, /^horizonMs /],
      [{ horizonMs: 1000, hit: 1 }, /^hit must be a multiple above 1$/],
      [{ horizonMs: 1000, hit: 0.5 }, /^hit /],
      [{ horizonMs: 1000, hit: '2x' as never }, /^hit /],
      [{ horizonMs: 1000 } as CallerBoardOptions, /^hit /],
    ];
    for (const [options, message] of badBoards) expectBadOption(() => createCallerBoard(options), message);
    const board: CallerBoard = createCallerBoard({ horizonMs: 1000, hit: 2 });
    const badRankings: Array<[RankingOptions, RegExp]> = [
      [{ minCalls: 0 }, /^minCalls /],
      [{ minCalls: 2.5 }, /^minCalls /],
      [{ top: 0 }, /^top /],
      [{ top: -3 }, /^top /],
      [{ sort: 'bogus' as never }, /^sort must be one of score, hit-rate, median, calls, first, lead$/],
    ];
    for (const [options, message] of badRankings) expectBadOption(() => board.ranking(options), message);
    expect(board.ranking()).toEqual([]);
    expect(CALLER_SORTS).toEqual(['score', 'hit-rate', 'median', 'calls', 'first', 'lead']);
  });
});

function expectBadOption(f: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(RexiLiveError);
  expect((thrown as RexiLiveError).code).toBe('REXI_BAD_OPTION');
  expect((thrown as Error).message).toMatch(message);
}
