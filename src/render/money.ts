/**
 * Dollar amounts for human formats. Market caps are read at a glance, so they are compact
 * (`$512.3K`); meme-coin prices span twenty orders of magnitude, so tiny ones use the subscript-zero
 * notation of DEX screeners (`$0.0₄512` is $0.0000512) instead of a wall of zeros or an exponent.
 */

const COMPACT_UNITS: ReadonlyArray<readonly [limit: number, divisor: number, suffix: string]> = [
  // A unit is used while the value, rounded to one decimal, stays below 1000 of it:
  // 999,950 would print as `$1000.0K`, so it is `$1.0M`.
  [999_950, 1e3, 'K'],
  [999_950_000, 1e6, 'M'],
  [999_950_000_000, 1e9, 'B'],
  [Infinity, 1e12, 'T'],
];

/**
 * `$950`, `$512.3K`, `$1.2M`, `$3.4B`, `$1.0T`; whole dollars below a thousand, one decimal from K
 * up (the decimal is kept, `$2.0M`, so a column of them lines up); `-$512.3K` for negatives.
 * Not finite: `?`.
 */
export function formatUsdCompact(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const sign = n < 0 ? '-$' : '$';
  const a = Math.abs(n);
  if (a < 999.5) return sign + Math.round(a);
  for (const [limit, divisor, suffix] of COMPACT_UNITS) {
    if (a < limit) {
      // Tenths as an integer: printing integers is cheaper than toFixed on the hot path.
      const tenths = Math.round((a / divisor) * 10);
      const whole = Math.floor(tenths / 10);
      return sign + whole + '.' + (tenths - whole * 10) + suffix;
    }
  }
  return '?'; // unreachable: the last limit is Infinity
}

const SUBSCRIPT_DIGITS = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
/** Subscript zero counts, built once: a double has at most 323 zeros after the decimal point. */
const SUBSCRIPTS = Array.from({ length: 330 }, (_, n) => [...String(n)].map((d) => SUBSCRIPT_DIGITS[Number(d)]).join(''));
const THOUSANDS = /\B(?=(\d{3})+(?!\d))/g;

/**
 * Prices, four significant digits, trailing zeros dropped:
 *   below $0.001     `$0.0₄512`: `0.0`, then the number of zeros after the decimal point as
 *                    subscript digits, then the significant digits (0.0000512 has four zeros)
 *   $0.001 to $1000  `$0.01234`, `$0.5`, `$1.234`, `$12.35`, `$999.9`
 *   from $1000       whole dollars with thousands separators: `$1,235`, `$48,210`
 * `$0` for zero, `-` before the `$` for negatives, `?` when not finite.
 */
export function formatPrice(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n === 0) return '$0';
  const sign = n < 0 ? '-$' : '$';
  const a = Math.abs(n);
  if (a >= 999.95) return sign + String(Math.round(a)).replace(THOUSANDS, ',');
  if (a < 1) {
    // toExponential rounds first, so 0.00099996 counts as 1.000e-3 and takes the plain form.
    const e = a.toExponential(3); // "5.120e-5": always d.ddde±x
    const exponent = +e.slice(6);
    if (exponent < -3) {
      return sign + '0.0' + SUBSCRIPTS[-exponent - 1] + withoutTrailingZeros(e[0]! + e.slice(2, 5), false);
    }
  }
  return sign + withoutTrailingZeros(a.toPrecision(4), true);
}

/** `1.500` → `1.5`, `2.000` → `2` (fraction); `5120` → `512` (digits). */
function withoutTrailingZeros(s: string, fraction: boolean): string {
  if (fraction && !s.includes('.')) return s;
  let end = s.length;
  while (end > 1 && s.charCodeAt(end - 1) === 48) end--;
  if (fraction && s.charCodeAt(end - 1) === 46) end--;
  return end === s.length ? s : s.slice(0, end);
}
