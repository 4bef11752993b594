import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, LibrarySettings, resolveFilter, Settings, type Flags } from '../../src/config/options.js';
import { usageMessage } from '../support/errors.js';

const cli = (flags: Flags) => resolveFilter(new Settings(flags, EMPTY_CONFIG));
const library = (options: Record<string, unknown>) => resolveFilter(new LibrarySettings(options));

const usage = usageMessage;

describe('resolveFilter: one resolver for flags and library options', () => {
  it('accepts no filter, equal bounds, and one bound alone, from either side alike', () => {
    expect(cli({})).toEqual({ callers: [], excludeCallers: [], platforms: [], tokens: [], symbols: [] });
    expect(cli({ minMcap: '1M', maxMcap: '1M' })).toEqual(library({ minMcap: 1e6, maxMcap: 1e6 }));
    expect(cli({ minMcap: '5', caller: ['a'] })).toEqual(library({ minMcap: 5, caller: ['a'] }));
    expect(cli({ platform: ['telegram', 'x'], token: ['T'], symbol: ['S'], excludeCaller: ['b'] })).toEqual(
      library({ platform: ['telegram', 'x'], token: ['T'], symbol: ['S'], excludeCaller: ['b'] }),
    );
  });

  it('rejects a minimum above the maximum, naming both as their user writes them', () => {
    expect(usage(() => cli({ minMcap: '2M', maxMcap: '1M' }))).toBe('--min-mcap 2M is above --max-mcap 1M');
    expect(usage(() => cli({ minMcap: '1.5M', maxMcap: '250k' }))).toBe('--min-mcap 1.5M is above --max-mcap 250K');
    expect(usage(() => cli({ minMcap: '1234567', maxMcap: '999' }))).toBe('--min-mcap 1234567 is above --max-mcap 999');
    expect(usage(() => library({ minMcap: 2e6, maxMcap: 1e6 }))).toBe('minMcap 2M is above maxMcap 1M');
  });

  it('rejects amounts that are not numbers and empty values, in each side\'s terms', () => {
    expect(usage(() => library({ minMcap: Number.NaN }))).toBe('minMcap must be a number of dollars, not null');
    expect(usage(() => cli({ minMcap: 'lots' }))).toMatch(/^--min-mcap: 'lots'/);
    expect(usage(() => cli({ caller: ['alice', ' '] }))).toBe('--caller needs a non-empty value');
    expect(usage(() => cli({ symbol: [''] }))).toBe('--symbol needs a non-empty value');
    expect(usage(() => library({ symbol: [''] }))).toBe('symbol must be an array of non-empty strings');
  });
});
