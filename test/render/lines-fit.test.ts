import { describe, expect, it } from 'vitest';
import { createChalk } from '../../src/render/color.js';
import { createLinesRenderer } from '../../src/render/lines.js';
import { createTableRenderer } from '../../src/render/table.js';
import { displayWidth } from '../../src/render/width.js';
import { bonk, emoji, frame, heartbeat, longNames, sparse, T0 } from '../support/render-fixtures.js';
import { SGR } from '../support/hostile.js';

const CALLS = [bonk, longNames, sparse, emoji];
const atWidth = (width: number | (() => number | undefined), level: 0 | 3 = 0) =>
  createLinesRenderer({ chalk: createChalk(level), timeZone: 'UTC', columns: typeof width === 'number' ? () => width : width });
const whole = createLinesRenderer({ chalk: createChalk(0), timeZone: 'UTC' });
const ADDRESSES = CALLS.map((c) => (c.kind === 'call' ? c.tokenAddress : ''));

describe('lines on a terminal: one row per call, fitted to the width', () => {
  it('at 70 columns: symbol, market cap, caller cut with …, the whole address; no line wider than 70', () => {
    const out = CALLS.map((c) => atWidth(70)(c)).join('');
    expect(out).toMatchInlineSnapshot(`
      "BONK       $512.3K Alice  7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
      VERYLONGS…   $1.5M The M… So11111111111111111111111111111111111111112
      -                - -      EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v
      🐸FROG       $3.4B 猫の…  DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263
      "
    `);
    for (const line of out.split('\n').filter(Boolean)) expect(displayWidth(line)).toBeLessThanOrEqual(70);
  });

  it('drops price first, then platform, then name, as the width shrinks; the address is never cut', () => {
    const row = (w: number) => atWidth(w)(bonk);
    expect(row(200)).toBe(whole(bonk));
    // Name and caller give up their spare cells before any column is dropped.
    expect(row(110)).toContain('$0.0₄512');
    expect(row(100)).not.toContain('$0.0₄512');
    expect(row(100)).toContain('telegram');
    expect(row(90)).not.toContain('telegram');
    expect(row(90)).toContain('Bonk Inu');
    expect(row(80)).not.toContain('Bonk Inu');
    expect(row(80)).toContain('17:20:00');
    expect(row(70)).not.toContain('17:20:00');
    for (let w = 40; w <= 200; w += 3) {
      for (const [i, c] of CALLS.entries()) {
        const line = atWidth(w)(c);
        expect(line.endsWith(`${ADDRESSES[i]}\n`), `${w}`).toBe(true);
        // 44 cells are kept for the address: shorter ones leave room; nothing wraps above 54.
        if (w >= 54) expect(displayWidth(line) - 1, `width ${w}`).toBeLessThanOrEqual(w);
      }
    }
  });

  it('a terminal wide enough gets the line a pipe gets (the pipe\'s own fast path), coloured or not', () => {
    for (const level of [0, 3] as const) {
      const pipe = createLinesRenderer({ chalk: createChalk(level), timeZone: 'UTC' });
      const noWidth = atWidth(() => undefined, level);
      for (const c of CALLS) {
        expect(atWidth(300, level)(c)).toBe(pipe(c));
        expect(noWidth(c)).toBe(pipe(c));
      }
    }
  });

  it('cuts long names and callers with …', () => {
    const line = atWidth(135)(longNames);
    expect(line).toContain('Super Extremely Long To…');
    expect(line).toContain('The Most Verbos…');
    const narrow = atWidth(112)(longNames);
    expect(narrow).toMatch(/ Super Ex\S*… /);
    expect(narrow).toMatch(/ The M[^ ]*( [^ ]+)?… /);
  });

  it('follows resizes: the next line takes the new width', () => {
    const widths = [200, 70, 70, 120];
    let i = 0;
    const render = atWidth(() => widths[i++]);
    const lines = widths.map(() => render(bonk));
    expect(lines[0]).toBe(whole(bonk));
    expect(displayWidth(lines[1]!)).toBeLessThanOrEqual(71);
    expect(lines[2]).toBe(lines[1]);
    expect(lines[3]).toContain('Bonk Inu');
  });

  it('into a pipe or a file (no width) every line is whole, as before', () => {
    for (const unknown of [() => undefined, () => 0]) expect(atWidth(unknown)(longNames)).toBe(whole(longNames));
    expect(whole(longNames)).toContain('The Most Verbos… Discord ');
    expect(whole(bonk)).toContain('$0.0₄512');
  });

  it('keeps other messages to one row too', () => {
    const big = frame({ type: 'HEARTBEAT', data: { padding: 'x'.repeat(300) } });
    expect(displayWidth(atWidth(70)(big))).toBeLessThanOrEqual(71);
    expect(atWidth(200)(heartbeat)).toBe(whole(heartbeat));
  });

  it('colours the same text when fitted', () => {
    for (const c of CALLS) expect(atWidth(70, 3)(c).replace(SGR, '')).toBe(atWidth(70)(c));
  });
});

describe('table at 80 columns', () => {
  it('gives the symbol its full width first', () => {
    const ten = frame({ type: 'NEW_SCAN', data: { token_address: 'A'.repeat(44), token_symbol: 'ABCDEFGHIJ', timestamp: T0, price_data: { market_cap: 1e6 } } });
    const out = createTableRenderer({ chalk: createChalk(0), color: false, columns: () => 80, timeZone: 'UTC' })(ten);
    expect(out).toContain('│ ABCDEFGHIJ │');
    for (const line of out.split('\n').filter(Boolean)) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it('gives the caller 8 cells back before the name grows, from 82 columns', () => {
    const table = (w: number) => createTableRenderer({ chalk: createChalk(0), color: false, columns: () => w, timeZone: 'UTC' })(longNames);
    expect(table(80)).toContain('│ The M… │');
    expect(table(100)).toContain('│ The Mos… │');
    expect(table(100)).toContain('│ Super Extreme… │');
  });
});
