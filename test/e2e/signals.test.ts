import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE, forbiddenIn } from '../support/hostile.js';
import { killAll, ndjsonLines, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { startBareServer, type BareServer } from '../support/ws-server.js';

/**
 * Dedupe, multi-call signals, --state and hooks through the built CLI. Most runs are replays of
 * crafted captures: a line's received_at is its time, so windows, TTLs and cooldowns need no
 * waiting and every result is exact.
 */

const tmpdir = tmpdirs('rexi-signals-');
/** For files made while the tests are collected, removed after the last one. */
const fixtures = tmpdirs('rexi-signals-fixtures-', { until: 'all' });
const servers: BareServer[] = [];
afterEach(async () => {
  await killAll();
  for (const s of servers.splice(0)) await s.close();
});

/** 2026-12-01 07:40:00 UTC: minute 0 of every capture. */
const T0 = Date.UTC(2026, 11, 1, 7, 40, 0);
const MIN = 60_000;

interface Scan {
  token?: string;
  id?: string | null;
  name?: string | null;
  platform?: string;
  /** data.timestamp, unix seconds (default: the arrival). */
  ts?: number;
  mcap?: number | null;
  symbol?: string;
  tokenName?: string;
  /** Minutes after T0 it arrived. */
  at: number;
}

/** A NEW_SCAN frame; an undefined field is left out, null is sent as null. */
function frame(s: Scan): string {
  const caller: Record<string, unknown> = { platform: s.platform ?? 'telegram' };
  if (s.id !== undefined) caller.id = s.id;
  if (s.name !== undefined) caller.name = s.name;
  return JSON.stringify({
    type: 'NEW_SCAN',
    data: {
      token_address: s.token ?? 'TokA',
      token_name: s.tokenName ?? 'Token A',
      token_symbol: s.symbol ?? 'TKA',
      timestamp: s.ts ?? Math.floor((T0 + s.at * MIN) / 1000),
      caller,
      price_data: { current_price: 0.0001, market_cap: s.mcap === undefined ? 100_000 : s.mcap },
    },
  });
}

const iso = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

/** A capture line, as tail -o --received-at writes it. */
const captureLine = (s: Scan): string => `${frame(s).slice(0, -1)},"received_at":"${iso(s.at)}"}`;

function capture(scans: Scan[], name = 'capture.ndjson', dir = tmpdir()): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, scans.map(captureLine).join('\n') + '\n');
  return file;
}

type Line = { type: string; data: Record<string, unknown> & { caller?: { name?: string; id?: string }; token_address: string; callers?: { name: string | null; id: string | null }[] } };

/** What each output line is: `TokA:alice` for a call, `signal:TokA:alice,bob` for a signal. */
function shape(stdout: string): string[] {
  return (ndjsonLines(stdout) as Line[]).map((m) =>
    m.type === 'MULTI_CALL'
      ? `signal:${m.data.token_address}:${m.data.callers!.map((c) => c.name ?? c.id).join(',')}`
      : `${m.data.token_address}:${m.data.caller?.name ?? m.data.caller?.id ?? '?'}`,
  );
}

/** The exit summary line: the last line of the JSON log on stderr. */
function summaryOf(r: CliResult): string {
  const lines = r.stderr.trim().split('\n');
  return (JSON.parse(lines[lines.length - 1]!) as { msg: string }).msg;
}

const replay = (file: string, ...args: string[]): Promise<CliResult> => runCli(['replay', file, '-f', 'ndjson', ...args]);

describe('dedupe', () => {
  it('call: the same call delivered again is dropped; another timestamp, caller or token is not', async () => {
    const file = capture([
      { id: 'a1', name: 'alice', ts: 100, at: 0 },
      { id: 'a1', name: 'alice', ts: 100, at: 1 },
      { id: 'a1', name: 'alice', ts: 101, at: 2 },
      { id: 'b1', name: 'bob', ts: 100, at: 3 },
      { token: 'TokB', id: 'a1', name: 'alice', ts: 100, at: 4 },
    ]);
    const r = await replay(file, '--dedupe', 'call');
    expect(r.code).toBe(0);
    expect(shape(r.stdout)).toEqual(['TokA:alice', 'TokA:alice', 'TokA:bob', 'TokB:alice']);
    expect(summaryOf(r)).toMatch(/^received 5, output 4, filtered 0, deduped 1, skipped 0/);
  });

  it('caller: platform + id, else platform + name, case-insensitively; the unknown caller is one; tokens are case-sensitive', async () => {
    const file = capture([
      { id: '1', name: 'Alice', at: 0 },
      { id: '1', name: 'Renamed', platform: 'Telegram', at: 1 }, // same id, same platform: dropped
      { id: '', name: 'BOB', at: 2 }, // an empty id is missing: the name decides
      { id: null, name: 'bob', platform: 'TELEGRAM', at: 3 }, // dropped
      { id: '1', name: 'Alice', platform: 'discord', at: 4 }, // another platform: another caller
      { token: 'toka', id: '1', name: 'Alice', at: 5 }, // another token (base58 is case-sensitive)
      { at: 6 }, // neither id nor name: the unknown caller of telegram
      { name: '', at: 7 }, // the same unknown caller: dropped
    ]);
    const r = await replay(file, '--dedupe', 'CALLER');
    expect(r.code).toBe(0);
    expect(shape(r.stdout)).toEqual(['TokA:Alice', 'TokA:BOB', 'TokA:Alice', 'toka:Alice', 'TokA:?']);
    expect(summaryOf(r)).toMatch(/deduped 3/);
  });

  it('token and --first-call: the first call of each token only, the line unchanged', async () => {
    const scans: Scan[] = [
      { name: 'alice', at: 0 },
      { name: 'bob', at: 1 },
      { token: 'TokB', name: 'bob', at: 2 },
      { token: 'TokB', name: 'carol', at: 3 },
    ];
    const file = capture(scans);
    const first = await replay(file, '--first-call');
    const token = await replay(file, '--dedupe', 'token');
    expect(first.stdout.split('\n').filter(Boolean)).toEqual([frame(scans[0]!), frame(scans[2]!)]);
    expect(token.stdout).toBe(first.stdout);
  });

  it('--dedupe-ttl: a key is forgotten that long after its first sighting', async () => {
    const file = capture([
      { name: 'alice', at: 0 },
      { name: 'bob', at: 30 }, // within the hour: dropped
      { name: 'carol', at: 61 }, // the key expired: output, remembered anew
      { name: 'dave', at: 90 }, // within the hour of carol's: dropped
    ]);
    const r = await replay(file, '--first-call', '--dedupe-ttl', '1h');
    expect(shape(r.stdout)).toEqual(['TokA:alice', 'TokA:carol']);
  });
});

describe('multi-call signals', () => {
  it('writes the MULTI_CALL line exactly: callers in first-call order, null for what is missing, the trigger as received', async () => {
    const trigger: Scan = { id: 'c3', name: null, symbol: 'TKA2', tokenName: 'Token A v2', ts: 1628097780, mcap: 510_000, at: 3 };
    const file = capture([
      { id: 'a1', name: 'Alice', ts: 1628097600, mcap: 120_000, at: 0 },
      { id: 'a1', name: 'Alice', ts: 1628097660, mcap: 150_000, at: 1 }, // a second call by Alice adds nothing
      { at: 1.5 }, // neither id nor name: never counted
      { id: null, name: 'Bob', platform: 'discord', ts: 1628097720, mcap: null, at: 2 },
      trigger,
    ]);
    const r = await replay(file, '--min-callers', '3');
    expect(r.code).toBe(0);
    const expected =
      '{"type":"MULTI_CALL","data":{"token_address":"TokA","token_symbol":"TKA2","token_name":"Token A v2","window":"10m",' +
      '"callers":[{"id":"a1","name":"Alice","platform":"telegram","timestamp":1628097600,"market_cap":120000},' +
      '{"id":null,"name":"Bob","platform":"discord","timestamp":1628097720,"market_cap":null},' +
      '{"id":"c3","name":null,"platform":"telegram","timestamp":1628097780,"market_cap":510000}],' +
      `"first_market_cap":120000,"market_cap":510000,"trigger":${frame(trigger)}},"emitted_at":"${iso(3)}"}`;
    expect(r.stdout).toBe(expected + '\n');
    expect(summaryOf(r)).toMatch(/^received 5, output 1, filtered 0, signals 1, skipped 0/);

    // --received-at marks the calls; a signal carries its emitted_at instead.
    const marked = await replay(file, '--min-callers', '3', '--with-calls', '--received-at');
    const lines = marked.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(6);
    expect(lines[4]).toBe(captureLine(trigger));
    expect(lines[5]).toBe(expected);
  });

  it('a sliding window: the first call falls out before the third arrives', async () => {
    const file = capture([
      { name: 'alice', at: 0 },
      { name: 'bob', at: 5 },
      { name: 'carol', at: 11 }, // alice is out of the 10m window: two callers
      { name: 'dave', at: 12 },
    ]);
    const r = await replay(file, '--min-callers', '3', '--window', '10m');
    expect(shape(r.stdout)).toEqual(['signal:TokA:bob,carol,dave']);
  });

  it('--cooldown: no new signal for the token until it ran out, then a caller new to the window triggers', async () => {
    const file = capture([
      { name: 'alice', at: 0 },
      { name: 'bob', at: 1 }, // signal
      { name: 'carol', at: 3 }, // cooling down
      { name: 'bob', at: 6 }, // not new to the window
      { name: 'dave', at: 7 }, // signal: four callers now
    ]);
    const r = await replay(file, '--min-callers', '2', '--cooldown', '5m');
    expect(shape(r.stdout)).toEqual(['signal:TokA:alice,bob', 'signal:TokA:alice,bob,carol,dave']);
    const none = await replay(file, '--min-callers', '2', '--cooldown', '0');
    expect(shape(none.stdout)).toEqual(['signal:TokA:alice,bob', 'signal:TokA:alice,bob,carol', 'signal:TokA:alice,bob,carol,dave']);
  });

  it('--with-calls: each signal right after its trigger; --dedupe thins the calls, not the signals', async () => {
    const file = capture([
      { name: 'alice', at: 0 },
      { name: 'bob', at: 1 },
      { token: 'TokB', name: 'carol', at: 2 },
    ]);
    const all = await replay(file, '--min-callers', '2', '--with-calls');
    expect(shape(all.stdout)).toEqual(['TokA:alice', 'TokA:bob', 'signal:TokA:alice,bob', 'TokB:carol']);
    const first = await replay(file, '--min-callers', '2', '--with-calls', '--first-call');
    expect(shape(first.stdout)).toEqual(['TokA:alice', 'signal:TokA:alice,bob', 'TokB:carol']);
    expect(summaryOf(first)).toMatch(/output 3, filtered 0, signals 1, deduped 1,/);
  });

  it('filters come first: a call they drop is counted as filtered and never counted toward --min-callers', async () => {
    const file = capture([
      { name: 'alice', at: 0 },
      { name: 'bob', platform: 'discord', at: 1 },
      { name: 'carol', at: 2 },
    ]);
    const r = await replay(file, '--platform', 'telegram', '--min-callers', '2');
    expect(shape(r.stdout)).toEqual(['signal:TokA:alice,carol']);
    expect(summaryOf(r)).toMatch(/^received 3, output 1, filtered 1, signals 1,/);
  });

  it('--count counts signals as lines', async () => {
    const file = capture(['alice', 'bob', 'carol', 'dave'].map((name, i) => ({ name, at: i })));
    const r = await replay(file, '--min-callers', '2', '--cooldown', '0', '-n', '2');
    expect(r.code).toBe(0);
    expect(shape(r.stdout)).toEqual(['signal:TokA:alice,bob', 'signal:TokA:alice,bob,carol']);
    expect(summaryOf(r)).toMatch(/output 2,/);
  });

  it('lines and table: one highlighted row per signal, hostile names sanitized', async () => {
    const hostile = Object.values(HOSTILE).join('|');
    const file = capture([
      { name: hostile, symbol: hostile, at: 0 },
      { name: '\u001b]0;owned\u0007\u202eBob', symbol: hostile, mcap: 250_000, at: 1 },
    ]);
    for (const format of ['lines', 'table']) {
      const r = await runCli(['replay', file, '-f', format, '--color', 'never', '--min-callers', '2', '--with-calls']);
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).toMatch(/MULTI-CALL 2 callers\/10m/);
      // The table cuts a row to the terminal's width; lines print it whole.
      if (format === 'lines') expect(r.stdout).toContain('$250.0K ×2.5');
      expect(r.stdout, format).toContain('TokA');
      expect(forbiddenIn(r.stdout), format).toEqual([]);
    }
  });
});

describe('--state', () => {
  it('keeps dedupe keys and multi-call windows across two runs; the file is mode 0600', async () => {
    const dir = tmpdir();
    const state = path.join(dir, 'state.json');
    const args = ['--first-call', '--min-callers', '3', '--with-calls', '--state', state];
    const one = await replay(capture([{ name: 'alice', at: 0 }, { name: 'bob', at: 1 }], 'one.ndjson', dir), ...args);
    expect(one.code).toBe(0);
    expect(shape(one.stdout)).toEqual(['TokA:alice']);
    expect(fs.statSync(state).mode & 0o777).toBe(0o600);
    const two = await replay(capture([{ name: 'carol', at: 2 }, { token: 'TokB', name: 'dave', at: 3 }], 'two.ndjson', dir), ...args);
    expect(shape(two.stdout)).toEqual(['signal:TokA:alice,bob,carol', 'TokB:dave']);
  });

  it('is saved at the clean stop of SIGTERM: the next run does not output the call again', async () => {
    const state = path.join(tmpdir(), 'state.json');
    const server = await startBareServer((ws, _req, index) => {
      ws.send(frame({ name: 'alice', at: 0 }));
      if (index > 0) ws.send(frame({ token: 'TokB', name: 'bob', at: 1 }));
    });
    servers.push(server);
    const args = ['--url', server.url, '-f', 'ndjson', '--first-call', '--state', state];
    const one = spawnCli(args);
    await one.waitFor(/TokA/, 'stdout');
    one.proc.kill('SIGTERM');
    const ended = await one.done;
    expect(ended.signal).toBe('SIGTERM');
    expect(summaryOf(ended)).toMatch(/output 1, filtered 0, deduped 0/);
    // Version 2 keeps the key's hash: one key.
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).dedupe.token.count).toBe(1);

    const two = await runCli([...args, '-n', '1']);
    expect(two.code).toBe(0);
    expect(shape(two.stdout)).toEqual(['TokB:bob']);
  });

  it('a corrupt file gets one warning, is kept as .bad, and the run starts empty', async () => {
    const dir = tmpdir();
    const state = path.join(dir, 'state.json');
    fs.writeFileSync(state, 'not a state file');
    const r = await replay(capture([{ name: 'alice', at: 0 }], 'c.ndjson', dir), '--first-call', '--state', state);
    expect(r.code).toBe(0);
    expect(shape(r.stdout)).toEqual(['TokA:alice']);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('.bad'));
    expect(warnings).toHaveLength(1);
    expect(fs.readFileSync(`${state}.bad`, 'utf8')).toBe('not a state file');
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).dedupe.token.count).toBe(1);
  });

  it('a file that cannot be created is exit 5 at start, before anything is read', async () => {
    const state = path.join(tmpdir(), 'no-such-dir', 'state.json');
    const r = await replay(capture([{ name: 'alice', at: 0 }]), '--first-call', '--state', state);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(new RegExp(`^rexi-live: error: --state: cannot create '${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': `));
  });
});

describe('--exec hooks', () => {
  it('a hostile token name is data only: nothing in it is executed', async () => {
    const dir = tmpdir();
    const names = ['$(touch pwned)', '`touch pwned2`', '"; touch pwned3; echo "', "'; touch pwned4; '"];
    const file = capture(names.map((tokenName, i) => ({ token: `Tok${i}`, name: 'alice', tokenName, at: i })), 'h.ndjson', dir);
    const hook = 'cd "$HOOK_DIR" && printf "%s\\n" "$REXI_NAME" >> names && cat >> lines';
    const r = await runCli(['replay', file, '-f', 'ndjson', '--exec', hook], { env: { HOOK_DIR: dir } });
    expect(r.code).toBe(0);
    expect(summaryOf(r)).toMatch(/hooks 4 \(failed 0, dropped 0\)/);
    expect(fs.readFileSync(path.join(dir, 'names'), 'utf8')).toBe(names.map((n) => n + '\n').join(''));
    expect(fs.readFileSync(path.join(dir, 'lines'), 'utf8')).toBe(r.stdout);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
    expect(fs.readdirSync(process.cwd()).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });

  it('--exec-jobs bounds the hooks running at once', async () => {
    const dir = tmpdir();
    const file = capture(Array.from({ length: 6 }, (_, i) => ({ name: `c${i}`, token: `T${i}`, at: i })), 'j.ndjson', dir);
    const hook = 'echo "$(date +%s%N) 1" >> "$HOOK_DIR/log"; sleep 0.15; echo "$(date +%s%N) -1" >> "$HOOK_DIR/log"';
    const r = await runCli(['replay', file, '--exec', hook, '--exec-jobs', '2'], { env: { HOOK_DIR: dir } });
    expect(summaryOf(r)).toMatch(/hooks 6 \(failed 0, dropped 0\)/);
    const events = fs
      .readFileSync(path.join(dir, 'log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(BigInt) as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Number(a[1] - b[1])));
    let running = 0;
    let most = 0;
    for (const [, step] of events) most = Math.max(most, (running += Number(step)));
    expect(events).toHaveLength(12);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('a hanging hook is ended with its children at --exec-timeout: counted and warned about, never fatal', async () => {
    const dir = tmpdir();
    const file = capture([{ name: 'alice', at: 0 }], 'k.ndjson', dir);
    const hook = 'sleep 30 & echo $! > "$HOOK_DIR/child"; wait';
    const r = await runCli(['replay', file, '--exec', hook, '--exec-timeout', '300ms'], { env: { HOOK_DIR: dir } });
    expect(r.code).toBe(0);
    expect(summaryOf(r)).toMatch(/hooks 1 \(failed 1, dropped 0\)/);
    expect(r.stderr).toMatch(/ran longer than --exec-timeout/);
    const child = Number(fs.readFileSync(path.join(dir, 'child'), 'utf8'));
    expect(isGone(child)).toBe(true);
  });

  it('a slow hook never slows stdout', async () => {
    const server = await startBareServer((ws) => {
      for (let i = 0; i < 40; i++) ws.send(frame({ token: `T${i}`, name: 'alice', at: i }));
    });
    servers.push(server);
    const started = Date.now();
    const r = await runCli(['--url', server.url, '-f', 'ndjson', '-n', '20', '--exec', 'sleep 5', '--exec-timeout', '200ms']);
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(20);
    // Far below 20 hooks of 5 s one after the other: the clean stop waits --exec-timeout at most.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(summaryOf(r)).toMatch(/hooks \d+ \(failed \d+, dropped \d+\)/);
  });

  it('past 100 waiting, a run is dropped, counted and warned about', async () => {
    const file = capture(Array.from({ length: 150 }, (_, i) => ({ token: `T${i}`, name: 'alice', at: i })));
    const r = await runCli(['replay', file, '--exec', 'sleep 5', '--exec-timeout', '500ms']);
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(150);
    const [, started, dropped] = /hooks (\d+) \(failed \d+, dropped (\d+)\)/.exec(summaryOf(r))!.map(Number);
    // One runs and 100 wait: 49 are dropped at once; the clean stop drops those still waiting.
    expect(dropped).toBeGreaterThanOrEqual(49);
    expect(started! + dropped!).toBe(150);
    expect(r.stderr).toMatch(/100 hooks are waiting already: dropped one/);
  });
});

describe('the same stages in demo and tail', () => {
  it('demo --first-call outputs distinct tokens', async () => {
    const r = await runCli(['demo', '--rate', '200', '--seed', '1', '-f', 'ndjson', '-n', '5', '--first-call']);
    expect(r.code).toBe(0);
    const tokens = (ndjsonLines(r.stdout) as Line[]).map((m) => m.data.token_address);
    expect(new Set(tokens).size).toBe(5);
  });
});

describe('bad input: exit 2, one line naming the flag', () => {
  const dir = fixtures();
  const capturePath = path.join(dir, 'c.ndjson');
  fs.writeFileSync(capturePath, captureLine({ name: 'alice', at: 0 }) + '\n');
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ dedupe: 'bogus' }));

  // One test running every case at once: each is a CLI start that is refused, independent of the rest.
  it('replay refuses each bad value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--dedupe', 'bogus'], /^--dedupe: 'bogus' is not one of call, caller, token$/],
      [['--first-call', '--dedupe', 'call'], /^--first-call is --dedupe token: it cannot go with --dedupe call$/],
      [['--min-callers', '3', '--window', '0'], /^--window: '0' must be above 0$/],
      [['--min-callers', '3', '--window', '-5s'], /^--window: '-5s' is not a duration/],
      [['--dedupe-ttl', '-5s'], /^--dedupe-ttl: '-5s' is not a duration/],
      [['--dedupe-ttl', 'soon'], /^--dedupe-ttl: 'soon' is not a duration/],
      [['--min-callers', '3', '--cooldown', '-1m'], /^--cooldown: '-1m' is not a duration/],
      [['--min-callers', '3', '--cooldown', 'later'], /^--cooldown: 'later' is not a duration/],
      [['--exec', 'true', '--exec-timeout', '-1'], /^--exec-timeout: '-1' is not a duration/],
      [['--exec', 'true', '--exec-timeout', 'x'], /^--exec-timeout: 'x' is not a duration/],
      [['--exec', 'true', '--exec-jobs', '0'], /^--exec-jobs: '0' is not a whole number of at least 1$/],
      [['--first-call', '--state-max', '0'], /^--state-max: '0' is not a whole number of at least 1$/],
      [['--with-calls'], /^--with-calls goes with --min-callers$/],
      [['--exec', ''], /^--exec: the command is empty$/],
      [['--min-callers', '1'], /^--min-callers: '1' is not a whole number of at least 2$/],
      [['--first-call', '--state', ''], /^--state: the file name is empty$/],
      [['--config', config], /^dedupe in .*config\.json: 'bogus' is not one of call, caller, token$/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['replay', capturePath, ...args])));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      const what = `replay ${JSON.stringify(args)}`;
      expect(r.code, what).toBe(2);
      expect(r.stdout, what).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, what).toHaveLength(1);
      expect(lines[0]!.replace(/^rexi-live: error: /, ''), what).toMatch(message);
    });
  });

  it('tail refuses them before connecting', async () => {
    const r = await runCli(['--url', 'ws://127.0.0.1:1/solana/monitor/livecalls', '--min-callers', '2', '--window', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("rexi-live: error: --window: '0' must be above 0");
  });
});

/** Whether a process has ended (a zombie waiting for a reaper counts as ended). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
