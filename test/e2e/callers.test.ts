import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, cleanEnv, killAll, ndjsonLines, runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { createFeedServer, type FeedServer } from '../../src/library/feed-server.js';
import { addStream, publishRaw } from '../support/nats-client.js';
import { describeNats, freePort, natsAvailable, natsServers, type NatsServer } from '../support/nats-server.js';
import { HOSTILE, forbiddenIn } from '../support/hostile.js';

/**
 * `rexi-live callers` as users run it, on crafted captures whose rankings are computed by hand
 * below, and the --caller-file recipe of the SPEC against a live feed.
 */

const tmpdir = tmpdirs('rexi-e2e-callers-', { until: 'all' });
// Each test runs the built CLI several times over: bounded, with room for a loaded machine.
vi.setConfig({ testTimeout: 60_000 });
afterEach(killAll);

const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);
const MIN = 60_000;
const A = { id: 'a', name: 'Alpha', platform: 'telegram' };
const B = { id: 'b', name: 'Beta', platform: 'telegram' };
const C = { name: 'Gamma', platform: 'discord' };
const U = { platform: 'telegram' };

/** A capture line: a call at `min` minutes after T0, with received_at unless `noReceivedAt`. */
function line(min: number, caller: object, token: string, mcap: number | undefined, o: { noReceivedAt?: boolean; symbol?: string } = {}): string {
  const at = T0 + min * MIN;
  const data: Record<string, unknown> = { token_address: token, token_symbol: o.symbol ?? token.toUpperCase(), timestamp: Math.floor(at / 1000), caller };
  if (mcap !== undefined) data.price_data = { market_cap: mcap };
  return JSON.stringify({ type: 'NEW_SCAN', data, ...(!o.noReceivedAt && { received_at: new Date(at).toISOString() }) });
}

/**
 * With --horizon 1h --hit 2x (times in minutes):
 *   0 A X 1000 · 10 B X 3000 · 20 U X 500 · 30 A X 4000 (a repeat) · 40 C Y 2000 · 50 B Y 1000 ·
 *   60 A Z (no market cap) · 65 C Z 100 · 70 C X 2500 (exactly 1h after B's X) · 71 B W 1000 ·
 *   200 B Y 5000 (a new call: 150m after B's first Y; open, nothing comes 1h after it)
 */
const CALLS = [
  line(0, A, 'x', 1000),
  line(10, B, 'x', 3000),
  line(20, U, 'x', 500, { noReceivedAt: true }),
  line(30, A, 'x', 4000),
  line(40, C, 'y', 2000),
  line(50, B, 'y', 1000),
  line(60, A, 'z', undefined),
  line(65, C, 'z', 100),
  line(70, C, 'x', 2500),
  line(71, B, 'w', 1000),
  line(200, B, 'y', 5000),
];
const NOISE = ['not json', '{"type":"HEARTBEAT"}', '{"type":"MULTI_CALL","data":{"token_address":"x"}}'];
const RANK = ['--horizon', '1h', '--hit', '2x', '--min-calls', '1'];
const iso = (min: number): string => new Date(T0 + min * MIN).toISOString();

/**
 * Alpha: calls X@0 (first; later X within 1h: 3000, 500, 4000: peak 4000, ×4, a hit; followers B
 * and the unknown caller; lead 600s) and Z@60 (first, no market cap; follower Gamma, lead 300s);
 * one repeat. Beta: X@10 (followers U, A, Gamma at exactly 1h; peak 4000: ×4/3; lead 600s), Y@50
 * (not first: Gamma at 40; never seen again within 1h), W@71 (first, never seen again), Y@200
 * (first: Gamma's Y is 160m before; open). Gamma: Y@40 (first; Beta's Y@50 at 1000: ×0.5; lead
 * 600s), Z@65 (Alpha's at 60: not first), X@70 (Beta's X@10 exactly 1h before: not first).
 */
const ALPHA = {
  rank: 1, caller: { id: 'a', name: 'Alpha', platform: 'telegram' }, calls: 2, repeats: 1, first_calls: 2, with_mcap: 1, seen_again: 1,
  hits: 1, hit_rate: 1, score: 1 / (1 + 1.96 ** 2), median_multiple: 4, mean_followers: 1.5, median_lead_s: 450, open: 0,
  best: { token_address: 'x', token_symbol: 'X', multiple: 4, market_cap: 1000, peak: 4000, time: iso(0) },
};
const BETA = {
  rank: 2, caller: { id: 'b', name: 'Beta', platform: 'telegram' }, calls: 4, repeats: 0, first_calls: 2, with_mcap: 4, seen_again: 1,
  hits: 0, hit_rate: 0, score: 0, median_multiple: 1, mean_followers: 0.75, median_lead_s: 600, open: 1,
  best: { token_address: 'x', token_symbol: 'X', multiple: 4000 / 3000, market_cap: 3000, peak: 4000, time: iso(10) },
};
const GAMMA = {
  rank: 3, caller: { id: null, name: 'Gamma', platform: 'discord' }, calls: 3, repeats: 0, first_calls: 1, with_mcap: 3, seen_again: 1,
  hits: 0, hit_rate: 0, score: 0, median_multiple: 1, mean_followers: 1 / 3, median_lead_s: 600, open: 0,
  best: { token_address: 'y', token_symbol: 'Y', multiple: 0.5, market_cap: 2000, peak: 1000, time: iso(40) },
};

let dir: string;
let capture: string;
beforeAll(() => {
  dir = tmpdir();
  capture = path.join(dir, 'calls.ndjson');
  fs.writeFileSync(capture, [...CALLS.slice(0, 3), NOISE[0], ...CALLS.slice(3, 6), NOISE[1], NOISE[2], ...CALLS.slice(6)].join('\n') + '\n');
});

const rows = (stdout: string): Array<Record<string, unknown>> => ndjsonLines(stdout) as Array<Record<string, unknown>>;
const close = (got: Array<Record<string, unknown>>, want: Array<Record<string, unknown>>): void => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    for (const [k, v] of Object.entries(w)) {
      if (typeof v === 'number' && !Number.isInteger(v)) expect(g[k], `${i} ${k}`).toBeCloseTo(v, 12);
      else if (k === 'best' && v !== null) {
        const { multiple, ...rest } = v as { multiple: number };
        expect(g.best).toMatchObject(rest);
        expect((g.best as { multiple: number }).multiple).toBeCloseTo(multiple, 12);
      } else expect(g[k], `${i} ${k}`).toEqual(v);
    }
    expect(Object.keys(g)).toEqual(Object.keys(w));
  });
};

describe('callers: the ranking of a crafted capture', () => {
  it('ndjson by default off a terminal: every field as computed by hand, in order; the summary', async () => {
    const r = await runCli(['callers', capture, ...RANK]);
    expect(r.code, r.stderr).toBe(0);
    close(rows(r.stdout), [ALPHA, BETA, GAMMA]);
    expect(r.stderr).toMatch(/read 14 lines, 11 calls, 3 callers, ranked 3 \(0 below --min-calls\), repeats 1, open 1, skipped 3 \(not-json 1, other-type 2\)/);
    expect(r.stderr).toMatch(/skipped line 4: not JSON/);
    // stderr is not a terminal: no progress bar, nothing but log lines.
    expect(r.stderr).not.toContain('reading');
    expect(r.stderr).not.toContain('\x1b');
  });

  it('--min-calls, --top, --sort, --settled', async () => {
    // Independent runs over the same capture: all at once.
    const [min, top, byCalls, byFirst, byLead, settled] = await Promise.all(
      [['--min-calls', '3'], ['--top', '2'], ['--sort', 'calls'], ['--sort', 'first'], ['--sort', 'lead'], ['--settled']].map((extra) => runCli(['callers', capture, ...RANK, ...extra])),
    );
    expect(rows(min!.stdout).map((x) => x.caller)).toEqual([BETA.caller, GAMMA.caller]);
    expect(min!.stderr).toMatch(/ranked 2 \(1 below --min-calls\)/);
    expect(rows(top!.stdout).map((x) => x.rank)).toEqual([1, 2]);
    expect(top!.stderr).toMatch(/ranked 3 \(0 below/);
    // calls: Beta 4, Gamma 3, Alpha 2. first: Alpha 2, Beta 2 (tie: score), Gamma 1.
    expect(rows(byCalls!.stdout).map((x) => (x.caller as { name: string }).name)).toEqual(['Beta', 'Gamma', 'Alpha']);
    expect(rows(byFirst!.stdout).map((x) => (x.caller as { name: string }).name)).toEqual(['Alpha', 'Beta', 'Gamma']);
    // lead, ascending: Alpha 450s, then Beta and Gamma at 600s (tie: score 0 both, then calls).
    expect(rows(byLead!.stdout).map((x) => (x.caller as { name: string }).name)).toEqual(['Alpha', 'Beta', 'Gamma']);
    // --settled: Beta's Y@200 is open, so it counts nowhere but in `open`.
    const beta = rows(settled!.stdout).find((x) => (x.caller as { name: string }).name === 'Beta')!;
    expect(beta).toMatchObject({ calls: 3, first_calls: 1, with_mcap: 3, seen_again: 1, median_multiple: 1, mean_followers: 1, open: 1 });
  });

  it('two overlapping captures (two writers) merged in either order: the same output as the whole', async () => {
    const first = path.join(dir, 'writer-1.ndjson');
    const second = path.join(dir, 'writer-2.ndjson.gz');
    // Writer 1 has the first 8 calls, writer 2 the last 7 (gzip): 4 calls are in both.
    fs.writeFileSync(first, CALLS.slice(0, 8).join('\n') + '\n');
    fs.writeFileSync(second, zlib.gzipSync(CALLS.slice(4).join('\n') + '\n'));
    const [whole, ab, ba] = await Promise.all([runCli(['callers', capture, ...RANK]), runCli(['callers', first, second, ...RANK]), runCli(['callers', second, first, ...RANK])]);
    expect(ab.code, ab.stderr).toBe(0);
    expect(ab.stdout).toBe(whole.stdout);
    expect(ba.stdout).toBe(whole.stdout);
    expect(ab.stderr).toMatch(/read 15 lines, 15 calls, 3 callers, ranked 3 \(0 below --min-calls\), repeats 1, duplicates 4, open 1, skipped 0/);
  });

  it('stdin (plain and gzip) and a file together; csv and ids', async () => {
    const gz = zlib.gzipSync(CALLS.slice(0, 6).join('\n') + '\n');
    const rest = path.join(dir, 'rest.ndjson');
    fs.writeFileSync(rest, CALLS.slice(6).join('\n') + '\n');
    const whole = await runCli(['callers', capture, ...RANK]);
    const fromStdin = spawnCli(['callers', '-', rest, ...RANK]);
    fromStdin.proc.stdin!.end(gz);
    const r = await fromStdin.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/read 11 lines, 11 calls/);
    expect(r.stdout).toBe(whole.stdout);
    const plain = await runCli(['callers', '-', rest, ...RANK, '-f', 'csv'], { stdin: [...CALLS.slice(0, 6), 'oops'].join('\n') + '\n' });
    // Several sources: a skipped line is named with its source.
    expect(plain.stderr).toMatch(/skipped stdin line 7: not JSON/);
    expect(plain.stdout.split('\n')).toEqual([
      'rank,platform,caller_id,caller_name,calls,repeats,first_calls,with_mcap,seen_again,hits,hit_rate,score,median_multiple,mean_followers,median_lead_s,open,best_token_address,best_token_symbol,best_multiple',
      `1,telegram,a,Alpha,2,1,2,1,1,1,1,${1 / (1 + 1.96 ** 2)},4,1.5,450,0,x,X,4`,
      `2,telegram,b,Beta,4,0,2,4,1,0,0,0,1,0.75,600,1,x,X,${4000 / 3000}`,
      `3,discord,,Gamma,3,0,1,3,1,0,0,0,1,${1 / 3},600,0,y,Y,0.5`,
      '',
    ]);
    const ids = await runCli(['callers', capture, ...RANK, '-f', 'ids']);
    expect(ids.stdout).toBe('a\nb\nGamma\n');
  });

  it('the filters of tail apply before ranking: sightings and leads of other callers are gone too', async () => {
    const r = await runCli(['callers', capture, ...RANK, '--platform', 'discord']);
    expect(r.code, r.stderr).toBe(0);
    // Gamma alone: Y@40 is never seen again (Beta is filtered out), Z@65 and X@70 are first calls.
    const [gamma, ...others] = rows(r.stdout);
    expect(others).toEqual([]);
    expect(gamma).toMatchObject({ rank: 1, calls: 3, first_calls: 3, with_mcap: 3, seen_again: 0, median_multiple: 1, mean_followers: 0, median_lead_s: null, best: null });
    expect(r.stderr).toMatch(/read 14 lines, 11 calls, filtered 8, 1 callers, ranked 1 \(0 below --min-calls\)/);
    const byCaller = await runCli(['callers', capture, ...RANK, '--caller', 'alpha', '--caller', 'B']);
    expect(rows(byCaller.stdout).map((x) => (x.caller as { name: string }).name)).toEqual(['Alpha', 'Beta']);
    const list = path.join(dir, 'list.txt');
    fs.writeFileSync(list, '# who\nGAMMA\n');
    const byFile = await runCli(['callers', capture, ...RANK, '--caller-file', list, '--caller', 'a', '-f', 'ids']);
    expect(byFile.stdout).toBe('a\nGamma\n');
  });

  it('the table on a terminal-less run with -f table: the SPEC cells; hostile names never reach the terminal raw', async () => {
    const r = await runCli(['callers', capture, ...RANK, '-f', 'table']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ 1 │ Alpha +│ telegram +│ +2 │ +2 │ +100% │ +0\.21 │ +4\.0× │ X 4\.0× +│ +8m │/);
    expect(r.stdout).toMatch(/│ 3 │ Gamma +│ discord +│ +3 │ +1 │ +0% │ +0\.00 │ +1\.0× │ Y 0\.5× +│ +10m │/);
    const hostile = path.join(dir, 'hostile.ndjson');
    const evil = Object.values(HOSTILE).join('|');
    fs.writeFileSync(hostile, [line(0, { id: evil, name: evil, platform: evil }, 'h', 100, { symbol: evil }), line(1, B, 'h', 900)].join('\n') + '\n');
    const table = await runCli(['callers', hostile, '--min-calls', '1', '-f', 'table']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('a\\x1b[2J');
    expect(forbiddenIn(table.stdout)).toEqual([]);
    // In csv the name is data, quoted, and a spreadsheet never runs it.
    fs.writeFileSync(hostile, [line(0, { name: '=HYPERLINK("http://evil","click")', platform: 'telegram' }, 'h', 100), line(1, B, 'h', 900)].join('\n') + '\n');
    const csv = await runCli(['callers', hostile, '--min-calls', '1', '-f', 'csv']);
    expect(csv.stdout).toContain(`,"'=HYPERLINK(""http://evil"",""click"")",`);
  });
});

/** util-linux `script` gives the CLI a terminal for stdout and stderr alike. */
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasScript)('callers: the progress bar on a terminal', () => {
  it('bytes of the total, rate and time left, at most 10 redraws a second, erased before the table', async () => {
    const big = path.join(tmpdir(), 'big.ndjson');
    const lines = Array.from({ length: 30_000 }, (_, i) => line(i / 60, [A, B, C][i % 3]!, `t${i % 500}`, 1000 + ((i * 7919) % 9000)));
    fs.writeFileSync(big, lines.join('\n') + '\n');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} callers ${JSON.stringify(big)} --top 2`;
    const startedAt = Date.now();
    const output = await new Promise<string>((resolve) => {
      const proc = spawn('script', ['-qec', command, '/dev/null'], { env: cleanEnv({ TERM: 'xterm', COLUMNS: '120' }), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const limit = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      proc.on('close', () => {
        clearTimeout(limit);
        resolve(out);
      });
    });
    const seconds = (Date.now() - startedAt) / 1000;
    const draws = output.match(/reading [█░]+ \d+% \| [\d.]+ (?:B|KB|MB) of [\d.]+ MB \| [\d.]+ (?:B|KB|MB)\/s \| \S+ left/g) ?? [];
    expect(draws.length, output.slice(0, 500)).toBeGreaterThanOrEqual(1);
    expect(draws.length).toBeLessThanOrEqual(10 * seconds + 2);
    // Erased (the whole line cleared) before the table is drawn on the same terminal.
    const lastDraw = output.lastIndexOf('reading ');
    const table = output.indexOf('┌');
    expect(table).toBeGreaterThan(lastDraw);
    expect(output.slice(lastDraw, table)).toContain('\x1b[2K');
    expect(output).toMatch(/read 30000 lines, 30000 calls, 3 callers/);
  });
});

/** The process of the CLI under a `script`: the descendant that is node running bin/rexi-live.js. */
function cliUnder(pid: number): number | undefined {
  const children = (spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
  for (const child of children) {
    // The node process itself, not a shell whose -c text names it.
    const argv = safeCmdline(child).split('\0');
    if (argv[0] === process.execPath && argv[1] === BIN) return child;
    const deeper = cliUnder(child);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}
function safeCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

const hasPgrep = spawnSync('pgrep', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasScript || !hasPgrep)('callers: interrupted on a terminal', () => {
  it('Ctrl-C while the bar is drawn: the line is erased, and the run ends by the signal', async () => {
    const file = path.join(tmpdir(), 'some.ndjson');
    fs.writeFileSync(file, CALLS.join('\n') + '\n');
    // stdin is the terminal, which nobody types into: the run waits there for ever, bar drawn.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} callers ${JSON.stringify(file)} -`;
    const proc = spawn('script', ['-qec', command, '/dev/null'], { env: cleanEnv({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = new Promise<void>((resolve) => proc.on('close', () => resolve()));
    const limit = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    try {
      const until = Date.now() + 20_000;
      while (!out.includes('reading ') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('reading ');
      const cli = cliUnder(proc.pid!);
      expect(cli).toBeDefined();
      process.kill(cli!, 'SIGINT');
      await closed;
    } finally {
      clearTimeout(limit);
      proc.stdin.end();
    }
    const afterBar = out.slice(out.lastIndexOf('reading '));
    expect(afterBar).toContain('\x1b[2K');
    // Nothing ranked from half the input, and no summary.
    expect(out).not.toContain('┌');
    expect(out).not.toMatch(/read \d+ lines/);
  });
});

describe('callers --help', () => {
  it('flags, examples, exit codes, within 100 columns; listed in the top help', async () => {
    const r = await runCli(['callers', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: rexi-live callers \[options\] <sources\.\.\.>/);
    for (const flag of ['--horizon <dur>', '--hit <multiple>', '--min-calls <n>', '--sort <key>', '--top <n>', '--settled', '--caller-file <path>', '-f, --format <format>', '--since', '--start-seq']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Examples:\n {2}\$ rexi-live callers/);
    expect(r.stdout).toMatch(/Exit codes: 0 done, 2 usage/);
    for (const l of r.stdout.split('\n')) expect(l.length, l).toBeLessThanOrEqual(100);
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/\n {2}callers \[options\] <sources\.\.\.>/);
  });
});

describe('callers: bad input is one line, exit 2', () => {
  it('bad values, missing, unreadable, a directory, a format callers does not have', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['callers', capture, '--hit', '1'], /^rexi-live: error: --hit: '1' must be above 1/],
      [['callers', capture, '--hit', '0.5x'], /^rexi-live: error: --hit: '0.5x' must be above 1/],
      [['callers', capture, '--horizon', '0'], /^rexi-live: error: --horizon: '0' must be above 0/],
      [['callers', capture, '--min-calls', '0'], /^rexi-live: error: --min-calls: '0' is not a whole number of at least 1/],
      [['callers', capture, '--top', '0'], /^rexi-live: error: --top: '0' is not a whole number of at least 1/],
      [['callers', capture, '--sort', 'bogus'], /^rexi-live: error: --sort: 'bogus' is not one of score, hit-rate, median, calls, first, lead/],
      [['callers', capture, '-f', 'lines'], /^rexi-live: error: --format: 'lines' is not a format of callers \(table, ndjson, csv, ids\)/],
      [['callers', capture, path.join(dir, 'missing.ndjson')], /^rexi-live: error: callers: cannot read '.*missing\.ndjson': ENOENT/],
      [['callers', dir], /^rexi-live: error: callers: '.*' is a directory, not a capture file/],
      [['callers', path.join(capture, 'below-a-file')], /^rexi-live: error: callers: cannot read '.*below-a-file': ENOTDIR/],
      [['callers', '-', '-'], /^rexi-live: error: callers: '-' \(stdin\) can be given once/],
      [['callers', capture, '--since', '1h'], /^rexi-live: error: --since goes with a nats:\/\/ source/],
      [['callers', capture, '--caller-file', path.join(dir, 'nobody.txt')], /^rexi-live: error: --caller-file: cannot read/],
    ];
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.ndjson');
      fs.writeFileSync(locked, CALLS[0] + '\n', { mode: 0o000 });
      cases.push([['callers', locked], /^rexi-live: error: callers: cannot read '.*locked\.ndjson': EACCES/]);
    }
    const results = await Promise.all(cases.map(([args]) => runCli(args, { stdin: '' })));
    results.forEach((r, i) => {
      const what = cases[i]![0].slice(2).join(' ');
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(cases[i]![1]);
      expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(r.stdout, what).toBe('');
    });
  });

  it('--caller-file of tail, demo and replay: missing, a directory or empty at start is exit 2; replay filters by it', async () => {
    const empty = path.join(dir, 'empty-list.txt');
    fs.writeFileSync(empty, '# nobody\n');
    const missing = path.join(dir, 'no-list.txt');
    const cases: Array<[string[], RegExp]> = [
      [['--url', 'ws://127.0.0.1:1/x', '--caller-file', missing], /^rexi-live: error: --caller-file: cannot read '.*no-list\.txt': ENOENT/],
      [['demo', '--caller-file', dir], /^rexi-live: error: --caller-file: '.*' is a directory/],
      [['replay', capture, '--caller-file', empty], /^rexi-live: error: --caller-file: '.*empty-list\.txt' names no callers/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { env: { REXI_API_KEY: 'k' } })));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
    const list = path.join(dir, 'replay-list.txt');
    fs.writeFileSync(list, 'gamma\n');
    const replay = await runCli(['replay', capture, '--caller-file', list, '--caller', 'b']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(ndjsonLines(replay.stdout).map((l) => (l as { data: { caller: { name: string } } }).data.caller.name)).toEqual(['Beta', 'Gamma', 'Beta', 'Gamma', 'Gamma', 'Beta', 'Beta']);
  });

  it('malformed lines only: skipped and counted, nothing ranked, exit 0', async () => {
    const r = await runCli(['callers', '-'], { stdin: NOISE.join('\n') + '\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/read 3 lines, 0 calls, 0 callers, ranked 0 \(0 below --min-calls\), repeats 0, open 0, skipped 3 \(not-json 1, other-type 2\)/);
  });
});

describe('--caller-file with a live feed', () => {
  let feed: FeedServer | undefined;
  afterEach(async () => {
    await killAll();
    await feed?.close();
    feed = undefined;
  });

  /** A feed that replays, in a loop, Alpha, Beta and Gamma calling in turn every 50ms. */
  async function loopingFeed(): Promise<string> {
    const file = path.join(tmpdir(), 'feed.ndjson');
    const lines = Array.from({ length: 30 }, (_, i) => {
      const caller = [A, B, C][i % 3]!;
      return JSON.stringify({ type: 'NEW_SCAN', data: { token_address: `T${i}`, timestamp: 1764547200 + i, caller }, received_at: new Date(T0 + i * 50).toISOString() });
    });
    fs.writeFileSync(file, lines.join('\n') + '\n');
    feed = await createFeedServer({ replay: file, loop: true });
    return feed.url;
  }
  const callerOf = (l: unknown): string => (l as { data: { caller: { name: string } } }).data.caller.name;

  it("SPEC's cron recipe: callers -f ids > file, then tail --caller-file file follows only them", async () => {
    const url = await loopingFeed();
    const top = path.join(tmpdir(), 'top.txt');
    const ranked = await runCli(['callers', capture, ...RANK, '--top', '2', '-f', 'ids']);
    fs.writeFileSync(top, ranked.stdout);
    expect(fs.readFileSync(top, 'utf8')).toBe('a\nb\n');
    const tail = await runCli(['--url', url, '--caller-file', top, '-n', '6', '-f', 'ndjson'], { env: { REXI_API_KEY: 'k' }, timeoutMs: 20_000 });
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stderr).toMatch(/caller file: 2 callers/);
    const names = ndjsonLines(tail.stdout).map(callerOf);
    expect(names).toHaveLength(6);
    expect(new Set(names)).toEqual(new Set(['Alpha', 'Beta']));
  });

  it('a change of the file is picked up within 5s with one info line; the filter follows it', async () => {
    const url = await loopingFeed();
    const list = path.join(tmpdir(), 'follow.txt');
    fs.writeFileSync(list, 'Alpha\n');
    const tail = spawnCli(['--url', url, '--caller-file', list, '-f', 'ndjson'], { env: { REXI_API_KEY: 'k' }, timeoutMs: 30_000 });
    await tail.waitFor(/caller file: 1 caller\b/);
    await tail.waitFor(/"Alpha"/, 'stdout');
    fs.writeFileSync(`${list}.tmp`, '# swapped\nBeta\ngamma\n');
    fs.renameSync(`${list}.tmp`, list);
    const changedAt = Date.now();
    await tail.waitFor(/caller file: 2 callers/, 'stderr', 10_000);
    // Within 5 s, with room for a loaded machine's scheduling.
    expect(Date.now() - changedAt).toBeLessThan(8_000);
    await tail.waitFor(/"Gamma"/, 'stdout', 10_000);
    // An empty file keeps the list, with a warning.
    fs.writeFileSync(list, '');
    await tail.waitFor(/--caller-file: '.*' names no callers; keeping the last list \(2 callers\)/, 'stderr', 10_000);
    const seen = tail.stdout().length;
    await new Promise((r) => setTimeout(r, 500));
    tail.proc.kill('SIGTERM');
    const r = await tail.done;
    const names = ndjsonLines(r.stdout).map(callerOf);
    const firstNew = names.findIndex((n) => n !== 'Alpha');
    expect(firstNew).toBeGreaterThan(0);
    expect(names.slice(0, firstNew).every((n) => n === 'Alpha')).toBe(true);
    expect(new Set(names.slice(firstNew))).toEqual(new Set(['Beta', 'Gamma']));
    expect(ndjsonLines(r.stdout.slice(seen)).map(callerOf).every((n) => n !== 'Alpha')).toBe(true);
    expect(r.stderr.match(/caller file: /g)).toHaveLength(2);
  });
});

const nats = natsServers('all');
let server: NatsServer;

describeNats('callers from a JetStream stream', () => {
  beforeAll(async () => {
    if (!natsAvailable()) return;
    server = await nats.start();
  });
  afterAll(killAll);

  it('ranks what the stream holds, as from the capture; --since; a stream that cannot be reached is exit 4', async () => {
    await addStream(server.url, 'CALLERS', ['cl.*']);
    // Stored as a publisher stores them: the frame without received_at; the time is data.timestamp.
    const bodies = CALLS.map((l) => {
      const { received_at: _, ...frame } = JSON.parse(l) as Record<string, unknown>;
      return { subject: 'cl.calls', body: JSON.stringify(frame) };
    });
    const signal = '{"type":"MULTI_CALL","data":{"token_address":"x","token_symbol":"X","token_name":null,"window":"10m","callers":[],"first_market_cap":null,"market_cap":null,"trigger":{}},"emitted_at":"2026-12-01T00:10:00.000Z"}';
    await publishRaw(server.url, [...bodies.slice(0, 5), { subject: 'cl.signals', body: signal }, ...bodies.slice(5)]);
    const port = await freePort();
    // Reads only, independent of each other: all at once.
    const [fromCapture, r, both, seq, since, down, half] = await Promise.all([
      runCli(['callers', capture, ...RANK]),
      runCli(['callers', `${server.url}/cl.>`, ...RANK]),
      // A stream and a capture of the same calls: each call counted once.
      runCli(['callers', capture, `${server.url}/cl.>`, ...RANK]),
      runCli(['callers', `${server.url}/cl.>`, ...RANK, '--start-seq', '100']),
      runCli(['callers', `${server.url}/cl.>`, ...RANK, '--since', '1h']),
      runCli(['callers', `nats://127.0.0.1:${port}/cl.>`, '--backoff-min', '50ms', '--backoff-max', '100ms'], { timeoutMs: 20_000 }),
      // The first stream opened, the second not: exit 4 all the same, the first connection closed
      // (an open one would keep the process alive until the test's kill).
      runCli(['callers', `${server.url}/cl.>`, `nats://127.0.0.1:${port}/cl.>`, '--max-retries', '0'], { timeoutMs: 20_000 }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(fromCapture.stdout);
    expect(r.stderr).toMatch(/read 12 lines, 11 calls, 3 callers, ranked 3 \(0 below --min-calls\), repeats 1, open 1, skipped 1 \(other-type 1\)/);
    expect(both.stdout).toBe(fromCapture.stdout);
    expect(both.stderr).toMatch(/duplicates 11/);
    expect(seq.code, seq.stderr).toBe(0);
    expect(seq.stdout).toBe('');
    expect(since.stdout).toBe(fromCapture.stdout);
    expect(down.code, down.stderr).toBe(4);
    expect(down.stderr).toMatch(/gave up connecting to NATS at .* after 4 attempts/);
    expect(half.signal).toBeNull();
    expect(half.code, half.stderr).toBe(4);
  });
});
