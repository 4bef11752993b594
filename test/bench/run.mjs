#!/usr/bin/env node
/**
 * `npm run bench`: rexi-live against a bare `ws` client (reference-client.mjs), in the same run, on
 * the same local feed (feed.mjs, a child process so feed and client each get a core).
 *
 *   npm run bench                         full run: N=200,000, 5 rounds; about 3 minutes on two cores
 *   npm run bench -- --quick              smoke run: N=20,000, one round (~30 s)
 *   npm run bench -- --json out.json      also write the results as JSON (`--json -`: to stdout, after the table)
 *   npm run bench -- --profile            also run -f ndjson and -f lines once each under --cpu-prof and
 *                                         print their self time by function and by area
 *   npm run bench -- --only throughput,latency,memory,startup,stages,nats,callers,top   run some phases only
 *   npm run bench -- --rounds 3 --count 300000 --table-count 50000
 *   npm run bench -- --before ../old-checkout   also run that (built) checkout's CLI as "before" rows in
 *                                         the same rounds: -f ndjson, filtered, lines, table, the stages, latency
 *
 * Phases:
 *   throughput  R rounds of: reference, rexi-live -f ndjson, ndjson + --caller/--min-mcap, -f lines,
 *               -f table, and a peer: the service's Python example loop (python-peer.py; Debian's
 *               python3-websockets, "skipped" without it), each a fresh process reading a fresh
 *               connection. msgs/s = messages the feed
 *               delivered / (time of the client's last expected line on its stdout pipe − time the
 *               feed accepted its connection): start-up is not in it (measured on its own below),
 *               nor is the exit after the last line. Medians over the rounds; the ratio is to the
 *               reference of the same round. Every run must give exactly the expected line count.
 *   latency     the feed paces messages at 2,000/s and 10,000/s, stamping data.sent_us (process.hrtime:
 *               CLOCK_MONOTONIC, one clock across processes); the bench parses each ndjson line as
 *               it arrives: now − sent_us. The first warm-up messages are excluded. A `floor` row is
 *               the bench reading the feed itself: the noise of the machine.
 *   memory      peak RSS (VmHWM) of the reference and of rexi-live while the bench reads their stdout
 *               10× slower than the unthrottled rexi-live ndjson rate, the feed pushing as fast as
 *               it can; every line must arrive, whole.
 *   start-up    `rexi-live --version` and `--help` against `node -e 0`, alternating, medians.
 *   stages      a capture of 1,000,000 calls (--quick: 200,000) whose tokens are all new, replayed: plain
 *               `replay -f ndjson` against `--first-call --state-max 100000`, `--dedupe call` and
 *               `--min-callers 3 --with-calls`; time spawn → exit and peak RSS, medians over the rounds;
 *               speed ratio = plain seconds / the row's seconds in the same round. Plain replay, and
 *               replay of the same capture gzipped, against a bare line reader (line-reader.mjs: read,
 *               cut into lines, write) of the plain file: bare seconds / the row's.
 *   nats        (nats.mjs; skipped without nats-server) publishing throughput against a bare nats.js
 *               publisher with the same window, feed → publish → tail --url nats:// latency, and the
 *               peak RSS of a publisher whose NATS is down for 30 s while the feed keeps sending.
 *
 *   callers     (callers.mjs) `rexi-live callers` over a month of calls (1,000,000) against `replay -f ndjson`
 *               of the same file, alternating in the same rounds: speed ratio and peak RSS.
 *
 * rexi-live runs as `node bin/rexi-live.js --url ws://127.0.0.1:PORT/...?run=ID -n N -q --no-retry
 * -f ...` (--no-retry only so that it can never outlive a dead feed), stdout piped into the bench.
 *
 * No assertion on any number: targets are printed beside the results. The exit code is 1 only
 * when a phase failed (timeout, crash, wrong line count), 0 otherwise.
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { countLines, latencyLines, nowUs, pollProc, throttledLines } from './counter.mjs';
import { buildPool, FILTER_ARGS, MATCH_EVERY } from './pool.mjs';
import { formatProfile, summariseProfile } from './profile.mjs';
import { natsErrors, natsPhase, natsReport } from './nats.mjs';
import { callersErrors, callersPhase, callersReport } from './callers.mjs';
import { topErrors, topPhase, topReport } from './top.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const CLI = path.join(root, 'bin/rexi-live.js');
const REFERENCE = path.join(here, 'reference-client.mjs');
const LINE_READER = path.join(here, 'line-reader.mjs');
const PYTHON_PEER = path.join(here, 'python-peer.py');
/** A Python that has Debian's python3-websockets (the system one first: pyenv's may not). */
const PYTHON = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0);
const FEED = path.join(here, 'feed.mjs');
/** `-f table` with stdout not a terminal: 80 columns, a 3-line header (top border, names, separator). */
const TABLE_HEADER_LINES = 3;
/** The variants `--profile` runs under --cpu-prof. */
const PROFILED = ['ndjson', 'lines'];

// ---------------------------------------------------------------------------------------------
// Options

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    count: { type: 'string', short: 'n' },
    'table-count': { type: 'string' },
    json: { type: 'string' },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    before: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^#!.*\n\/\*\*\n/, '').replace(/^ \* ?/gm, '') + '\n');
  process.exit(0);
}
const quick = opts.quick;
/** Another checkout's CLI, measured beside this one in the same rounds (--before). */
const BEFORE_CLI = opts.before === undefined ? undefined : path.resolve(opts.before, 'bin/rexi-live.js');
if (BEFORE_CLI !== undefined && !fs.existsSync(BEFORE_CLI)) {
  process.stderr.write(`--before: ${BEFORE_CLI} does not exist\n`);
  process.exit(2);
}
const intOpt = (v, d) => {
  if (v === undefined) return d;
  const n = Number(String(v).replace(/_/g, '').replace(/k$/i, '000'));
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`bench: '${v}' is not a positive integer\n`);
    process.exit(2);
  }
  return n;
};
const CFG = {
  N: intOpt(opts.count, quick ? 20_000 : 200_000),
  tableN: intOpt(opts['table-count'], intOpt(opts.count, quick ? 20_000 : 200_000)),
  rounds: intOpt(opts.rounds, quick ? 1 : 5),
  latencyRates: [2_000, 10_000],
  latencySeconds: quick ? 1 : 4,
  warmSeconds: quick ? 0.25 : 0.5,
  memorySeconds: quick ? 4 : 12,
  startupReps: quick ? 5 : 15,
};
const PHASES = ['throughput', 'latency', 'memory', 'startup', 'stages', 'nats', 'callers', 'top'];
const only = opts.only === undefined ? PHASES : opts.only.split(',').map((p) => p.trim());
for (const p of only) {
  if (!PHASES.includes(p)) {
    process.stderr.write(`bench: --only takes a comma-separated list of ${PHASES.join(', ')}\n`);
    process.exit(2);
  }
}
// When throughput fails entirely, the memory phase still needs a rate to slow down from.
const FALLBACK_RATE = 50_000;
const FALLBACK_BYTES_PER_LINE = 310;

// ---------------------------------------------------------------------------------------------
// Children: every one tracked, every one killed on exit or signal

const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rexi-bench-'));
process.on('exit', () => {
  killAll();
  fs.rmSync(scratch, { recursive: true, force: true });
});
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    log(`${sig}: stopping, killing ${children.size} child process(es)`);
    killAll();
    process.exit(code);
  });
}

// No config file, no key, no env from the developer's shell: every child sees the same setup.
const childEnv = { ...process.env, XDG_CONFIG_HOME: path.join(scratch, 'config') };
for (const key of Object.keys(childEnv)) {
  if (key.startsWith('REXI_') || key === 'NODE_OPTIONS' || key === 'FORCE_COLOR' || key === 'NO_COLOR') delete childEnv[key];
}

const t0 = Date.now();
function log(msg) {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// The feed process

class Feed {
  runs = new Map();
  waiters = new Set();
  nextId = 1;
  port = undefined;
  dead = undefined;

  start() {
    this.child = track(fork(FEED, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: childEnv, execArgv: [] }));
    this.child.on('message', (m) => {
      if (m.type === 'ready') {
        this.port = m.port;
        this.info = m;
      } else if (m.id !== undefined) {
        this.run(m.id)[m.type] = m;
      }
      this.notify();
    });
    this.child.on('exit', (code, signal) => {
      this.dead = `feed process exited (${signal ?? code})`;
      this.notify();
    });
    return this.until(() => this.port, 10_000, 'feed start');
  }

  run(id) {
    const key = String(id);
    if (!this.runs.has(key)) this.runs.set(key, {});
    return this.runs.get(key);
  }

  notify() {
    for (const check of [...this.waiters]) check();
  }

  until(predicate, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = () => {
        if (this.dead) {
          done();
          reject(new Error(this.dead));
          return true;
        }
        const value = predicate();
        if (value) {
          done();
          resolve(value);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: no answer from the feed in ${timeoutMs / 1000}s`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  async plan(plan) {
    if (this.dead) throw new Error(this.dead);
    const id = String(this.nextId++);
    this.child.send({ type: 'plan', id, ...plan });
    await this.until(() => this.run(id).planned, 5_000, 'feed plan');
    return id;
  }

  url(id) {
    return `ws://127.0.0.1:${this.port}/solana/monitor/livecalls?run=${id}`;
  }

  /** Waits a moment for an event the feed may report just after the client's last line. */
  async settle(id, type, ms = 2_000) {
    try {
      return await this.until(() => this.run(id)[type], ms, `feed ${type}`);
    } catch {
      return undefined;
    }
  }

  stop() {
    if (this.dead || !this.child.connected) return;
    this.child.send({ type: 'stop' });
  }
}

// ---------------------------------------------------------------------------------------------
// One measured child process

function runChild({ command = process.execPath, script, args, nodeArgs = [], reader, timeoutMs, rss = false }) {
  return new Promise((resolve) => {
    const tSpawn = nowUs();
    const child = track(spawn(command, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv }));
    const read = reader(child.stdout);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const mem = rss ? pollProc(child.pid) : undefined;
    let timedOut = false;
    let spawnError;
    let tExit;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('exit', () => {
      tExit = nowUs();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      mem?.stop();
      resolve({ code, signal, timedOut, spawnError, tSpawn, tExit, read, mem, stderr: stderr.trim(), timeoutMs });
    });
  });
}

/** A short description of what went wrong with a child, or undefined. */
function childProblem(r, expectedLines) {
  if (r.spawnError) return `could not start: ${r.spawnError.message}`;
  if (r.timedOut) return `timed out after ${r.timeoutMs / 1000}s with ${r.read.lines} of ${expectedLines} lines`;
  if (r.code !== 0) return `exited ${r.signal ?? r.code}${r.stderr ? `: ${firstAndLast(r.stderr)}` : ''}`;
  if (r.read.lines !== expectedLines) return `${r.read.lines} lines, expected ${expectedLines}`;
  return undefined;
}
/** The first and the last line of a child's stderr: the message, and where a stack trace ends. */
function firstAndLast(text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const first = lines[0]?.slice(0, 200) ?? '';
  const last = lines.length > 1 ? lines[lines.length - 1].slice(0, 200) : '';
  return last ? `${first} … ${last}` : first;
}

// ---------------------------------------------------------------------------------------------
// Phases

const cliArgs = (url, n, extra) => ['--url', url, '-n', String(n), '-q', '--no-retry', ...extra];

const VARIANTS = [
  {
    key: 'reference',
    label: 'reference: bare ws client, ndjson',
    script: REFERENCE,
    args: (url, n) => [url, String(n)],
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
  },
  {
    key: 'ndjson',
    label: 'rexi-live -f ndjson',
    script: CLI,
    args: (url, n) => cliArgs(url, n, ['-f', 'ndjson']),
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
    target: 0.6,
    note: 'stretch ≥ 0.80x',
  },
  {
    key: 'filtered',
    label: `rexi-live -f ndjson ${FILTER_ARGS.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
    script: CLI,
    args: (url, n) => cliArgs(url, n, ['-f', 'ndjson', ...FILTER_ARGS]),
    count: () => CFG.N,
    // 1 in MATCH_EVERY matches and the last one fed is a match: -n n consumes exactly n·MATCH_EVERY.
    fed: (n) => n * MATCH_EVERY,
    lines: (n) => n,
    target: 0.5,
    note: `1 in ${MATCH_EVERY} matches; msgs/s counts messages consumed`,
  },
  {
    key: 'lines',
    label: 'rexi-live -f lines --color never',
    script: CLI,
    args: (url, n) => cliArgs(url, n, ['-f', 'lines', '--color', 'never']),
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
    target: 0.4,
  },
  {
    key: 'table',
    label: 'rexi-live -f table --color never',
    script: CLI,
    args: (url, n) => cliArgs(url, n, ['-f', 'table', '--color', 'never']),
    count: () => CFG.tableN,
    fed: (n) => n,
    lines: (n) => n + TABLE_HEADER_LINES,
  },
  {
    // The stages: every call new (the feed's unique mode), so dedupe remembers each key and the
    // multi-call stage opens a window for each token: their whole cost, against plain ndjson fed the
    // same way (ndjson-unique).
    key: 'ndjson-unique',
    label: 'rexi-live -f ndjson (every call new)',
    script: CLI,
    feedMode: 'unique',
    args: (url, n) => cliArgs(url, n, ['-f', 'ndjson']),
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
  },
  {
    key: 'dedupe',
    label: 'rexi-live -f ndjson --dedupe call (every call new)',
    script: CLI,
    feedMode: 'unique',
    args: (url, n) => cliArgs(url, n, ['-f', 'ndjson', '--dedupe', 'call']),
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
    target: 0.8,
    against: 'ndjson-unique',
  },
  {
    key: 'multicall',
    label: 'rexi-live -f ndjson --min-callers 3 --with-calls (every call new)',
    script: CLI,
    feedMode: 'unique',
    args: (url, n) => cliArgs(url, n, ['-f', 'ndjson', '--min-callers', '3', '--with-calls']),
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
    target: 0.7,
    against: 'ndjson-unique',
  },
  {
    // A peer, not a target: the loop the service's docs give, in Python (websockets).
    key: 'python',
    label: "peer: the service's Python example loop (websockets)",
    command: PYTHON,
    skip: PYTHON === undefined ? 'skipped: apt-get install python3-websockets' : undefined,
    script: PYTHON_PEER,
    args: (url, n) => [url, String(n)],
    count: () => CFG.N,
    fed: (n) => n,
    lines: (n) => n,
  },
];

if (BEFORE_CLI !== undefined) {
  for (const key of ['ndjson', 'filtered', 'lines', 'table', 'ndjson-unique', 'dedupe', 'multicall']) {
    const v = VARIANTS.find((x) => x.key === key);
    // A stage's before is measured against the before of what it is measured against.
    const against = v.against && `${v.against}-before`;
    VARIANTS.push({ ...v, key: `${key}-before`, label: `${v.label} (before)`, script: BEFORE_CLI, target: undefined, note: opts.before, against });
  }
}

async function throughputRun(feed, variant, round, { nodeArgs = [] } = {}) {
  const n = variant.count();
  const fed = variant.fed(n);
  const expected = variant.lines(n);
  const result = { variant: variant.key, round, n, fed, expectedLines: expected };
  try {
    const id = await feed.plan({ mode: variant.feedMode ?? 'burst', count: fed });
    // Generous: 15 s plus 20 µs a message fed (a client at 50,000 msgs/s would need a fifth of it).
    const timeoutMs = 15_000 + fed * 0.02 * 4;
    const r = await runChild({ command: variant.command, script: variant.script, args: variant.args(feed.url(id), n), nodeArgs, reader: (s) => countLines(s, expected), timeoutMs, rss: true });
    const open = await feed.settle(id, 'open', 500);
    const sent = feed.run(id).sent;
    result.lines = r.read.lines;
    result.bytes = r.read.bytes;
    result.wallSeconds = r.tExit !== undefined ? (r.tExit - r.tSpawn) / 1e6 : undefined;
    result.peakRssMB = r.mem.hwmKb !== undefined ? r.mem.hwmKb / 1024 : undefined;
    // Who was busy while the messages flowed, in cores: the client, the feed, this process.
    if (open !== undefined && r.read.tLast !== undefined) {
      result.cpu = { client: r.mem.cpuShare(open.t, r.read.tLast) };
      // The feed is idle once it has written its last frame: its busy time over the whole window.
      if (sent?.cpu !== undefined) result.cpu.feed = (sent.cpu - open.cpu) / (Math.max(sent.t, r.read.tLast) - open.t);
      const { cpuFirst: a, cpuLast: b } = r.read;
      if (a && b && r.read.tLast > r.read.tFirst) result.cpu.bench = (b.user + b.system - a.user - a.system) / (r.read.tLast - r.read.tFirst);
    }
    result.error = childProblem(r, expected) ?? (open === undefined ? 'the feed saw no connection' : undefined);
    if (!result.error && sent && sent.count !== fed) result.error = `the feed wrote ${sent.count} of ${fed}`;
    if (!result.error && !r.read.endsWithNewline) result.error = 'output ends inside a line';
    if (open !== undefined && r.read.tLast !== undefined) {
      result.startupSeconds = (open.t - r.tSpawn) / 1e6;
      result.seconds = (r.read.tLast - open.t) / 1e6;
      result.rate = fed / result.seconds;
      result.bytesPerLine = r.read.bytes / r.read.lines;
    }
    if (result.error && r.stderr) result.stderr = r.stderr.slice(-1000);
  } catch (err) {
    result.error = err.message;
  }
  return result;
}

async function throughputPhase(feed) {
  const runs = [];
  for (let round = 1; round <= CFG.rounds; round++) {
    for (const variant of VARIANTS) {
      if (variant.skip) continue;
      const r = await throughputRun(feed, variant, round);
      runs.push(r);
      log(
        `round ${round}/${CFG.rounds} ${variant.label}: ` +
          (r.rate !== undefined ? `${fmtInt(r.fed)} msgs in ${r.seconds.toFixed(2)} s = ${fmtInt(r.rate)} msgs/s` : '') +
          (r.error ? ` ERROR: ${r.error}` : ''),
      );
    }
  }
  // Per-round ratio to that round's reference (or the variant it is measured against).
  for (const r of runs) {
    const against = VARIANTS.find((v) => v.key === r.variant)?.against ?? 'reference';
    const ref = runs.find((x) => x.round === r.round && x.variant === against && !x.error);
    if (ref && r.rate !== undefined && !r.error) r.ratio = r.rate / ref.rate;
  }
  const summary = VARIANTS.map((v) => {
    const mine = runs.filter((r) => r.variant === v.key);
    const good = mine.filter((r) => !r.error && r.rate !== undefined);
    const ratios = good.map((r) => r.ratio).filter((x) => x !== undefined);
    return {
      variant: v.key,
      label: v.label,
      n: v.count(),
      fedPerRun: v.fed(v.count()),
      rate: median(good.map((r) => r.rate)),
      ratio: v.key === 'reference' ? (good.length ? 1 : undefined) : median(ratios),
      target: v.target,
      ok: good.length,
      runs: mine.length,
      errors: mine.filter((r) => r.error).map((r) => `round ${r.round}: ${r.error}`),
      startupSeconds: median(good.map((r) => r.startupSeconds)),
      bytesPerLine: median(good.map((r) => r.bytesPerLine)),
      peakRssMB: median(good.map((r) => r.peakRssMB)),
      cpu: Object.fromEntries(['client', 'feed', 'bench'].map((k) => [k, median(good.map((r) => r.cpu?.[k]))])),
      note: v.skip ?? [v.against && `ratio to ${v.against}`, v.note].filter(Boolean).join('; '),
    };
  });
  // The docs' own loop as the yardstick users know: how many times its rate -f ndjson reaches.
  const py = summary.find((s) => s.variant === 'python');
  const nd = summary.find((s) => s.variant === 'ndjson');
  const vsPython = py?.rate !== undefined && nd?.rate !== undefined ? nd.rate / py.rate : undefined;
  return { runs, summary, vsPython };
}

/**
 * The floor: the bench process itself reads the paced feed over ws and stamps each message in the
 * 'message' handler. No client process, no pipe: what the machine, the feed and the clock add.
 */
function floorClient(url, count, skip, timeoutMs) {
  return new Promise((resolve) => {
    const read = { lines: 0, bad: 0, samples: new Float64Array(Math.max(0, count - skip)), n: 0 };
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let error;
    const finish = () => {
      clearTimeout(timer);
      ws.terminate();
      resolve({ read, error });
    };
    const timer = setTimeout(() => {
      error = `timed out after ${timeoutMs / 1000}s with ${read.lines} of ${count} messages`;
      finish();
    }, timeoutMs);
    ws.on('message', (data) => {
      const now = nowUs();
      const index = read.lines++;
      let sent;
      try {
        sent = JSON.parse(data.toString()).data.sent_us;
      } catch {
        read.bad++;
      }
      if (typeof sent === 'number' && index >= skip) read.samples[read.n++] = now - sent;
      if (read.lines >= count) finish();
    });
    ws.on('error', (err) => {
      error ??= err.message;
    });
    ws.on('close', () => {
      if (read.lines < count) {
        error ??= `connection closed after ${read.lines} of ${count} messages`;
        finish();
      }
    });
  });
}

const LATENCY_SIDES = ['floor', 'reference', 'rexi-live', ...(BEFORE_CLI ? ['before'] : [])];

async function latencyRun(feed, side, rate) {
  const count = Math.round(rate * (CFG.latencySeconds + CFG.warmSeconds));
  const skip = Math.round(rate * CFG.warmSeconds);
  const result = { side, rate, count, skip };
  try {
    const id = await feed.plan({ mode: 'rate', count, rate });
    const url = feed.url(id);
    const timeoutMs = (CFG.latencySeconds + CFG.warmSeconds) * 3_000 + 15_000;
    let read;
    if (side === 'floor') {
      const r = await floorClient(url, count, skip, timeoutMs);
      read = r.read;
      result.error = r.error;
    } else {
      const args = side === 'reference' ? [url, String(count)] : cliArgs(url, count, ['-f', 'ndjson']);
      const script = side === 'reference' ? REFERENCE : side === 'before' ? BEFORE_CLI : CLI;
      const r = await runChild({ script, args, reader: (s) => latencyLines(s, count, skip), timeoutMs });
      read = r.read;
      result.error = childProblem(r, count);
      if (result.error && r.stderr) result.stderr = r.stderr.slice(-1000);
    }
    result.error ??= read.bad > 0 ? `${read.bad} lines without a parsable data.sent_us` : undefined;
    const sorted = Float64Array.from(read.samples.subarray(0, read.n)).sort();
    result.samples = sorted.length;
    if (sorted.length > 0) {
      result.p50 = quantile(sorted, 0.5) / 1000;
      result.p90 = quantile(sorted, 0.9) / 1000;
      result.p99 = quantile(sorted, 0.99) / 1000;
      result.max = sorted[sorted.length - 1] / 1000;
      result.mean = sorted.reduce((a, b) => a + b, 0) / sorted.length / 1000;
    }
    const sent = feed.run(id).sent;
    if (sent?.maxQueued !== undefined) result.feedMaxQueuedBytes = sent.maxQueued;
  } catch (err) {
    result.error = err.message;
  }
  return result;
}

async function latencyPhase(feed) {
  const runs = [];
  for (const rate of CFG.latencyRates) {
    for (const side of LATENCY_SIDES) {
      const r = await latencyRun(feed, side, rate);
      runs.push(r);
      log(
        `latency ${side} at ${fmtInt(rate)} msg/s: ` +
          (r.p50 !== undefined ? `p50 ${fmtMs(r.p50)} p90 ${fmtMs(r.p90)} p99 ${fmtMs(r.p99)} max ${fmtMs(r.max)} ms (${fmtInt(r.samples)} samples)` : '') +
          (r.error ? ` ERROR: ${r.error}` : ''),
      );
    }
  }
  return runs;
}

async function memoryRun(feed, side, count, bytesPerSec, { mode = 'burst', extra = [] } = {}) {
  const result = { side, count };
  try {
    const id = await feed.plan({ mode, count });
    const url = feed.url(id);
    const r = await runChild({
      script: side === 'reference' ? REFERENCE : CLI,
      args: side === 'reference' ? [url, String(count)] : cliArgs(url, count, ['-f', 'ndjson', ...extra]),
      reader: (s) => throttledLines(s, bytesPerSec),
      timeoutMs: CFG.memorySeconds * 2_500 + 15_000,
      rss: true,
    });
    result.lines = r.read.lines;
    result.badLines = r.read.bad;
    result.partialTail = r.read.partial();
    result.lost = count - r.read.lines;
    result.seconds = r.read.tLast !== undefined ? (r.read.tLast - r.read.tFirst) / 1e6 : undefined;
    result.peakRssMB = r.mem.hwmKb !== undefined ? r.mem.hwmKb / 1024 : undefined;
    result.maxSampledRssMB = r.mem.maxRssKb / 1024;
    result.rssSamples = r.mem.samples.length;
    result.readerPauses = r.read.pauses;
    result.error =
      childProblem(r, count) ??
      (r.read.bad > 0 ? `${r.read.bad} lines do not parse` : undefined) ??
      (result.partialTail ? 'output ends inside a line' : undefined) ??
      (result.peakRssMB === undefined ? 'no /proc/<pid>/status reading' : undefined);
    if (result.error && r.stderr) result.stderr = r.stderr.slice(-1000);
  } catch (err) {
    result.error = err.message;
  }
  log(
    `memory ${side}: peak RSS ${result.peakRssMB?.toFixed(1) ?? '?'} MB, ${fmtInt(result.lines ?? 0)}/${fmtInt(count)} lines in ${result.seconds?.toFixed(1) ?? '?'} s` +
      (result.error ? ` ERROR: ${result.error}` : ''),
  );
  return result;
}

async function memoryPhase(feed, throughput) {
  let ndjson = throughput?.summary.find((s) => s.variant === 'ndjson');
  let basis = 'the median unthrottled rexi-live -f ndjson rate above';
  if (ndjson?.rate === undefined) {
    // Run on its own (--only memory): one unthrottled run to slow down from.
    const r = await throughputRun(feed, VARIANTS.find((v) => v.key === 'ndjson'), 'calibration');
    ndjson = r.error ? undefined : r;
    basis = ndjson ? 'one unthrottled rexi-live -f ndjson run' : `a fallback of ${fmtInt(FALLBACK_RATE)} msgs/s`;
    log(`memory: calibration ${r.error ? `ERROR: ${r.error}` : `${fmtInt(r.rate)} msgs/s`}`);
  }
  const msgRate = ndjson?.rate ?? FALLBACK_RATE;
  const bytesPerLine = ndjson?.bytesPerLine ?? FALLBACK_BYTES_PER_LINE;
  const bytesPerSec = (msgRate * bytesPerLine) / 10;
  const count = Math.max(1_000, Math.round((msgRate / 10) * CFG.memorySeconds));
  log(`memory: ${fmtInt(count)} msgs, feed at full speed, stdout read at ${(bytesPerSec / 1e6).toFixed(2)} MB/s (1/10 of ${fmtInt(msgRate)} msgs/s)`);
  const runs = [];
  for (const side of ['reference', 'rexi-live']) runs.push(await memoryRun(feed, side, count, bytesPerSec));
  // Memory bounded by --state-max whatever the feed sends: a million tokens never seen before,
  // read at full speed, through --first-call with the default bound of 100,000 keys.
  const distinct = quick ? 200_000 : 1_000_000;
  log(`memory: ${fmtInt(distinct)} distinct tokens through --first-call --state-max 100000, read at full speed`);
  const firstCall = await memoryRun(feed, 'rexi-live --first-call', distinct, Infinity, { mode: 'unique', extra: ['--first-call', '--state-max', '100000'] });
  firstCall.target = 100;
  runs.push(firstCall);
  return { count, readerBytesPerSec: bytesPerSec, readerMsgsPerSec: msgRate / 10, basis, runs };
}


// The stages on a replay: every token new, the worst case for the key stores.
// `basis`: the row its speed ratio is taken against (plain replay unless it says so).
const STAGE_ROWS = [
  { key: 'bare', label: 'bare line reader (line-reader.mjs)', script: LINE_READER, extra: [] },
  { key: 'replay', label: 'rexi-live replay -f ndjson', extra: [], basis: 'bare', target: 0.25 },
  { key: 'replay-gz', label: 'replay -f ndjson of the capture gzipped', extra: [], gzip: true, basis: 'bare', target: 0.15 },
  { key: 'first-call', label: 'replay -f ndjson --first-call --state-max 100000', extra: ['--first-call', '--state-max', '100000'], target: 0.85, rssOver: 25 },
  { key: 'dedupe-call', label: 'replay -f ndjson --dedupe call', extra: ['--dedupe', 'call'], target: 0.85, rssOver: 25 },
  { key: 'multicall', label: 'replay -f ndjson --min-callers 3 --with-calls', extra: ['--min-callers', '3', '--with-calls'], target: 0.85, rssOver: 60 },
];

// With --before, the other build's replay and stages in the same rounds, each against its own plain replay.
const STAGE_RUNS = BEFORE_CLI
  ? [
      ...STAGE_ROWS,
      ...STAGE_ROWS.filter((row) => row.key !== 'bare').map((row) => ({
        ...row,
        key: `${row.key}-before`,
        label: `${row.label} (before)`,
        script: BEFORE_CLI,
        basis: row.basis ?? 'replay-before',
        target: undefined,
        rssOver: undefined,
      })),
    ]
  : STAGE_ROWS;

/** A capture of `count` calls from the feed's pool, each with a token address of its own. */
function writeUniqueCapture(file, count) {
  const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  const parts = buildPool().map((text) => {
    const at = text.indexOf('"token_address":"') + '"token_address":"'.length;
    return [text.slice(0, at), text.slice(at + 10, -1)];
  });
  const base = Date.UTC(2026, 11, 1);
  const fd = fs.openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < count; i++) {
    let prefix = '';
    for (let k = 0, x = i; k < 10; k++, x = Math.floor(x / 58)) prefix = BASE58[x % 58] + prefix;
    const [head, tail] = parts[i % parts.length];
    chunk += `${head}${prefix}${tail},"received_at":"${new Date(base + i * 10).toISOString()}"}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

async function stagesPhase() {
  const count = quick ? 200_000 : 1_000_000;
  const file = path.join(scratch, 'unique-capture.ndjson');
  writeUniqueCapture(file, count);
  const gzFile = `${file}.gz`;
  await pipeline(fs.createReadStream(file), zlib.createGzip(), fs.createWriteStream(gzFile));
  log(`stages: a capture of ${fmtInt(count)} calls, every token new (${(fs.statSync(file).size / 1e6).toFixed(0)} MB; gzipped ${(fs.statSync(gzFile).size / 1e6).toFixed(0)} MB)`);
  const runs = [];
  for (let round = 1; round <= CFG.rounds; round++) {
    for (const row of STAGE_RUNS) {
      const input = row.gzip ? gzFile : file;
      const args = row.script === LINE_READER ? [input] : ['replay', input, '-f', 'ndjson', '-q', ...row.extra];
      const r = await runChild({ script: row.script ?? CLI, args, reader: (st) => countLines(st, count), timeoutMs: 600_000, rss: true });
      const result = { row: row.key, round, error: childProblem(r, count) };
      if (r.tExit !== undefined) result.seconds = (r.tExit - r.tSpawn) / 1e6;
      if (r.mem.hwmKb !== undefined) result.peakRssMB = r.mem.hwmKb / 1024;
      runs.push(result);
      log(`stages round ${round}/${CFG.rounds} ${row.label}: ${result.seconds?.toFixed(2) ?? '?'} s, peak RSS ${result.peakRssMB?.toFixed(1) ?? '?'} MB${result.error ? ` ERROR: ${result.error}` : ''}`);
    }
  }
  for (const r of runs) {
    const basis = STAGE_RUNS.find((row) => row.key === r.row).basis ?? 'replay';
    const plain = runs.find((x) => x.round === r.round && x.row === basis && !x.error);
    if (plain && !r.error && r.row !== 'bare') {
      r.ratio = plain.seconds / r.seconds;
      r.rssOverMB = r.peakRssMB - plain.peakRssMB;
    }
  }
  const summary = STAGE_RUNS.map((row) => {
    const good = runs.filter((r) => r.row === row.key && !r.error);
    return {
      ...row,
      seconds: median(good.map((r) => r.seconds)),
      ratio: median(good.map((r) => r.ratio)),
      peakRssMB: median(good.map((r) => r.peakRssMB)),
      rssOverMB: median(good.map((r) => r.rssOverMB)),
      errors: runs.filter((r) => r.row === row.key && r.error).map((r) => `round ${r.round}: ${r.error}`),
    };
  });
  return { count, runs, summary, stateFile: await stateFileLoad() };
}

/**
 * A --state file of 100,000 dedupe keys: its size, and how long opening it takes (read, parse,
 * merge into the store, and the save open makes), median of 5, in this process.
 */
async function stateFileLoad() {
  const { openStateFile } = await import(path.join(root, 'dist/stages/state-file.js'));
  const file = path.join(scratch, 'bench.state');
  const options = { path: file, stateMax: 100_000, dedupe: { kind: 'token', ttlMs: 86_400_000 }, now: Date.UTC(2026, 11, 1), warn: () => {} };
  const writer = await openStateFile(options);
  for (let i = 0; i < 100_000; i++) writer.keys.addHash(Math.imul(i, 0x9e3779b1) >>> 0, i, options.now + i);
  await writer.close();
  const times = [];
  let held;
  for (let i = 0; i < 5; i++) {
    const start = nowUs();
    const state = await openStateFile(options);
    times.push((nowUs() - start) / 1000);
    held = state.keys.size;
    await state.close();
  }
  const result = { keys: held, bytes: fs.statSync(file).size, loadMs: median(times) };
  log(`stages: a state file of ${fmtInt(result.keys)} keys, ${(result.bytes / 1e6).toFixed(2)} MB, opened in ${result.loadMs.toFixed(0)} ms (median of 5)`);
  return result;
}

function timeSpawn(args) {
  return new Promise((resolve) => {
    const start = nowUs();
    const child = track(spawn(process.execPath, args, { stdio: 'ignore', env: childEnv }));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ms: (nowUs() - start) / 1000, code, signal });
    });
  });
}

async function startupPhase() {
  const commands = [
    { key: 'node', label: 'node -e 0', args: ['-e', '0'] },
    { key: 'version', label: 'rexi-live --version', args: [CLI, '--version'] },
    { key: 'help', label: 'rexi-live --help', args: [CLI, '--help'] },
  ];
  const times = Object.fromEntries(commands.map((c) => [c.key, []]));
  const errors = [];
  // One unmeasured pass warms the disk cache for every file involved.
  for (const c of commands) await timeSpawn(c.args);
  for (let i = 0; i < CFG.startupReps; i++) {
    for (const c of commands) {
      const r = await timeSpawn(c.args);
      if (r.code !== 0) errors.push(`${c.label} exited ${r.signal ?? r.code}`);
      else times[c.key].push(r.ms);
    }
  }
  const med = Object.fromEntries(commands.map((c) => [c.key, median(times[c.key])]));
  const result = {
    reps: CFG.startupReps,
    nodeMs: med.node,
    versionMs: med.version,
    helpMs: med.help,
    versionRatio: med.version / med.node,
    helpRatio: med.help / med.node,
    errors: [...new Set(errors)],
  };
  log(`start-up: node -e 0 ${fmtMs(med.node)} ms, --version ${fmtMs(med.version)} ms (${fmtX(result.versionRatio)}), --help ${fmtMs(med.help)} ms (${fmtX(result.helpRatio)})`);
  return result;
}

/** One run of each profiled variant under --cpu-prof; the .cpuprofile files are kept in the temp dir. */
async function profilePhase(feed) {
  const profiles = [];
  for (const key of PROFILED) {
    const dir = path.join(scratch, `cpu-prof-${key}`);
    fs.mkdirSync(dir, { recursive: true });
    const variant = VARIANTS.find((v) => v.key === key);
    const r = await throughputRun(feed, variant, 'profile', { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    if (r.error) {
      profiles.push({ variant: key, label: variant.label, error: r.error });
      continue;
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      profiles.push({ variant: key, label: variant.label, error: 'no .cpuprofile written' });
      continue;
    }
    const kept = path.join(os.tmpdir(), `rexi-live-bench-${process.pid}-${key}.cpuprofile`);
    fs.copyFileSync(path.join(dir, file), kept);
    const summary = await summariseProfile(kept, root);
    log(`profile ${variant.label}: ${fmtInt(r.rate)} msgs/s under the profiler, written to ${kept}`);
    profiles.push({ variant: key, label: variant.label, n: r.n, rate: r.rate, ...summary });
  }
  return profiles;
}

// ---------------------------------------------------------------------------------------------
// Numbers and the report

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const fmtInt = (x) => (x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const fmtMs = (x) => (x === undefined ? '-' : x < 10 ? x.toFixed(3) : x.toFixed(1));
const fmtX = (x) => (x === undefined || !Number.isFinite(x) ? '-' : `${x.toFixed(2)}x`);
const verdict = (ok) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');

function table(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => (i > 0 && /^[\d.,x\-≥≤ ]+(ms|MB)?$/.test(c) && c !== '' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(all[0]), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}

function report(results) {
  const out = [];
  const { env, config, throughput, latency, memory, startup, profile } = results;
  out.push(
    `rexi-live bench: ${env.cores} cores (os.availableParallelism), ${env.cpu}, Node ${env.node}, ${env.platform}; ` +
      `N=${fmtInt(config.N)} (table ${fmtInt(config.tableN)}), R=${config.rounds} round${config.rounds === 1 ? '' : 's'}, medians${config.quick ? '; --quick' : ''}`,
  );
  out.push('');
  if (throughput) {
    out.push(
      'THROUGHPUT  msgs/s = messages the feed delivered / (client\'s last expected stdout line - feed accepted the connection);\n' +
        '            start-up and exit excluded; ratio = to the reference of the same round (median over rounds);\n' +
        '            CPU = % of one core each process used while the messages flowed (over 100: V8 helper threads; the feed must stay far below 100)',
    );
    const rows = throughput.summary.map((s) => [
      s.label,
      fmtInt(s.n),
      fmtInt(s.fedPerRun),
      fmtInt(s.rate),
      fmtX(s.ratio),
      s.target !== undefined ? `≥ ${s.target.toFixed(2)}x` : '-',
      s.target !== undefined && s.ratio !== undefined ? verdict(s.ratio >= s.target) : '',
      `${s.ok}/${s.runs}`,
      s.peakRssMB !== undefined ? `${s.peakRssMB.toFixed(1)} MB` : '-',
      s.ok === 0 ? '-' : ['client', 'feed', 'bench'].map((k) => (s.cpu[k] === undefined ? '?' : (s.cpu[k] * 100).toFixed(0))).join('/') + ' %',
      s.startupSeconds !== undefined ? `${(s.startupSeconds * 1000).toFixed(0)} ms` : '-',
      [s.note, ...s.errors.map((e) => `ERROR ${e}`)].filter(Boolean).join('; '),
    ]);
    out.push(table(['variant', '-n', 'fed/run', 'msgs/s', 'ratio', 'target', '', 'ok runs', 'peak RSS', 'CPU client/feed/bench', 'spawn→open', 'notes'], rows));
    const v = throughput.vsPython;
    out.push(`rexi-live -f ndjson against the Python example loop: ${v === undefined ? 'skipped' : fmtX(v)} (target ≥ 2.00x${v === undefined ? '' : `: ${v >= 2 ? 'met' : 'MISSED'}`})`);
    out.push('');
  }
  if (latency) {
    out.push(
      `LATENCY  feed paced at a fixed rate (one write per ~1 ms timer tick), data.sent_us stamped at the write;\n` +
        `         now - sent_us as each ndjson line is read from the client's stdout; ${config.latencySeconds} s measured after ${config.warmSeconds} s warm-up;\n` +
        '         floor = the bench process reading the feed itself (no client process, no pipe): the noise of this machine',
    );
    const rows = latency.map((r) => {
      // p99 within 1.3x of the bare client's at the same rate, measured in the same run.
      const ref = latency.find((x) => x.side === 'reference' && x.rate === r.rate);
      const ratio = r.side === 'rexi-live' && ref?.p99 && r.p99 !== undefined ? r.p99 / ref.p99 : undefined;
      return [
        r.side,
        fmtInt(r.rate),
        fmtInt(r.samples),
        fmtMs(r.p50) + (r.p50 !== undefined ? ' ms' : ''),
        fmtMs(r.p90) + (r.p90 !== undefined ? ' ms' : ''),
        fmtMs(r.p99) + (r.p99 !== undefined ? ' ms' : ''),
        fmtMs(r.max) + (r.max !== undefined ? ' ms' : ''),
        r.side === 'rexi-live' ? `p99 ≤ 1.30x reference (${fmtX(ratio)})` : '-',
        ratio !== undefined ? verdict(ratio <= 1.3) : '',
        r.error ? `ERROR ${r.error}` : '',
      ];
    });
    out.push(table(['client', 'msg/s', 'samples', 'p50', 'p90', 'p99', 'max', 'target', '', 'notes'], rows));
    out.push('');
  }
  if (memory) {
    out.push(
      `MEMORY  -f ndjson, feed at full speed, stdout read at 1/10 of the unthrottled rexi-live ndjson rate (${(memory.readerBytesPerSec / 1e6).toFixed(2)} MB/s,\n` +
        `        ${fmtInt(memory.readerMsgsPerSec)} lines/s, from ${memory.basis}); peak RSS = last VmHWM of /proc/<pid>/status (polled every 50 ms);\n` +
        '        --first-call: every call a token never seen before, stdout read at full speed',
    );
    const rows = memory.runs.map((m) => {
      const limit = m.target ?? 80;
      const target = m.side !== 'reference';
      const ok = m.peakRssMB !== undefined && !m.error ? m.peakRssMB <= limit && m.lost === 0 && m.badLines === 0 : undefined;
      return [
        m.side,
        m.peakRssMB !== undefined ? `${m.peakRssMB.toFixed(1)} MB` : '-',
        fmtInt(m.lines),
        fmtInt(m.count),
        fmtInt(m.lost),
        fmtInt(m.badLines),
        m.seconds?.toFixed(1) ?? '-',
        target ? `≤ ${limit} MB, 0 lost` : '-',
        target ? verdict(ok) : '',
        m.error ? `ERROR ${m.error}` : '',
      ];
    });
    out.push(table(['client', 'peak RSS', 'lines', 'expected', 'lost', 'unparsable', 'seconds', 'target', '', 'notes'], rows));
    out.push('');
  }
  if (startup) {
    out.push(`START-UP  spawn → exit, medians of ${startup.reps} alternating runs`);
    out.push(
      table(
        ['command', 'median', 'ratio to node -e 0', 'target', '', 'notes'],
        [
          ['node -e 0', `${fmtMs(startup.nodeMs)} ms`, '1.00x', '-', '', ''],
          ['rexi-live --version', `${fmtMs(startup.versionMs)} ms`, fmtX(startup.versionRatio), '≤ 1.50x', verdict(startup.versionRatio <= 1.5), startup.errors.join('; ')],
          ['rexi-live --help', `${fmtMs(startup.helpMs)} ms`, fmtX(startup.helpRatio), '-', '', ''],
        ],
      ),
    );
    out.push('');
  }
  if (results.stages) {
    const { count, summary } = results.stages;
    out.push(
      `STAGES  replay of a capture of ${fmtInt(count)} calls, every token new; seconds = spawn → exit; ratio = seconds of the row named\n` +
        "        (bare: the line reader; plain: replay -f ndjson) / the row's, same round; peak RSS = VmHWM; over = peak RSS minus\n" +
        "        the plain run's (same round); medians over the rounds",
    );
    const rows = summary.map((s) => [
      s.label,
      s.seconds !== undefined ? s.seconds.toFixed(2) : '-',
      s.seconds !== undefined ? fmtInt(count / s.seconds) : '-',
      s.key === 'bare' ? '1.00x' : `${fmtX(s.ratio)} ${s.basis === 'bare' ? 'bare' : 'plain'}`,
      s.target !== undefined ? `≥ ${s.target.toFixed(2)}x` : '-',
      s.target !== undefined && s.ratio !== undefined ? verdict(s.ratio >= s.target) : '',
      s.peakRssMB !== undefined ? `${s.peakRssMB.toFixed(1)} MB` : '-',
      s.rssOverMB !== undefined && s.basis !== 'bare' ? `${s.rssOverMB >= 0 ? '+' : ''}${s.rssOverMB.toFixed(1)} MB` : '-',
      s.rssOver !== undefined ? `≤ +${s.rssOver} MB` : '-',
      s.rssOver !== undefined && s.rssOverMB !== undefined ? verdict(s.rssOverMB <= s.rssOver) : '',
      s.errors.map((e) => `ERROR ${e}`).join('; '),
    ]);
    out.push(table(['variant', 'seconds', 'calls/s', 'ratio', 'target', '', 'peak RSS', 'over', 'target', '', 'notes'], rows));
    const sf = results.stages.stateFile;
    if (sf) {
      out.push(
        `--state file of ${fmtInt(sf.keys)} keys: ${(sf.bytes / 1e6).toFixed(2)} MB (target < 4 MB: ${verdict(sf.bytes < 4e6)}), ` +
          `opened (read, merged, saved) in ${sf.loadMs.toFixed(0)} ms (target < 500 ms: ${verdict(sf.loadMs < 500)})`,
      );
    }
    out.push('');
  }
  if (results.nats) out.push(natsReport(results.nats, { table, fmtInt, fmtMs, fmtX, verdict }));
  if (results.callers) out.push(callersReport(results.callers, { table, fmtInt, fmtX, verdict }));
  if (results.top) out.push(topReport(results.top, { table, verdict }));
  for (const p of profile ?? []) {
    if (p.error) out.push(`PROFILE  ${p.label}: ERROR ${p.error}`);
    else out.push(`PROFILE  ${p.label}, -n ${fmtInt(p.n)}: ${fmtInt(p.rate)} msgs/s under --cpu-prof (start-up included in the samples)\n${formatProfile(p)}`);
    out.push('');
  }
  out.push(`total ${((Date.now() - t0) / 1000).toFixed(0)} s${results.errors.length ? `; ${results.errors.length} phase error(s): see ERROR above` : ''}`);
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) {
    log('dist/cli/main.js is missing: run `npm run build` (npm run bench does)');
    process.exit(1);
  }
  const results = {
    env: {
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    config: { ...CFG, quick },
    errors: [],
  };
  log(`${results.env.cores} cores, Node ${process.version}; N=${CFG.N}, table N=${CFG.tableN}, R=${CFG.rounds}`);
  const feed = new Feed();
  try {
    await feed.start();
  } catch (err) {
    log(`feed: ${err.message}`);
    process.exit(1);
  }
  log(`feed on 127.0.0.1:${feed.port} (${feed.info.poolSize} messages, ${fmtInt(feed.info.poolBytes)} bytes of frames)`);

  if (only.includes('throughput')) results.throughput = await throughputPhase(feed);
  if (only.includes('latency')) results.latency = await latencyPhase(feed);
  if (only.includes('memory')) results.memory = await memoryPhase(feed, results.throughput);
  if (only.includes('startup')) results.startup = await startupPhase();
  if (only.includes('stages')) results.stages = await stagesPhase();
  if (only.includes('nats')) {
    try {
      results.nats = await natsPhase({ feed, log, track, childEnv, scratch, CLI, quick, rounds: CFG.rounds });
    } catch (err) {
      results.errors.push(`nats: ${err.message}`);
    }
  }
  if (only.includes('callers')) {
    try {
      results.callers = await callersPhase({ log, track, childEnv, scratch, CLI, quick, rounds: CFG.rounds });
    } catch (err) {
      results.errors.push(`callers: ${err.message}`);
    }
  }
  if (only.includes('top')) results.top = await topPhase({ cli: CLI, log, quick });
  if (opts.profile) results.profile = await profilePhase(feed);
  feed.stop();

  for (const s of results.throughput?.summary ?? []) results.errors.push(...s.errors.map((e) => `throughput ${s.variant} ${e}`));
  for (const r of results.latency ?? []) if (r.error) results.errors.push(`latency ${r.side} ${r.rate}: ${r.error}`);
  for (const m of results.memory?.runs ?? []) if (m.error) results.errors.push(`memory ${m.side}: ${m.error}`);
  for (const s of results.stages?.summary ?? []) results.errors.push(...s.errors.map((e) => `stages ${s.key} ${e}`));
  results.errors.push(...(results.startup?.errors ?? []).map((e) => `start-up: ${e}`));
  for (const p of results.profile ?? []) if (p.error) results.errors.push(`profile ${p.variant}: ${p.error}`);
  results.errors.push(...natsErrors(results.nats));
  results.errors.push(...callersErrors(results.callers));
  results.errors.push(...topErrors(results.top));
  results.totalSeconds = (Date.now() - t0) / 1000;

  process.stdout.write('\n' + report(results));
  if (opts.json) {
    const json = JSON.stringify(results, null, 2) + '\n';
    if (opts.json === '-') process.stdout.write(json);
    else fs.writeFileSync(opts.json, json);
  }
  for (const e of results.errors) log(`ERROR ${e}`);
  process.exitCode = results.errors.length ? 1 : 0;
  // The feed exits on 'stop'; anything left is killed by the exit handler.
  setTimeout(() => process.exit(), 200).unref();
}

main().catch((err) => {
  log(`bench failed: ${err.stack ?? err}`);
  process.exit(1);
});
