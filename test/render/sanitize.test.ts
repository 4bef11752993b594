import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/render/sanitize.js';
import { HOSTILE, forbiddenIn, isForbidden } from '../support/hostile.js';

describe('sanitize', () => {
  it('returns clean text as the same string', () => {
    const clean = 'Bonk Inu 🚀 猫 café ½ \\x1b';
    expect(sanitize(clean)).toBe(clean);
    expect(sanitize('')).toBe('');
  });

  it.each(Object.entries(HOSTILE))('disarms %s', (_, s) => {
    const out = sanitize(s);
    expect(forbiddenIn(out)).toEqual([]);
    expect(out).not.toContain('\x1b');
  });

  it('writes each replaced character as its JavaScript escape', () => {
    expect(sanitize(HOSTILE['CSI clear screen']!)).toBe('a\\x1b[2J\\x1b[Hb');
    expect(sanitize(HOSTILE['OSC 2 title, ST']!)).toBe('\\x1b]2;pwned\\x1b\\title');
    expect(sanitize(HOSTILE['OSC 0 title, BEL']!)).toBe('\\x1b]0;pwned\\x07title');
    expect(sanitize(HOSTILE['C1 CSI as UTF-8']!)).toBe('x\\x9b2Jy');
    expect(sanitize(HOSTILE.DEL!)).toBe('a\\x7fb');
    expect(sanitize(HOSTILE['RLO override']!)).toBe('abc\\u202etxt.exe');
    expect(sanitize(HOSTILE['LRI isolate']!)).toBe('\\u2066hidden\\u2069');
    expect(sanitize(HOSTILE['bidi marks']!)).toBe('a\\u200e\\u200f\\u061cb');
    expect(sanitize(HOSTILE['lone ESC at the end']!)).toBe('name\\x1b');
    expect(sanitize(HOSTILE.NUL!)).toBe('nu\\x00l');
    expect(sanitize(HOSTILE['CR and LF']!)).toBe('line1\\x0d\\x0aline2\\x0dover');
    expect(sanitize(HOSTILE.TAB!)).toBe('a\\x09b');
  });

  it('replaces every forbidden code point and nothing else in the BMP', () => {
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCharCode(cp);
      const out = sanitize(ch);
      if (isForbidden(cp)) expect(out, `U+${cp.toString(16)}`).toMatch(/^\\(x[0-9a-f]{2}|u[0-9a-f]{4})$/);
      else if (out !== ch) expect.fail(`U+${cp.toString(16)} was changed to ${out}`);
    }
  });
});
