/**
 * The one sanitizer for untrusted feed text printed in human formats (lines, table).
 *
 * A token name is written by whoever launched the token. Printed raw it could clear the screen
 * (CSI), retitle the window (OSC 0/2), plant a hyperlink (OSC 8), write the clipboard (OSC 52), or
 * reorder text so an address reads as another (bidi overrides). All of those need a character from
 * the set below: C0 controls (ESC, BEL, CR, LF, TAB, NUL, ...), DEL, C1 controls (U+009B is a
 * complete CSI introducer in a UTF-8 terminal, U+009D an OSC, U+009C an ST), the bidi embeddings,
 * overrides and isolates, the implicit bidi marks, and the Unicode line/paragraph separators.
 * Replacing the introducer disarms the sequence; its printable tail stays visible as harmless text.
 *
 * Visible form: the JavaScript escape of the character, lower-case hex: `\xHH` for code points up
 * to U+00FF (`\x1b`, `\x07`, `\x7f`, `\x9b`), `\uHHHH` above (`\u202e`). A backslash in the feed is
 * left alone, so a literal `\x1b` typed into a name looks the same as an escaped ESC: the output is
 * for eyes, and ndjson is the exact format.
 */

// Keep the two regexes identical: the first only answers "is anything to replace?" (no lastIndex
// state to reset), the second does the replacing.
const UNSAFE_SOURCE = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(UNSAFE_SOURCE);
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, 'g');

const UNSAFE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x061c, 0x061c],
  [0x200e, 0x200f],
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];

/** Every replacement built once, so the replacer is a lookup. */
const ESCAPES = new Map<string, string>();
for (const [from, to] of UNSAFE_RANGES) {
  for (let code = from; code <= to; code++) {
    const hex = code.toString(16);
    ESCAPES.set(String.fromCharCode(code), code <= 0xff ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`);
  }
}

const escapeChar = (c: string): string => ESCAPES.get(c)!;

/** Feed text made safe to print: unchanged (the same string) when there is nothing to replace. */
export function sanitize(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeChar) : s;
}

