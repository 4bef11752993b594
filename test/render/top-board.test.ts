import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Board, REFRESH_MS, type BoardProps, type Quit } from '../../src/render/top/board.js';
import { createChalk } from '../../src/render/color.js';
import { createCallerBoard } from '../../src/stages/caller-board.js';
import { TopState } from '../../src/stages/top-state.js';
import { displayWidth } from '../../src/render/width.js';
import { call, MIN, T0, TOKEN_A, TOKEN_B } from '../support/messages.js';
import { forbiddenIn, SGR } from '../support/hostile.js';

/**
 * The board drawn by Ink into ink-testing-library's fake terminal, from a real model fed a fixed
 * feed at fixed times: frames, keys, the filter, sizes, hostile names.
 */

const NOW = T0 + 2 * MIN + 30_000;
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));
/** Waits until the frame shows what a key should have done: Ink waits a little after a lone ESC. */
async function until(test: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) return;
    await tick(20);
  }
}
const KEY = { up: '\x1b[A', down: '\x1b[B', tab: '\t', esc: '\x1b', enter: '\r', ctrlC: '\x03' };

function feed(state: TopState): void {
  state.status({ type: 'connected', url: 'ws://127.0.0.1/x', reconnected: false });
  state.add([
    call({ token: TOKEN_A, symbol: 'BONK', name: 'Alice', mcap: 120_000, at: T0 }),
    call({ token: TOKEN_A, symbol: 'BONK', name: 'Bob', mcap: 300_000, at: T0 + MIN }),
    call({ token: TOKEN_B, symbol: 'WIF', tokenName: 'dogwifhat', name: 'Carol', mcap: 900_000, at: T0 + MIN + 1 }),
    call({ token: TOKEN_A, symbol: 'BONK', name: 'Carol', mcap: 510_000, at: T0 + 2 * MIN }),
  ]);
}

function newState(): TopState {
  const board = createCallerBoard({ horizonMs: 24 * 60 * MIN, hit: 2 });
  return new TopState({ windowMs: 10 * MIN, minCallers: 3, stateMax: 100_000, minCalls: 1, board, startedAt: T0 });
}

let mounted: Array<{ unmount(): void }> = [];
afterEach(() => {
  for (const m of mounted) m.unmount();
  mounted = [];
});

function mount(overrides: Partial<BoardProps> = {}, state = newState()) {
  if (overrides.state === undefined) feed(state);
  const quits: Quit[] = [];
  const written: string[] = [];
  const props: BoardProps = {
    state,
    source: 'ws://127.0.0.1:8080/solana/monitor/livecalls?api_key=***',
    theme: { chalk: createChalk(0) },
    windowText: '10m',
    minCallers: 3,
    onQuit: (how) => quits.push(how),
    writeTerminal: (s) => written.push(s),
    refreshMs: 20,
    now: () => NOW,
    size: { columns: 100, rows: 30 },
    timeZone: 'UTC',
    ...overrides,
  };
  const app = render(createElement(Board, props));
  mounted.push(app);
  const frame = () => app.lastFrame() ?? '';
  return { app, frame, quits, written, state, props };
}

const lines = (frame: string) => frame.split('\n');

describe('top: the board', () => {
  it('draws the header, Heating up, Callers and Latest calls for a fixed feed', () => {
    const { frame } = mount();
    const f = frame();
    expect(f).toContain('rexi-live top  ● connected  up 2m30s  ws://127.0.0.1:8080/solana/monitor/livecalls?api_key=***');
    // One call in the last 60 seconds; the sparkline's last minutes: 1, 2, 1 calls.
    expect(f).toMatch(/ {5}1 calls\/min +▅█▅ 1h/);
    expect(f).toContain('received 4  output 4  filtered 0  skipped 0  reconnects 0');
    // BONK: 3 callers, reached --min-callers (*), its first market cap → the latest, ×4.3, 3 minutes.
    expect(f).toMatch(/›\*BONK\s+3\s+\$120\.0K → +\$510\.0K +×4\.3 +2m30s .*Alice, Bob, Carol/);
    expect(f).toMatch(/ {2}WIF\s+1\s+\$900\.0K → +\$900\.0K +×1 /);
    expect(f).toMatch(/Callers · 3 callers, 4 calls/);
    expect(f).toMatch(/\d Carol\s+telegram\s+2 /);
    // Latest calls newest first, as lines prints them (UTC here), the address last.
    const latest = lines(f).filter((l) => /^ {2}07:4\d:\d\d /.test(l));
    expect(latest.map((l) => l.slice(2, 10))).toEqual(['07:42:00', '07:41:00', '07:41:00', '07:40:00']);
    expect(latest[0]).toContain(TOKEN_A);
    expect(lines(f).every((l) => displayWidth(l) <= 100)).toBe(true);
    expect(lines(f).length).toBeLessThanOrEqual(29);
  });

  it('colours a market cap that moved up green and down red, only when colour is on', () => {
    const state = newState();
    state.add([call({ name: 'A', mcap: 100_000, at: T0 }), call({ name: 'B', mcap: 200_000, at: T0 + 1 })]);
    state.add([call({ token: TOKEN_B, name: 'A', symbol: 'WIF', mcap: 100_000, at: T0 + 2 }), call({ token: TOKEN_B, symbol: 'WIF', name: 'B', mcap: 50_000, at: T0 + 3 })]);
    const { frame } = mount({ state, theme: { chalk: createChalk(1) } });
    expect(frame()).toContain('\x1b[32m $200.0K\x1b[39m');
    expect(frame()).toContain('\x1b[31m  $50.0K\x1b[39m');
    const plain = mount({ state }).frame();
    expect(plain).not.toMatch(SGR);
  });

  it('q quits, Ctrl-C quits as an interrupt', async () => {
    const a = mount();
    a.app.stdin.write('q');
    await until(() => a.quits.length > 0);
    expect(a.quits).toEqual(['q']);
    const b = mount();
    b.app.stdin.write(KEY.ctrlC);
    await until(() => b.quits.length > 0);
    expect(b.quits).toEqual(['ctrl-c']);
  });

  it('p pauses the panels while the header goes on counting', async () => {
    const { app, frame, state } = mount();
    app.stdin.write('p');
    await until(() => frame().includes('paused'));
    state.add([call({ token: 'NEWTOKEN111', symbol: 'NEWT', name: 'Dave', at: T0 + 2 * MIN + 5 })]);
    await tick(100);
    expect(frame()).toContain('paused');
    expect(frame()).toContain('received 5  output 5');
    expect(frame()).not.toContain('NEWT');
    app.stdin.write('p');
    await until(() => frame().includes('NEWT'));
    expect(frame()).not.toContain(' paused ');
    expect(frame()).toContain('NEWT');
  });

  it('a filter typed while paused applies at once to the board as it was paused', async () => {
    const state = newState();
    feed(state);
    // More tokens with two callers than Heating up has rows: OLDEST ranks last, off the screen.
    const more = [call({ token: 'OldestTok1111', symbol: 'OLDEST', name: 'Erin', at: T0 + 10 }), call({ token: 'OldestTok1111', symbol: 'OLDEST', name: 'Finn', at: T0 + 11 })];
    for (let i = 0; i < 20; i++) {
      for (const name of ['Gus', 'Hal']) more.push(call({ token: `FillerTok${i}`, symbol: `FILL${i}`, name, at: T0 + MIN + 100 + i }));
    }
    state.add(more);
    const { app, frame } = mount({ state });
    expect(frame()).not.toContain('OLDEST');
    app.stdin.write('p');
    await until(() => frame().includes('paused'));
    // The stream goes on: a new call is counted, not drawn.
    state.add([call({ token: 'NEWTOKEN111', symbol: 'NEWT', name: 'Dave', at: T0 + 2 * MIN + 5 })]);
    await tick(100);
    for (const key of ['/', ...'oldest', KEY.enter]) {
      app.stdin.write(key);
      await tick(20);
    }
    await until(() => frame().includes('filter "oldest"') && frame().includes('OLDEST'));
    expect(frame()).toContain('paused');
    expect(frame()).toContain('filter "oldest"');
    expect(frame()).toMatch(/OLDEST\s+2 /);
    expect(frame()).not.toContain('BONK');
    for (const key of ['/', KEY.esc]) {
      app.stdin.write(key);
      await tick(20);
    }
    await until(() => frame().includes('BONK'));
    // Cleared: the paused board again, as it was, without what came since.
    expect(frame()).toContain('paused');
    expect(frame()).toContain('BONK');
    expect(frame()).not.toContain('OLDEST');
    expect(frame()).not.toContain('NEWT');
    expect(frame()).toContain('received 47  output 47');
    app.stdin.write('p');
    await until(() => frame().includes('NEWT'));
    expect(frame()).not.toContain(' paused ');
  });

  it('/ types a filter: Enter applies it to every panel, Esc clears it', async () => {
    const { app, frame } = mount();
    app.stdin.write('/');
    await until(() => frame().includes('Enter applies'));
    for (const ch of 'wif') {
      app.stdin.write(ch);
      await tick(20);
    }
    expect(frame()).toContain('/ wif');
    app.stdin.write(KEY.enter);
    await until(() => frame().includes('filter "wif"'));
    expect(frame()).toContain('filter "wif"');
    expect(frame()).not.toContain('BONK');
    expect(frame()).toMatch(/WIF/);
    app.stdin.write(KEY.esc);
    await until(() => frame().includes('BONK'));
    expect(frame()).toContain('BONK');
    expect(frame()).not.toContain('filter "wif"');
  });

  it('Tab moves between panels, ↑/↓ select, c copies the address (OSC 52), o shows the links (OSC 8)', async () => {
    const { app, frame, written } = mount();
    app.stdin.write(KEY.down);
    await until(() => /› WIF/.test(frame()));
    expect(frame()).toMatch(/› WIF/);
    app.stdin.write('c');
    await until(() => written.length > 0 && frame().includes('copied'));
    expect(written).toEqual([`\x1b]52;c;${Buffer.from(TOKEN_B).toString('base64')}\x07`]);
    expect(frame()).toContain(`copied ${TOKEN_B}`);
    app.stdin.write('o');
    await until(() => frame().includes('DexScreener'));
    expect(frame()).toContain(`\x1b]8;;https://dexscreener.com/solana/${TOKEN_B}\x07`);
    expect(frame()).toContain(`\x1b]8;;https://birdeye.so/token/${TOKEN_B}?chain=solana\x07`);
    expect(frame()).toContain(`\x1b]8;;https://solscan.io/token/${TOKEN_B}\x07`);
    app.stdin.write(KEY.esc);
    await until(() => !frame().includes('DexScreener'));
    // Latest calls: two Tabs on; its first row is selected.
    app.stdin.write(KEY.tab);
    await tick(20);
    app.stdin.write(KEY.tab);
    await until(() => lines(frame()).some((l) => l.startsWith('› 07:42:00')));
    expect(lines(frame()).find((l) => l.startsWith('› 07:42:00'))).toContain(TOKEN_A);
    app.stdin.write('c');
    await until(() => written.length > 1);
    expect(written[1]).toBe(`\x1b]52;c;${Buffer.from(TOKEN_A).toString('base64')}\x07`);
  });

  it('? shows the keys; any key closes them', async () => {
    const { app, frame } = mount();
    app.stdin.write('?');
    await until(() => frame().includes('(OSC 52)'));
    expect(frame()).toContain("copy the selected token's address (OSC 52)");
    app.stdin.write('x');
    await until(() => !frame().includes('(OSC 52)'));
    expect(frame()).not.toContain('(OSC 52)');
    expect(frame()).toContain('Heating up');
  });

  it('fits narrow terminals and follows a resize', async () => {
    const { app, frame, props } = mount({ size: { columns: 60, rows: 15 } });
    const narrow = lines(frame());
    expect(narrow.every((l) => displayWidth(l) <= 60)).toBe(true);
    expect(narrow.length).toBeLessThanOrEqual(14);
    expect(frame()).toMatch(/BONK\s+3\s+\$120\.0K → +\$510\.0K/);
    app.rerender(createElement(Board, { ...props, size: { columns: 160, rows: 40 } }));
    await tick();
    const wide = lines(frame());
    expect(wide.some((l) => displayWidth(l) > 100)).toBe(true);
    expect(wide.every((l) => displayWidth(l) <= 160)).toBe(true);
    // Wide enough for the platforms and the token names.
    expect(frame()).toContain('PLATFORMS');
    expect(frame()).toContain('dogwifhat');
    // The callers' first calls and median lead: Alice called BONK first, Bob followed a minute later.
    expect(frame()).toMatch(/CALLS FIRST {3}HIT SCORE {4}MED {2}LEAD BEST/);
    expect(frame()).toMatch(/Alice +telegram +1 +1 +100% +0\.21 +4\.3× +1m BONK 4\.3×/);
  });

  it('redraws on its clock from one snapshot a tick, whatever the stream does (SPEC: at most 4 times a second)', async () => {
    expect(REFRESH_MS).toBeGreaterThanOrEqual(250);
    const state = newState();
    feed(state);
    let snapshots = 0;
    const counting = { snapshot: (now: number, view: Parameters<TopState['snapshot']>[1]) => (snapshots++, state.snapshot(now, view)) };
    const refreshMs = 100;
    const { app } = mount({ state: counting, refreshMs });
    const start = Date.now();
    const before = { snapshots, frames: app.frames.length };
    // A burst: 5,000 calls in batches while the board is up.
    for (let b = 0; b < 20; b++) {
      const batch = [];
      for (let k = 0; k < 250; k++) batch.push(call({ token: `Burst${k % 50}`, name: `C${k % 7}`, at: T0 + b * 500 + k }));
      state.add(batch);
      await new Promise((r) => setImmediate(r));
    }
    await tick(500);
    const ticks = Math.ceil((Date.now() - start) / refreshMs);
    // A loaded machine gives fewer ticks, never more: one snapshot and one frame per tick at most.
    expect(snapshots - before.snapshots).toBeLessThanOrEqual(ticks + 1);
    expect(app.frames.length - before.frames).toBeLessThanOrEqual(ticks + 1);
    expect(snapshots - before.snapshots).toBeGreaterThan(0);
    expect(app.lastFrame()).toContain('received 5004');
  });

  it('below 60×15 it says the terminal is too small', () => {
    expect(mount({ size: { columns: 59, rows: 30 } }).frame()).toContain('Terminal too small (59×30): top needs at least 60×15');
    expect(mount({ size: { columns: 100, rows: 14 } }).frame()).toContain('Terminal too small (100×14)');
  });

  it('sanitizes hostile names from the feed in every panel', () => {
    const state = newState();
    const evil = '\x1b]0;pwned\x07';
    state.add([
      call({ token: `${evil}addr`, symbol: evil, tokenName: evil, name: evil, platform: evil, at: T0 }),
      call({ token: `${evil}addr`, symbol: evil, tokenName: evil, name: `${evil}2`, at: T0 + 1 }),
    ]);
    state.status({ type: 'reconnecting', reason: `closed: ${evil}`, delayMs: 4000, attempt: 1 }, NOW);
    const { frame } = mount({ state, size: { columns: 160, rows: 40 } });
    expect(forbiddenIn(frame())).toEqual([]);
    expect(frame()).toContain('\\x1b]0;pwned\\x07');
    expect(frame()).toContain('reconnecting in 4s (closed: \\x1b]0;pwned\\x07)');
  });
});
