import { describe, expect, it } from 'vitest';
import { clipboardSequence, formatAge, formatLead, hyperlink, linkText, sparkline, tokenLinks } from '../../src/render/top/rows.js';
import { forbiddenIn } from '../support/hostile.js';

describe("top's text", () => {
  it('sparkline: one cell a minute, scaled to the busiest, an empty minute blank, the latest last', () => {
    expect(sparkline([0, 1, 2, 4, 8], 10)).toBe(' ▂▃▅█');
    expect(sparkline([5, 5, 5], 10)).toBe('███');
    expect(sparkline([0, 0], 10)).toBe('  ');
    // Narrower than the hour: the latest minutes.
    expect(sparkline([8, 0, 0, 1, 8], 2)).toBe('▂█');
  });

  it('ages and leads, compact', () => {
    expect([formatAge(0), formatAge(59_999), formatAge(192_000), formatAge(3_900_000), formatAge(2 * 86_400_000 + 3 * 3_600_000)]).toEqual(['0s', '59s', '3m12s', '1h05m', '2d3h']);
    expect([formatLead(null), formatLead(45.4), formatLead(720), formatLead(12_600)]).toEqual(['-', '45s', '12m', '3.5h']);
  });

  it('the link state, its reason sanitized', () => {
    expect(linkText({ state: 'reconnecting', reason: 'pong timeout', retryAt: 5_000 }, 1_200)).toBe('reconnecting in 4s (pong timeout)');
    expect(forbiddenIn(linkText({ state: 'reconnecting', reason: '\x1b]0;x\x07', retryAt: 0 }, 0))).toEqual([]);
  });

  it("a token's links carry its address percent-encoded: nothing in it can end the sequence", () => {
    const links = tokenLinks('7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU');
    expect(links.map((l) => l.name)).toEqual(['DexScreener', 'Birdeye', 'Solscan']);
    expect(links[0]!.url).toBe('https://dexscreener.com/solana/7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU');
    const evil = tokenLinks('a\x07\x1b]8;;https://evil.example\x07b');
    for (const l of evil) expect(l.url).toMatch(/^[\x21-\x7e]+$/);
    expect(hyperlink('https://x.example/a', 'text')).toBe('\x1b]8;;https://x.example/a\x07text\x1b]8;;\x07');
  });

  it('OSC 52 carries the address as base64', () => {
    expect(clipboardSequence('abc')).toBe('\x1b]52;c;YWJj\x07');
  });
});
