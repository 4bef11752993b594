import { describe, expect, it } from 'vitest';
import { createChalk } from '../../src/render/color.js';
import { createClock } from '../../src/render/clock.js';
import { createLinesRenderer } from '../../src/render/lines.js';
import { displayWidth, fit } from '../../src/render/width.js';
import type { OtherMessage } from '../../src/wire/calls.js';
import { frame, bonk, emoji, heartbeat, longNames, sparse, T0 } from '../support/render-fixtures.js';
import { HOSTILE, SGR, forbiddenIn, hostileMessages } from '../support/hostile.js';

const plain = createLinesRenderer({ chalk: createChalk(0), timeZone: 'UTC' });
const coloured = createLinesRenderer({ chalk: createChalk(3), timeZone: 'UTC' });

describe('lines', () => {
  it('prints one aligned line per call, the full address last', () => {
    const out = [bonk, longNames, sparse, emoji].map((m) => plain(m)).join('');
    expect(out).toMatchInlineSnapshot(`
      "17:20:00 BONK       Bonk Inu                  $512.3K   $0.0₄512 Alice            telegram 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
      17:21:05 VERYLONGS… Super Extremely Long To…    $1.5M     $1.234 The Most Verbos… Discord  So11111111111111111111111111111111111111112
      09:08:07 -          -                               -          - -                -        EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v
      18:20:00 🐸FROG     🚀 Moon Frog 🐸 to the …    $3.4B     $12.35 猫のコーラー     twitter  DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263
      "
    `);
  });

  it('prints a message that is not a call as its time, type and one-line JSON', () => {
    expect(plain(heartbeat)).toBe('09:08:07 HEARTBEAT {"type":"HEARTBEAT","data":{"seq":1}}\n');
    const pretty = frame({ type: 'NEW_SCAN', data: { note: 'no address' } });
    pretty.raw = JSON.stringify((pretty as OtherMessage).value, null, 2);
    expect(plain(pretty)).toBe('09:08:07 NEW_SCAN {"type":"NEW_SCAN","data":{"note":"no address"}}\n');
  });

  it('writes no escape sequence at chalk level 0, and only colour around the same text at level 3', () => {
    for (const m of [bonk, longNames, sparse, emoji, heartbeat]) {
      const text = plain(m);
      expect(text).not.toContain('\x1b');
      const colour = coloured(m);
      expect(colour).toMatch(SGR);
      expect(colour.replace(SGR, '')).toBe(text);
    }
  });

  it('colours the caller by platform', () => {
    const chalk = createChalk(1);
    const render = createLinesRenderer({ chalk, timeZone: 'UTC' });
    expect(render(bonk)).toContain(chalk.cyan('Alice           '));
    expect(render(longNames)).toContain(chalk.magenta('The Most Verbos…'));
    expect(render(emoji)).toContain(chalk.blueBright('twitter '));
  });

  it('takes the time from data.timestamp: seconds, numeric strings, milliseconds; else receivedAt', () => {
    const at = (timestamp: unknown) =>
      plain(frame({ type: 'NEW_SCAN', data: { token_address: 'A', timestamp } })).slice(0, 8);
    expect(at(T0)).toBe('17:20:00');
    expect(at(String(T0 + 1))).toBe('17:20:01');
    expect(at((T0 + 2) * 1000)).toBe('17:20:02');
    expect(at(null)).toBe('09:08:07');
    expect(at('yesterday')).toBe('09:08:07');
    expect(at(1e300)).toBe('09:08:07');
  });

  it.each([0, 3] as const)('prints hostile feed text in every field harmlessly (chalk level %i)', (level) => {
    const render = createLinesRenderer({ chalk: createChalk(level), timeZone: 'UTC' });
    for (const [what, s] of Object.entries(HOSTILE)) {
      const messages = hostileMessages(s);
      for (const m of messages) {
        const out = render(m);
        expect(forbiddenIn(out), what).toEqual([]);
        expect(out.indexOf('\n'), what).toBe(out.length - 1);
        if (level === 0) expect(out, what).not.toContain('\x1b');
      }
    }
  });
});

describe('createClock', () => {
  it('formats HH:MM:SS in the given zone, reusing the text within a second', () => {
    const utc = createClock('UTC');
    expect(utc(Date.UTC(2024, 0, 1, 0, 0, 0))).toBe('00:00:00');
    expect(utc(Date.UTC(2024, 0, 1, 23, 59, 59, 999))).toBe('23:59:59');
    const first = utc(Date.UTC(2024, 0, 1, 12, 34, 56, 1));
    expect(utc(Date.UTC(2024, 0, 1, 12, 34, 56, 900))).toBe(first);
    expect(createClock('Asia/Kolkata')(Date.UTC(2024, 0, 1, 12, 0, 5))).toBe('17:30:05');
    expect(createClock('UTC')(-1000)).toBe('23:59:59');
  });

  it('follows daylight saving changes, including half-hour ones, at the minute they happen', () => {
    const berlin = createClock('Europe/Berlin');
    expect(berlin(Date.UTC(2024, 2, 31, 0, 59, 59))).toBe('01:59:59');
    expect(berlin(Date.UTC(2024, 2, 31, 1, 0, 0))).toBe('03:00:00');
    const lordHowe = createClock('Australia/Lord_Howe'); // +10:30 → +11 at 02:00 local
    expect(lordHowe(Date.UTC(2024, 9, 5, 15, 29, 59))).toBe('01:59:59');
    expect(lordHowe(Date.UTC(2024, 9, 5, 15, 30, 0))).toBe('02:30:00');
  });
});

describe('fit', () => {
  it('pads or cuts to an exact number of terminal cells', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, true)).toBe('  abc');
    expect(fit('abcdef', 5)).toBe('abcd…');
    expect(fit('abcde', 5)).toBe('abcde');
  });

  it('counts wide characters as two cells and combining marks as none', () => {
    expect(displayWidth('猫🐸a')).toBe(5);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(fit('猫猫猫', 4)).toBe('猫… '); // a wide character that does not fit leaves a space
    expect(fit('猫猫猫', 4, true)).toBe(' 猫…');
    expect(fit('🐸ab', 5)).toBe('🐸ab ');
    expect(fit('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
  });
});
