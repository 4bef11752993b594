import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HORIZON_MS, parseHit, resolveCallers } from '../../src/config/callers.js';
import { parseCallerFile, readCallerFile, resolveCallerFile } from '../../src/config/caller-file.js';
import { CALLER_SORT_CHOICES } from '../../src/choices.js';
import { CALLER_SORTS } from '../../src/stages/caller-board.js';
import { EMPTY_CONFIG, type Flags } from '../../src/config/options.js';
import { OPTIONS, choicesOf } from '../../src/config/option-table.js';
import { compileFilter } from '../../src/stages/filter.js';
import { call, T0 } from '../support/messages.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-callers-config-');
const tty = { stdoutIsTTY: true };
const pipe = { stdoutIsTTY: false };
const resolve = (flags: Flags, env = pipe) => resolveCallers(flags, env);
/** The usage error's message, or '' when there is none. */
function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect((err as { code?: string }).code).toBe('REXI_BAD_OPTION');
    return (err as Error).message;
  }
  return '';
}

describe('callers options', () => {
  it('defaults: 24h horizon, 2x, 5 calls, score, every row, not settled; table on a terminal, else ndjson', () => {
    expect(resolve({})).toEqual({
      board: { horizonMs: DEFAULT_HORIZON_MS, hit: 2 },
      ranking: { minCalls: 5, top: undefined, sort: 'score', settled: false },
      format: 'ndjson',
    });
    expect(DEFAULT_HORIZON_MS).toBe(24 * 3600_000);
    expect(resolve({}, tty).format).toBe('table');
  });

  it('values as users type them', () => {
    const o = resolve({ horizon: '7d', hit: '1.5x', minCalls: '2', top: '20', sort: 'LEAD', settled: true, format: 'CSV' } as Flags, tty);
    expect(o).toEqual({ board: { horizonMs: 7 * 86_400_000, hit: 1.5 }, ranking: { minCalls: 2, top: 20, sort: 'lead', settled: true }, format: 'csv' });
    expect(resolve({ horizon: '90m' } as Flags).board.horizonMs).toBe(90 * 60_000);
    expect(resolve({ horizon: '3600' } as Flags).board.horizonMs).toBe(3600_000);
    expect(parseHit('2', '--hit')).toBe(2);
    expect(parseHit('2x', '--hit')).toBe(2);
    expect(parseHit('3X', '--hit')).toBe(3);
    expect(parseHit('1.5×', '--hit')).toBe(1.5);
    expect(parseHit('1.01x', '--hit')).toBe(1.01);
  });

  it('bad values: one line naming the flag', () => {
    const cases: Array<[Flags, RegExp]> = [
      [{ hit: '1' } as Flags, /^--hit: '1' must be above 1/],
      [{ hit: '0.5x' } as Flags, /^--hit: '0.5x' must be above 1/],
      [{ hit: 'two' } as Flags, /^--hit: 'two' is not a multiple/],
      [{ hit: '-3' } as Flags, /^--hit: '-3' is not a multiple/],
      [{ horizon: '0' } as Flags, /^--horizon: '0' must be above 0/],
      [{ horizon: 'soon' } as Flags, /^--horizon: 'soon' is not a duration/],
      [{ minCalls: '0' } as Flags, /^--min-calls: '0' is not a whole number of at least 1/],
      [{ top: '0' } as Flags, /^--top: '0' is not a whole number of at least 1/],
      [{ top: '2.5' } as Flags, /^--top: '2.5' is not a whole number/],
      [{ sort: 'bogus' } as Flags, /^--sort: 'bogus' is not one of score, hit-rate, median, calls, first, lead$/],
      [{ format: 'lines' } as Flags, /^--format: 'lines' is not a format of callers \(table, ndjson, csv, ids\)$/],
    ];
    for (const [flags, re] of cases) {
      const message = usage(() => resolve(flags));
      expect(message, JSON.stringify(flags)).toMatch(re);
      expect(message).not.toContain('\n');
    }
  });

  it("--sort's choices are the board's sorts; commander leaves callers' -f and --sort to the resolver", () => {
    expect([...CALLER_SORT_CHOICES]).toEqual([...CALLER_SORTS]);
    expect(choicesOf(OPTIONS.sort, 'callers')).toEqual(CALLER_SORT_CHOICES);
    expect(choicesOf(OPTIONS.format, 'callers')).toEqual(['table', 'ndjson', 'csv', 'ids']);
    expect(choicesOf(OPTIONS.format, 'tail')).toEqual(['lines', 'table', 'ndjson']);
    expect(OPTIONS.format.checkedBy).toEqual(['callers']);
    expect(OPTIONS.sort.checkedBy).toEqual(['callers']);
  });
});

describe('--caller-file', () => {
  it('one name or id a line; blank and # lines ignored; blanks around a name dropped', () => {
    expect(parseCallerFile('\uFEFFAlpha Vault\r\n\n# a comment\n  c42  \n   # indented comment\n\t\nBeta')).toEqual(['Alpha Vault', 'c42', 'Beta']);
  });

  it('missing, a directory, unreadable or empty at start: a usage error naming the flag', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'list.txt');
    fs.writeFileSync(file, 'x\n');
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.txt'), /^--caller-file: cannot read '.*missing.txt': ENOENT: no such file or directory$/],
      [dir, /^--caller-file: '.*' is a directory$/],
      [path.join(file, 'below-a-file'), /^--caller-file: cannot read '.*': ENOTDIR/],
    ];
    const empty = path.join(dir, 'empty.txt');
    fs.writeFileSync(empty, '# nobody yet\n\n');
    cases.push([empty, /^--caller-file: '.*empty.txt' names no callers$/]);
    for (const [p, re] of cases) expect(usage(() => resolveCallerFile({ callerFile: p } as Flags, EMPTY_CONFIG)), p).toMatch(re);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.txt');
      fs.writeFileSync(locked, 'x\n', { mode: 0o000 });
      expect(usage(() => resolveCallerFile({ callerFile: locked } as Flags, EMPTY_CONFIG))).toMatch(/EACCES/);
    }
    expect(resolveCallerFile({}, EMPTY_CONFIG)).toBeUndefined();
  });

  it('from the config file too; matched as --caller is, OR-ed with --caller, replaceable while the filter runs', () => {
    const file = path.join(tmpdir(), 'top.txt');
    fs.writeFileSync(file, 'Alpha\n1094872340978122843\n');
    const loaded = resolveCallerFile({}, { values: { callerFile: file }, path: '/etc/rexi.json', warnings: [] })!;
    expect(loaded.source).toBe('callerFile in /etc/rexi.json');
    expect(loaded.list.size).toBe(2);
    const keep = compileFilter({ callers: ['Gamma'], excludeCallers: [], platforms: [], tokens: [], symbols: [], callerList: loaded.list })!;
    const by = (name: string, id?: unknown) => call({ name, id, at: T0 });
    expect(keep(by('ALPHA'))).toBe(true);
    expect(keep(by('gamma'))).toBe(true);
    expect(keep(by('Beta'))).toBe(false);
    // A Discord id beyond 2^53, as the feed's JSON number and as typed, rounded alike.
    expect(keep(by('Whale', 1094872340978122843))).toBe(true);
    loaded.list.replace(['Beta']);
    expect(keep(by('Beta'))).toBe(true);
    expect(keep(by('Alpha'))).toBe(false);
    expect(keep(by('Gamma'))).toBe(true);
    expect(readCallerFile(file)).toEqual({ callers: ['Alpha', '1094872340978122843'] });
  });
});
