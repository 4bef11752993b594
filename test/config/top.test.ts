import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTop } from '../../src/config/top.js';
import type { Environment, Flags } from '../../src/config/options.js';
import { usageMessage } from '../support/errors.js';

const environment = (env: Record<string, string> = {}): Environment => ({ env, stdoutIsTTY: true, stderrIsTTY: true, homedir: '/nonexistent-home' });
const top = (flags: Flags, env: Record<string, string> = {}) => resolveTop(flags, environment(env));
const usage = usageMessage;

describe('top options', () => {
  it('defaults: a 10m window, highlighted at 3 callers, the board at 24h and 2x, every caller ranked', () => {
    const o = top({});
    expect(o.board).toEqual({ windowMs: 600_000, windowText: '10m', minCallers: 3, stateMax: 100_000, horizonMs: 86_400_000, hit: 2, minCalls: 1 });
    expect(o).toMatchObject({ demo: false, history: [], color: 'auto', durationMs: undefined });
  });

  it('reads the board flags, --history, --color and the filters as tail does', () => {
    const o = top({ window: '5m', minCallers: '2', horizon: '12h', hit: '1.5x', minCalls: '3', stateMax: '5000', history: ['a.ndjson', 'b.ndjson.gz'], color: 'never', platform: ['telegram'], duration: '30s' });
    expect(o.board).toEqual({ windowMs: 300_000, windowText: '5m', minCallers: 2, stateMax: 5000, horizonMs: 43_200_000, hit: 1.5, minCalls: 3 });
    expect(o.history).toEqual(['a.ndjson', 'b.ndjson.gz']);
    expect(o.color).toBe('never');
    expect(o.filter.platforms).toEqual(['telegram']);
    expect(o.durationMs).toBe(30_000);
  });

  it('--caller-file: read at start into the filter, as tail does; unusable, a usage error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rexi-top-callers-'));
    try {
      const file = path.join(dir, 'top.txt');
      fs.writeFileSync(file, '# mine\nAlpha Leak\n-1001234\n');
      const o = top({ callerFile: file, caller: ['Degen Den'] });
      expect(o.callerFile?.path).toBe(file);
      expect(o.filter.callerList).toBe(o.callerFile!.list);
      expect(o.filter.callerList!.size).toBe(2);
      expect(o.filter.callerList!.set.has('alpha leak')).toBe(true);
      expect(o.filter.callers).toEqual(['Degen Den']);
      expect(top({}).callerFile).toBeUndefined();
      expect(usage(() => top({ callerFile: path.join(dir, 'missing.txt') }))).toMatch(/^--caller-file: cannot read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad values are usage errors naming the flag', () => {
    expect(usage(() => top({ hit: '1' }))).toMatch(/--hit: '1' must be above 1/);
    expect(usage(() => top({ hit: 'abc' }))).toMatch(/--hit/);
    expect(usage(() => top({ minCallers: '1' }))).toMatch(/--min-callers: '1' is not a whole number of at least 2/);
    expect(usage(() => top({ minCalls: '0' }))).toMatch(/--min-calls/);
    expect(usage(() => top({ window: '0' }))).toMatch(/--window: '0' must be above 0/);
    expect(usage(() => top({ horizon: '0s' }))).toMatch(/--horizon/);
    expect(usage(() => top({ stateMax: '0' }))).toMatch(/--state-max/);
    expect(usage(() => top({ rate: '5' }))).toMatch(/--rate goes with --demo/);
    expect(usage(() => top({ demo: true, url: 'ws://127.0.0.1:1/x' }))).toMatch(/--demo and --url are both set/);
  });
});
