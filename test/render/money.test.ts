import { describe, expect, it } from 'vitest';
import { formatPrice, formatUsdCompact } from '../../src/render/money.js';

describe('formatUsdCompact', () => {
  it.each([
    [0, '$0'],
    [0.4, '$0'],
    [950, '$950'],
    [999.4, '$999'],
    [999.5, '$1.0K'], // rounds up into the next unit rather than printing $1000
    [1000, '$1.0K'],
    [512_300, '$512.3K'],
    [999_949, '$999.9K'],
    [999_950, '$1.0M'],
    [1_234_567, '$1.2M'],
    [3.4e9, '$3.4B'],
    [999.96e9, '$1.0T'],
    [1e12, '$1.0T'],
    [-512_300, '-$512.3K'],
    [-0, '$0'],
    [Number.NaN, '?'],
    [Number.POSITIVE_INFINITY, '?'],
  ])('%s → %s', (n, expected) => {
    expect(formatUsdCompact(n)).toBe(expected);
  });
});

describe('formatPrice', () => {
  it.each([
    [0, '$0'],
    [0.0000512, '$0.0₄512'],
    [0.00005, '$0.0₄5'],
    [0.0001, '$0.0₃1'],
    [0.000999, '$0.0₃999'],
    [0.00099996, '$0.001'], // rounds to four significant digits before choosing the notation
    [0.001, '$0.001'],
    [0.01234, '$0.01234'],
    [0.5, '$0.5'],
    [1.234, '$1.234'],
    [12.345, '$12.35'],
    [999.94, '$999.9'],
    [999.96, '$1,000'],
    [1234.5, '$1,235'],
    [48_210.4, '$48,210'],
    [1.23456e-12, '$0.0₁₁1235'],
    [1e-20, '$0.0₁₉1'],
    [-0.0000512, '-$0.0₄512'],
    [Number.NaN, '?'],
    [Number.NEGATIVE_INFINITY, '?'],
  ])('%s → %s', (n, expected) => {
    expect(formatPrice(n)).toBe(expected);
  });
});
