import { describe, expect, it } from 'vitest';
import { createChalk } from '../../src/render/color.js';
import { createLinesBatchRenderer, createLinesRenderer, type LinesRendererOptions } from '../../src/render/lines.js';
import type { Render } from '../../src/render/renderer.js';
import { SpanMemo } from '../../src/render/span-memo.js';
import { createTableRenderer } from '../../src/render/table.js';
import { classifyBytes, classifyFrame } from '../../src/wire/calls.js';
import type { Message } from '../../src/wire/message.js';
import { HOSTILE } from '../support/hostile.js';
import { BONK_DATA, T0 } from '../support/render-fixtures.js';

/**
 * The human formats remember each cell by the value (or the frame bytes) it was made from. What
 * they print must not depend on that: a call renders the same whether it came as text (parsed) or
 * as bytes (read from the frame's spans), whether the renderer is fresh or has seen thousands of
 * other calls, and whatever values share a slot of the memory.
 */

const call = (data: Record<string, unknown>): string =>
  JSON.stringify({
    type: 'NEW_SCAN',
    data: { ...BONK_DATA, ...data },
  });

/** Frames whose fields take every way through a cell: plain, escaped, absent, not strings, hostile. */
const TEXTS: string[] = [
  call({}),
  call({ token_name: '', token_symbol: '', caller: { id: 'id-only', name: '', platform: '' } }),
  call({ caller: { id: 42, platform: 'Discord' } }),
  call({ caller: { id: 7, name: null, platform: null } }),
  call({ caller: { name: 'Alice', platform: 'discord' } }), // the same caller on another platform: another colour
  call({ caller: null, price_data: 7, token_symbol: { nested: true }, token_name: ['x'] }),
  call({ token_name: '猫のコイン 🐸', token_symbol: '🐸FROG', caller: { id: 1, name: '猫', platform: 'x' } }),
  call({ price_data: { current_price: '1.2345', market_cap: '1500000' }, timestamp: 'soon' }),
  call({ price_data: { current_price: 12345.678, market_cap: 3.4e9 }, timestamp: T0 * 1000 + 59_999 }),
  call({ token_address: '' }),
  call({ token_name: 'Super Extremely Long Token Name That Never Ends At All, Really Not', caller: { name: 'The Most Verbose Caller Name Of Them All', platform: 'telegram' } }),
  call({ token_symbol: 7, token_name: true, caller: { id: 'c', name: 12, platform: 3 } }),
  // Escapes in values: the bytes are not the text, so these go by the text.
  call({}).replace('"Bonk Inu"', '"Bonk\\u0020Inu \\"quoted\\""').replace('"Alice"', '"Al\\u0069ce"').replace('"BONK"', '"BO\\nNK"'),
  // An escaped key: only a parse can tell the member; a later duplicate wins.
  call({}).replace('"token_symbol":"BONK"', '"token\\u005fsymbol":"BONK","token_symbol":"LATER"'),
  call({}).replace('"token_name":"Bonk Inu"', '"token_name":"First","token_name":"Second"'),
  // Number literals the bytes path reads itself: exponents, -0, beyond a double (not finite: missing).
  call({}).replace('"market_cap":512300', '"market_cap":1e400').replace('"current_price":0.0000512', '"current_price":-0'),
  call({}).replace('"market_cap":512300', '"market_cap":-5.123E+5').replace('"current_price":0.0000512', '"current_price":5.12e-17'),
  call({}).replace('"market_cap":512300', '"market_cap":123456789012345678901234').replace('"current_price":0.0000512', '"current_price":999.95'),
  // Printable ASCII the bytes path copies from the frame: at a column's width, one over, the edges of the range.
  call({ token_symbol: 'ABCDEFGHIJ', token_name: 'N'.repeat(24), caller: { id: 1, name: 'C'.repeat(16), platform: 'telegram' } }),
  call({ token_symbol: 'ABCDEFGHIJK', token_name: 'N'.repeat(25), caller: { id: 1, name: 'C'.repeat(17), platform: 'telegram' } }),
  call({ token_symbol: ' ~', token_name: 'a', caller: { id: 1, name: '~ ', platform: 'discord' } }),
  // Timestamps the bytes path reads from their digits, at the edges of seconds, milliseconds and the
  // engine's last date, and ones it leaves to the getter.
  ...[0, 7, 99_999_999_999, 100_000_000_000, 100_000_000_999, 999_999_999_999_999, 8_640_000_000_000_000, 8_640_000_000_000_001].map((t) => call({ timestamp: t })),
  call({}).replace(`"timestamp":${T0}`, '"timestamp":12345678901234567890'),
  call({}).replace(`"timestamp":${T0}`, '"timestamp":1722792000.5'),
  call({}).replace(`"timestamp":${T0}`, '"timestamp":1.722792e9'),
  call({}).replace(`"timestamp":${T0}`, '"timestamp":-1722792000'),
  call({}).replace(`"timestamp":${T0}`, '"timestamp":"1722792000"'),
  // Layout between tokens.
  JSON.stringify(JSON.parse(call({ token_name: 'Spaced Out' })), null, 2),
  ...Object.values(HOSTILE).map((s) => call({ token_name: s, token_symbol: s, token_address: s, caller: { id: s, name: s, platform: s } })),
  call({ token_name: 'a\x7fb', token_symbol: '\x7f', caller: { id: 'i', name: 'DEL\x7f', platform: 'tele\x7fgram' } }),
];

const asText = (text: string): Message => classifyFrame(text, Date.UTC(2024, 0, 1, 9, 8, 7), true) as Message;
const asBytes = (text: string): Message => classifyBytes(Buffer.from(text), Date.UTC(2024, 0, 1, 9, 8, 7), true) as Message;

type Make = () => Render;
const RENDERERS: Record<string, Make> = {};
for (const level of [0, 3] as const) {
  const chalk = createChalk(level);
  RENDERERS[`lines into a pipe, colour ${level}`] = () => createLinesRenderer({ chalk, timeZone: 'UTC' });
  for (const width of [60, 70, 100, 130, 200]) {
    RENDERERS[`lines at ${width} columns, colour ${level}`] = () => createLinesRenderer({ chalk, timeZone: 'UTC', columns: () => width });
  }
  for (const width of [40, 80, 120, 200]) {
    RENDERERS[`table at ${width} columns, colour ${level}`] = () => createTableRenderer({ chalk, color: level > 0, timeZone: 'UTC', columns: () => width });
  }
}

/** A call's row alone: the table's header comes with the first row of a renderer. */
const rowOf = (make: Make, message: Message): string => {
  const render = make();
  render(message);
  return render(message);
};

describe('cells remembered by value and by bytes print what a fresh renderer prints', () => {
  for (const [name, make] of Object.entries(RENDERERS)) {
    it(name, () => {
      const fresh = TEXTS.map((t) => rowOf(make, asText(t)));
      // One renderer for everything, twice over: the second pass is all from memory.
      const warm = make();
      warm(asText(TEXTS[0]!));
      for (let pass = 0; pass < 2; pass++) {
        TEXTS.forEach((t, i) => {
          expect(warm(asBytes(t)), `bytes, pass ${pass}: ${t}`).toBe(fresh[i]);
          expect(warm(asText(t)), `text, pass ${pass}: ${t}`).toBe(fresh[i]);
        });
      }
    });
  }

  it('many distinct values sharing the memory (collisions, refills) print as when first seen', () => {
    const texts = Array.from({ length: 6000 }, (_, i) =>
      call({
        token_name: `Name ${i % 4999}`,
        token_symbol: `S${i % 3001}`,
        token_address: `Addr${String(i % 5003).padStart(40, '1')}`,
        timestamp: T0 + i * 97,
        caller: { id: `id${i}`, name: i % 7 === 0 ? '' : `Caller ${i % 701}`, platform: `p${i % 67}` },
        price_data: { current_price: (i % 2311) / 1e7, market_cap: (i % 2503) * 1000.5 },
      }),
    );
    for (const make of [RENDERERS['lines into a pipe, colour 3']!, RENDERERS['table at 200 columns, colour 0']!]) {
      const warm = make();
      warm(asText(texts[0]!));
      const sample = (i: number) => i % 29 === 0;
      const expected = new Map(texts.map((t, i) => [i, sample(i) ? rowOf(make, asText(t)) : '']));
      for (let pass = 0; pass < 2; pass++) {
        texts.forEach((t, i) => {
          const row = warm(asBytes(t));
          if (sample(i)) expect(row, t).toBe(expected.get(i));
        });
      }
    }
  });
});

describe('lines for a batch, as bytes, print what the per-message renderer prints', () => {
  const other = classifyFrame(JSON.stringify({ type: 'HEARTBEAT', data: { n: 1, s: 'x\u001b[2Jy' } }), T0 * 1000, true) as Message;
  const options: Record<string, (chalk: LinesRendererOptions['chalk']) => LinesRendererOptions> = {
    'into a pipe': (chalk) => ({ chalk, timeZone: 'UTC' }),
    'at 70 columns': (chalk) => ({ chalk, timeZone: 'UTC', columns: () => 70 }),
    'at 130 columns': (chalk) => ({ chalk, timeZone: 'UTC', columns: () => 130 }),
  };
  for (const level of [0, 3] as const) {
    for (const [name, make] of Object.entries(options)) {
      it(`${name}, colour ${level}`, () => {
        const chalk = createChalk(level);
        const each = createLinesRenderer(make(chalk));
        const batch = createLinesBatchRenderer(make(chalk));
        // Calls as bytes and as text, another message among them; twice, the second from memory.
        const messages = [...TEXTS.map(asBytes), other, ...TEXTS.map(asText), ...TEXTS.map(asBytes)];
        for (let pass = 0; pass < 2; pass++) {
          const expected = messages.map((m) => each(m)).join('');
          expect(batch(messages).toString('utf8')).toBe(expected);
        }
        expect(batch([]).length).toBe(0);
      });
    }
  }

  it('grows its buffer for rows longer than it guessed', () => {
    const chalk = createChalk(3);
    const long = call({ token_address: 'A'.repeat(5000), token_name: '\u001b'.repeat(500) });
    const messages = [asBytes(long), asText(long), asBytes(TEXTS[0]!)];
    const expected = messages.map((m) => createLinesRenderer({ chalk, timeZone: 'UTC' })(m)).join('');
    expect(createLinesBatchRenderer({ chalk, timeZone: 'UTC' })(messages).toString('utf8')).toBe(expected);
  });
});

describe('SpanMemo', () => {
  it('computes once per distinct bytes, tells apart keys that share a slot, and computes long keys each time', () => {
    let computed = 0;
    const memo = new SpanMemo((b, s, e) => {
      computed++;
      return b.toString('latin1', s, e);
    }, 2);
    const buf = Buffer.from('xxabcxxabdxx' + 'L'.repeat(60));
    expect(memo.get(buf, 2, 5)).toBe('abc');
    expect(memo.get(buf, 2, 5)).toBe('abc');
    expect(computed).toBe(1);
    // Two slots, many keys: whatever collides is recomputed, never confused.
    for (let round = 0; round < 3; round++) {
      expect(memo.get(buf, 7, 10)).toBe('abd');
      expect(memo.get(buf, 2, 5)).toBe('abc');
      expect(memo.get(buf, 2, 4)).toBe('ab');
      expect(memo.get(buf, 3, 3)).toBe('');
    }
    const before = computed;
    expect(memo.get(buf, 12, 72)).toBe('L'.repeat(60));
    expect(memo.get(buf, 12, 72)).toBe('L'.repeat(60));
    expect(computed).toBe(before + 2);
  });
});
