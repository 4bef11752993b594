import { usageError } from '../errors.js';
import type { FilterSpec } from '../stages/filter.js';
import type { OptionLookup } from './settings.js';

/**
 * The filters, for the CLI and the library alike. A new filter is an entry in the option table
 * (and the library's name for it in settings.ts), a line here, and the stage that applies it.
 */
export function resolveFilter(s: OptionLookup): FilterSpec {
  const spec: FilterSpec = {
    callers: s.list('caller'),
    excludeCallers: s.list('excludeCaller'),
    platforms: s.list('platform'),
    tokens: s.list('token'),
    symbols: s.list('symbol'),
  };
  for (const key of ['caller', 'excludeCaller', 'platform', 'token', 'symbol'] as const) {
    if (s.list(key).some((v) => v.trim() === '')) throw usageError(`${s.name(key)} needs a non-empty value`);
  }
  const minMcap = s.amount('minMcap');
  const maxMcap = s.amount('maxMcap');
  if (minMcap !== undefined) spec.minMcap = minMcap;
  if (maxMcap !== undefined) spec.maxMcap = maxMcap;
  // A spec no call could pass is a mistake, not a quiet run.
  if (minMcap !== undefined && maxMcap !== undefined && minMcap > maxMcap) {
    throw usageError(`${s.name('minMcap')} ${formatAmount(minMcap)} is above ${s.name('maxMcap')} ${formatAmount(maxMcap)}`);
  }
  return spec;
}

const AMOUNT_UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** An amount as the user could have typed it: `2M`, `1.5M`, `250K`, `1234567`. */
function formatAmount(n: number): string {
  for (const [unit, suffix] of AMOUNT_UNITS) {
    const scaled = (n / unit) * 100;
    if (Math.abs(n) >= unit && Math.abs(scaled - Math.round(scaled)) < 1e-6) return `${Math.round(scaled) / 100}${suffix}`;
  }
  return String(n);
}
