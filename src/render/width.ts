/**
 * Terminal cells: how wide sanitized text prints, and fitting it to a column. A small wcwidth of
 * our own: string-width (what cli-table3 uses) rebuilds its emoji regex on every call, ~350µs a row.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ELLIPSIS = '…';

/**
 * `s` in exactly `width` terminal cells: padded with spaces (on the left when `alignRight`), or
 * cut to `width - 1` cells and ended with `…`. Pads and cuts by display width, so an emoji or a CJK
 * character counts two cells and a combining mark none. `s` must already be sanitized.
 */
export function fit(s: string, width: number, alignRight = false): string {
  if (PRINTABLE_ASCII.test(s)) {
    if (s.length <= width) return pad(s, width - s.length, alignRight);
    return s.slice(0, width - 1) + ELLIPSIS;
  }
  const total = displayWidth(s);
  if (total <= width) return pad(s, width - total, alignRight);
  let cells = 0;
  let end = 0;
  while (end < s.length) {
    const cp = s.codePointAt(end)!;
    const w = charWidth(cp);
    if (cells + w > width - 1) break;
    cells += w;
    end += cp > 0xffff ? 2 : 1;
  }
  return pad(s.slice(0, end) + ELLIPSIS, width - 1 - cells, alignRight);
}

/** Runs of spaces built once: padding is then a concatenation, not a copy. */
const SPACES = Array.from({ length: 65 }, (_, n) => ' '.repeat(n));

function pad(s: string, spaces: number, left: boolean): string {
  if (spaces <= 0) return s;
  const fill = SPACES[spaces] ?? ' '.repeat(spaces);
  return left ? fill + s : s + fill;
}

/** Terminal cells `s` takes up (an approximation of wcwidth for sanitized text). */
export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let cells = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    cells += charWidth(cp);
  }
  return cells;
}

// East Asian Wide/Fullwidth blocks and emoji with emoji presentation (two cells), and combining
// marks, joiners and variation selectors (none). Sorted, disjoint, inclusive.
const WIDE: readonly number[] = [
  0x1100, 0x115f, 0x231a, 0x231b, 0x2329, 0x232a, 0x23e9, 0x23ec, 0x23f0, 0x23f0, 0x23f3, 0x23f3,
  0x25fd, 0x25fe, 0x2614, 0x2615, 0x2648, 0x2653, 0x267f, 0x267f, 0x2693, 0x2693, 0x26a1, 0x26a1,
  0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26ce, 0x26d4, 0x26d4, 0x26ea, 0x26ea,
  0x26f2, 0x26f3, 0x26f5, 0x26f5, 0x26fa, 0x26fa, 0x26fd, 0x26fd, 0x2705, 0x2705, 0x270a, 0x270b,
  0x2728, 0x2728, 0x274c, 0x274c, 0x274e, 0x274e, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797,
  0x27b0, 0x27b0, 0x27bf, 0x27bf, 0x2b1b, 0x2b1c, 0x2b50, 0x2b50, 0x2b55, 0x2b55, 0x2e80, 0x303e,
  0x3041, 0x3247, 0x3250, 0x4dbf, 0x4e00, 0xa4c6, 0xa960, 0xa97c, 0xac00, 0xd7a3, 0xf900, 0xfaff,
  0xfe10, 0xfe19, 0xfe30, 0xfe6b, 0xff01, 0xff60, 0xffe0, 0xffe6, 0x16fe0, 0x18cff, 0x1b000, 0x1b2ff,
  0x1f004, 0x1f004, 0x1f0cf, 0x1f0cf, 0x1f18e, 0x1f18e, 0x1f191, 0x1f19a, 0x1f200, 0x1f251,
  0x1f300, 0x1f320, 0x1f32d, 0x1f335, 0x1f337, 0x1f37c, 0x1f37e, 0x1f393, 0x1f3a0, 0x1f3ca,
  0x1f3cf, 0x1f3d3, 0x1f3e0, 0x1f3f0, 0x1f3f4, 0x1f3f4, 0x1f3f8, 0x1f3fa, 0x1f400, 0x1f43e,
  0x1f440, 0x1f440, 0x1f442, 0x1f4fc, 0x1f4ff, 0x1f53d, 0x1f54b, 0x1f54e, 0x1f550, 0x1f567,
  0x1f57a, 0x1f57a, 0x1f595, 0x1f596, 0x1f5a4, 0x1f5a4, 0x1f5fb, 0x1f64f, 0x1f680, 0x1f6c5,
  0x1f6cc, 0x1f6cc, 0x1f6d0, 0x1f6d2, 0x1f6d5, 0x1f6d7, 0x1f6dc, 0x1f6df, 0x1f6eb, 0x1f6ec,
  0x1f6f4, 0x1f6fc, 0x1f7e0, 0x1f7eb, 0x1f7f0, 0x1f7f0, 0x1f90c, 0x1f93a, 0x1f93c, 0x1f945,
  0x1f947, 0x1f9ff, 0x1fa70, 0x1faff, 0x20000, 0x3fffd,
];
const ZERO: readonly number[] = [
  0x0300, 0x036f, 0x0483, 0x0489, 0x0591, 0x05bd, 0x0610, 0x061a, 0x064b, 0x065f, 0x0e31, 0x0e31,
  0x0e34, 0x0e3a, 0x0e47, 0x0e4e, 0x1ab0, 0x1aff, 0x1dc0, 0x1dff, 0x200b, 0x200d, 0x2060, 0x2064,
  0x20d0, 0x20ff, 0xfe00, 0xfe0f, 0xfe20, 0xfe2f, 0xfeff, 0xfeff, 0x1f3fb, 0x1f3ff, 0xe0000, 0xe007f,
  0xe0100, 0xe01ef,
];

function charWidth(cp: number): number {
  if (cp < 0x0300) return 1;
  if (inRanges(ZERO, cp)) return 0;
  return inRanges(WIDE, cp) ? 2 : 1;
}

/** Binary search over [from, to, from, to, ...]. */
function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid * 2]!) hi = mid - 1;
    else if (cp > ranges[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}
