import { describe, expect, it } from 'vitest';
import type { MultiCallWire, SignalMessage } from '../../src/wire/message.js';
import { createChalk } from '../../src/render/color.js';
import { createLinesRenderer } from '../../src/render/lines.js';
import { createTableRenderer } from '../../src/render/table.js';
import { displayWidth } from '../../src/render/width.js';
import { RECEIVED } from '../support/render-fixtures.js';
import { HOSTILE, SGR, forbiddenIn } from '../support/hostile.js';

const ADDRESS = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';

function signal(over: { symbol?: string; names?: (string | null)[]; first?: number | null; mcap?: number | null; address?: string } = {}): SignalMessage {
  const names = over.names ?? ['Alice', 'Bob', 'Carol'];
  const value: MultiCallWire = {
    type: 'MULTI_CALL',
    data: {
      token_address: over.address ?? ADDRESS,
      token_symbol: over.symbol ?? 'BONK',
      token_name: 'Bonk Inu',
      window: '10m',
      callers: names.map((name, i) => ({ id: `c${i}`, name, platform: 'telegram', timestamp: 1722792000 + i, market_cap: 100_000 })),
      first_market_cap: over.first === undefined ? 500_000 : over.first,
      market_cap: over.mcap === undefined ? 1_200_000 : over.mcap,
      trigger: {},
    },
    emitted_at: new Date(RECEIVED).toISOString(),
  };
  return { kind: 'signal', receivedAt: RECEIVED, raw: JSON.stringify(value), value, identity: 'x' };
}

const lines = createLinesRenderer({ chalk: createChalk(0), timeZone: 'UTC' });
const colouredLines = createLinesRenderer({ chalk: createChalk(3), timeZone: 'UTC' });
const table = (columns: number, level: 0 | 3 = 0) => createTableRenderer({ chalk: createChalk(level), color: level > 0, columns: () => columns, timeZone: 'UTC' });

describe('a multi-call signal in the human formats', () => {
  it('lines: count and window, symbol, market cap and its multiple since the first call, callers, address', () => {
    expect(lines(signal())).toBe(`09:08:07  MULTI-CALL 3 callers/10m  BONK $1.2M ×2.4 Alice, Bob, Carol ${ADDRESS}\n`);
    // A caller known only by id prints its id; no first market cap, no multiple.
    expect(lines(signal({ names: ['Alice', null], first: null }))).toBe(`09:08:07  MULTI-CALL 2 callers/10m  BONK $1.2M Alice, c1 ${ADDRESS}\n`);
    expect(lines(signal({ mcap: null }))).toContain(' BONK - Alice');
  });

  it('is highlighted in colour, with the same text', () => {
    const out = colouredLines(signal());
    expect(out).toMatch(SGR);
    expect(out.replace(SGR, '')).toBe(lines(signal()));
  });

  it('table: one highlighted row as wide as the table, the address whole', () => {
    const render = table(160);
    const first = render(signal());
    const rows = first.split('\n').filter(Boolean);
    const row = rows[rows.length - 1]!;
    expect(row).toContain('MULTI-CALL 3 callers/10m BONK $1.2M ×2.4 Alice, Bob, Carol');
    expect(row).toContain(ADDRESS);
    expect(displayWidth(row)).toBe(displayWidth(rows[0]!));
    for (const width of [60, 30]) expect(table(width)(signal())).toContain(ADDRESS);
    expect(table(160, 3)(signal()).replace(SGR, '')).toBe(first);
  });

  it.each(Object.entries(HOSTILE))('never prints a control or bidi character from the feed: %s', (_name, s) => {
    const hostile = signal({ symbol: s, names: [s, 'Bob'], address: s });
    for (const out of [lines(hostile), colouredLines(hostile), table(160)(hostile), table(40, 3)(hostile)]) {
      expect(forbiddenIn(out)).toEqual([]);
    }
  });
});
