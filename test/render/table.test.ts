import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/wire/calls.js';
import type { Call } from '../../src/wire/calls.js';
import { createChalk } from '../../src/render/color.js';
import { displayWidth } from '../../src/render/width.js';
import { createTableRenderer } from '../../src/render/table.js';
import { bonk, emoji, frame, heartbeat, longNames, sparse } from '../support/render-fixtures.js';
import { HOSTILE, SGR, forbiddenIn, hostileMessages } from '../support/hostile.js';

const CALLS = [bonk, longNames, sparse, emoji];

function tableAt(width: number | (() => number), color = false) {
  return createTableRenderer({
    chalk: createChalk(color ? 3 : 0),
    color,
    columns: typeof width === 'number' ? () => width : width,
    timeZone: 'UTC',
  });
}

const renderAll = (render: ReturnType<typeof tableAt>, messages: Message[]): string =>
  messages.map((m) => render(m)).join('');

const linesOf = (out: string): string[] => out.split('\n').slice(0, -1);

describe('table', () => {
  it('at 160 columns shows every column', () => {
    expect(renderAll(tableAt(160), [...CALLS, heartbeat])).toMatchInlineSnapshot(`
      "┌──────────┬────────────┬─────────────────────────────────┬──────────┬────────────┬──────────────────┬──────────┬──────────────────────────────────────────────┐
      │ TIME     │ SYMBOL     │ NAME                            │     MCAP │      PRICE │ CALLER           │ PLATFORM │ ADDRESS                                      │
      ├──────────┼────────────┼─────────────────────────────────┼──────────┼────────────┼──────────────────┼──────────┼──────────────────────────────────────────────┤
      │ 17:20:00 │ BONK       │ Bonk Inu                        │  $512.3K │   $0.0₄512 │ Alice            │ telegram │ 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU │
      │ 17:21:05 │ VERYLONGS… │ Super Extremely Long Token Nam… │    $1.5M │     $1.234 │ The Most Verbos… │ Discord  │ So11111111111111111111111111111111111111112  │
      │ 09:08:07 │ -          │ -                               │        - │          - │ -                │ -        │ EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v │
      │ 18:20:00 │ 🐸FROG     │ 🚀 Moon Frog 🐸 to the moon an… │    $3.4B │     $12.35 │ 猫のコーラー     │ twitter  │ DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263 │
      │ 09:08:07 │ HEARTBEAT {"type":"HEARTBEAT","data":{"seq":1}}                                                                                                   │
      "
    `);
  });

  it('at 80 columns keeps symbol, mcap, caller and the whole address', () => {
    expect(renderAll(tableAt(80), [...CALLS, heartbeat])).toMatchInlineSnapshot(`
      "┌────────────┬─────────┬────────┬──────────────────────────────────────────────┐
      │ SYMBOL     │    MCAP │ CALLER │ ADDRESS                                      │
      ├────────────┼─────────┼────────┼──────────────────────────────────────────────┤
      │ BONK       │ $512.3K │ Alice  │ 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU │
      │ VERYLONGS… │   $1.5M │ The M… │ So11111111111111111111111111111111111111112  │
      │ -          │       - │ -      │ EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v │
      │ 🐸FROG     │   $3.4B │ 猫の…  │ DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263 │
      │ HEARTBEAT {"type":"HEARTBEAT","data":{"seq":1}}                              │
      "
    `);
  });

  it('at 40 columns falls back to the bare address, the one thing wider than the terminal', () => {
    expect(renderAll(tableAt(40), [...CALLS, heartbeat])).toMatchInlineSnapshot(`
      "ADDRESS
      7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
      So11111111111111111111111111111111111111112
      EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v
      DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263
      HEARTBEAT {"type":"HEARTBEAT","data":{"…
      "
    `);
  });

  it('never prints a line wider than the terminal, from 48 columns up', () => {
    for (let width = 48; width <= 220; width++) {
      for (const line of linesOf(renderAll(tableAt(width), [...CALLS, heartbeat]))) {
        expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('below 48 columns only address lines are wider than the terminal', () => {
    for (let width = 10; width < 48; width++) {
      const out = linesOf(renderAll(tableAt(width), [...CALLS, heartbeat]));
      for (const line of out) {
        if (!CALLS.some((m) => (m as Call).tokenAddress === line)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }
    }
  });

  it('draws rows exactly as cli-table3 draws them', () => {
    for (const width of [160, 120, 100, 80, 60]) {
      const [top, head, , ...rows] = linesOf(renderAll(tableAt(width), CALLS));
      const colWidths = top!.slice(1, -1).split('┬').map((s) => s.length);
      const heads = head!.slice(1, -1).split('│').map((s) => s.trim());
      const reference = new Table({
        colWidths,
        colAligns: heads.map((h) => (h === 'MCAP' || h === 'PRICE' ? 'right' : 'left')),
        chars: {
          ...Object.fromEntries(['top', 'top-mid', 'top-left', 'top-right'].map((c) => [c, ''])),
          ...Object.fromEntries(['bottom', 'bottom-mid', 'bottom-left', 'bottom-right'].map((c) => [c, ''])),
          ...Object.fromEntries(['mid', 'left-mid', 'mid-mid', 'right-mid'].map((c) => [c, ''])),
        },
        style: { head: [], border: [] },
      });
      const cells: Record<string, string[]> = {
        TIME: ['17:20:00', '17:21:05', '09:08:07', '18:20:00'],
        SYMBOL: ['BONK', 'VERYLONGSYMBOL', '-', '🐸FROG'],
        NAME: ['Bonk Inu', 'Super Extremely Long Token Name That Never Ends', '-', '🚀 Moon Frog 🐸 to the moon and beyond'],
        MCAP: ['$512.3K', '$1.5M', '-', '$3.4B'],
        PRICE: ['$0.0₄512', '$1.234', '-', '$12.35'],
        CALLER: ['Alice', 'The Most Verbose Caller Name', '-', '猫のコーラー'],
        PLATFORM: ['telegram', 'Discord', '-', 'twitter'],
        ADDRESS: CALLS.map((m) => (m as Call).tokenAddress),
      };
      for (let i = 0; i < CALLS.length; i++) reference.push(heads.map((h) => cells[h]![i]!));
      expect(rows.join('\n'), `width ${width}`).toBe(reference.toString());
    }
  });

  it('repeats the header when the width changes, and only then', () => {
    const widths = [160, 160, 80, 80, 80, 160];
    let i = 0;
    const render = tableAt(() => widths[i++]!);
    const outs = widths.map(() => render(bonk));
    expect(outs.map((o) => linesOf(o).length)).toEqual([4, 1, 4, 1, 1, 4]);
    expect(outs[2]!.split('\n')[1]).toBe(
      '│ SYMBOL     │    MCAP │ CALLER │ ADDRESS                                      │',
    );
  });

  it('fits 80 columns when the width is unknown', () => {
    const expected = renderAll(tableAt(80), [bonk]);
    for (const unknown of [undefined, 0, Number.NaN, -1]) {
      expect(renderAll(tableAt(() => unknown as unknown as number), [bonk])).toBe(expected);
    }
  });

  it('writes no escape sequence with colour off, even given a colour chalk', () => {
    const render = createTableRenderer({ chalk: createChalk(3), color: false, columns: () => 160, timeZone: 'UTC' });
    expect(renderAll(render, [...CALLS, heartbeat])).not.toContain('\x1b');
  });

  it('with colour on, colours the same text', () => {
    for (const width of [160, 80, 40]) {
      const colour = renderAll(tableAt(width, true), [...CALLS, heartbeat]);
      expect(colour).toMatch(SGR);
      expect(colour.replace(SGR, '')).toBe(renderAll(tableAt(width), [...CALLS, heartbeat]));
    }
  });

  it.each([false, true])('prints hostile feed text in every field harmlessly (colour %s)', (color) => {
    for (const width of [160, 80, 40]) {
      const render = tableAt(width, color);
      for (const [what, s] of Object.entries(HOSTILE)) {
        const messages = hostileMessages(s);
        for (const m of messages) {
          const out = render(m);
          expect(forbiddenIn(out), what).toEqual([]);
          if (!color) expect(out, what).not.toContain('\x1b');
        }
      }
    }
  });
});
