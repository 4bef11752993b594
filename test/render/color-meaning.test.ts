import { describe, expect, it } from 'vitest';
import { createChalk } from '../../src/render/color.js';
import { createLinesRenderer } from '../../src/render/lines.js';
import { createTableRenderer } from '../../src/render/table.js';
import type { MultiCallWire, SignalMessage } from '../../src/wire/message.js';
import { bonk, frame, RECEIVED, T0 } from '../support/render-fixtures.js';

const chalk = createChalk(1);
const lines = createLinesRenderer({ chalk, timeZone: 'UTC' });
const table = createTableRenderer({ chalk, color: true, columns: () => 160, timeZone: 'UTC' });

function signal(first: number, now: number): SignalMessage {
  const value: MultiCallWire = {
    type: 'MULTI_CALL',
    data: {
      token_address: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU',
      token_symbol: 'BONK',
      token_name: 'Bonk',
      window: '10m',
      callers: ['A', 'B', 'C'].map((name, i) => ({ id: name, name, platform: 'telegram', timestamp: T0 + i, market_cap: first })),
      first_market_cap: first,
      market_cap: now,
      trigger: {},
    },
    emitted_at: new Date(RECEIVED).toISOString(),
  };
  return { kind: 'signal', receivedAt: RECEIVED, raw: JSON.stringify(value), value, identity: 'x' };
}

/** The SGR codes that open right before `text` in `out`. */
function codesBefore(out: string, text: string): string[] {
  const at = out.indexOf(text);
  expect(at, `${text} in ${JSON.stringify(out)}`).toBeGreaterThanOrEqual(0);
  const m = /((?:\x1b\[[0-9;]*m)*)$/.exec(out.slice(0, at))![1]!;
  return [...m.matchAll(/\x1b\[([0-9;]*)m/g)].map((x) => x[1]!);
}

const RED = '31';
const GREEN = '32';
const WHITE = ['37', '97'];

describe("a signal's multiple says which way the market cap went", () => {
  it('red below 1, green at or above 1, in lines and table', () => {
    for (const render of [lines, table]) {
      expect(codesBefore(render(signal(1_000_000, 150_000)), '×0.15')).toContain(RED);
      expect(codesBefore(render(signal(500_000, 1_200_000)), '×2.4')).toContain(GREEN);
      expect(codesBefore(render(signal(500_000, 500_000)), '×1')).toContain(GREEN);
    }
  });
});

describe('market caps are neutral', () => {
  it('a call writes its market cap without a colour (no green, no red)', () => {
    for (const render of [lines, table]) {
      const out = render(bonk);
      expect(out).toContain('$512.3K');
      expect(codesBefore(out, '$512.3K')).toEqual([]);
      expect(out).not.toContain(`\x1b[${GREEN}m`);
    }
  });
});

describe('each platform has a colour of its own', () => {
  const byPlatform = (platform: string) =>
    frame({ type: 'NEW_SCAN', data: { token_address: 'A'.repeat(44), timestamp: T0, caller: { name: 'Zed', platform } } });
  const colourOf = (platform: string): string[] => codesBefore(lines(byPlatform(platform)), 'Zed');

  it('never the default text colour, never red or green (a multiple says those)', () => {
    for (const platform of ['telegram', 'discord', 'twitter', 'x', 'X', 'Twitter', 'reddit', 'farcaster', 'web', 'youtube']) {
      const codes = colourOf(platform);
      expect(codes, platform).not.toEqual([]);
      for (const code of codes) expect([...WHITE, RED, GREEN, '39'], platform).not.toContain(code);
    }
  });

  it('x and twitter are one platform, one colour; the main ones differ from each other', () => {
    expect(colourOf('x')).toEqual(colourOf('twitter'));
    const main = ['telegram', 'discord', 'twitter'].map((p) => colourOf(p).join());
    expect(new Set(main).size).toBe(3);
    // A platform keeps its colour from call to call.
    expect(colourOf('farcaster')).toEqual(colourOf('farcaster'));
  });
});
