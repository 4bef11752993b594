/**
 * The bench's NATS phase (`npm run bench -- --only nats`), against a nats-server of its own:
 *
 *   publish     rexi-live --url <feed> --publish nats://.../bench.rexi.{platform} against the bare
 *               nats.js publisher (nats-reference.mjs), the same window (256), alternating, R rounds:
 *               msgs/s = messages acknowledged / (process exit − feed accepted the connection); every
 *               call unique (the feed's timestampBase plans), so none is a duplicate; ratio per round.
 *   latency     feed (paced, data.sent_us) → rexi-live --publish → JetStream → rexi-live --url
 *               nats://... -f ndjson: now − sent_us as each line reaches the bench.
 *   outage      a publisher whose NATS is down for 30 s while the feed keeps sending: its peak RSS,
 *               and every call stored once NATS is back (exactly the count, no duplicates).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { latencyLines, nowUs, pollProc } from './counter.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const REFERENCE = path.join(here, 'nats-reference.mjs');
const WINDOW = 256;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function natsServerAvailable() {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A nats-server on a fixed port and store, so it can be stopped and started again as the same server. */
class Server {
  constructor(ctx, dir, port) {
    this.ctx = ctx;
    this.dir = dir;
    this.port = port;
  }
  get url() {
    return `nats://127.0.0.1:${this.port}`;
  }
  async start() {
    fs.mkdirSync(this.dir, { recursive: true });
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    this.proc = this.ctx.track(spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', path.join(this.dir, 'store')], { stdio: ['ignore', log, log] }));
    fs.closeSync(log);
    const until = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise((resolve) => {
        const s = net.connect(this.port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      if (this.proc.exitCode !== null || Date.now() > until) throw new Error(`nats-server did not start: ${fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').slice(-500)}`);
      await sleep(20);
    }
  }
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }
}

/** A child the phase measures: stdout to a reader, stderr kept, RSS polled if asked, exit time noted. */
function child(ctx, args, { reader, rss = false, timeoutMs, onStderr } = {}) {
  const proc = ctx.track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ctx.childEnv }));
  const read = reader ? reader(proc.stdout) : (proc.stdout.resume(), undefined);
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-8000);
    onStderr?.(stderr);
  });
  const mem = rss ? pollProc(proc.pid) : undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise((resolve) => {
    let tExit;
    proc.on('exit', () => (tExit = nowUs()));
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      mem?.stop();
      resolve({ code, signal, timedOut, tExit, read, mem, stderr: stderr.trim() });
    });
  });
  return { proc, done, stderr: () => stderr };
}

function problem(r) {
  if (r.timedOut) return 'timed out';
  if (r.code !== 0) return `exited ${r.signal ?? r.code}: ${r.stderr.split('\n').slice(-2).join(' … ').slice(0, 300)}`;
  return undefined;
}

async function streamCount(url, stream) {
  const nc = await connect({ servers: [url.replace('nats://', '')] });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}

async function withManager(url, f) {
  const nc = await connect({ servers: [url.replace('nats://', '')] });
  try {
    return await f(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

let nextBase = 1_800_000_000;
/** A timestamp base no earlier plan used: every call of the plan has an identity of its own (the feed's `timestampBase`). */
const uniqueBase = () => (nextBase += 10_000_000);

async function publishRun(ctx, server, side, n, round) {
  const result = { side, round, n };
  const stream = side === 'reference' ? 'BREF' : 'BREXI';
  await withManager(server.url, (jsm) => jsm.streams.purge(stream));
  const id = await ctx.feed.plan({ mode: 'burst', count: n, timestampBase: uniqueBase() });
  const url = ctx.feed.url(id);
  const args =
    side === 'reference'
      ? [REFERENCE, url, `127.0.0.1:${server.port}`, 'bench.ref.x', String(n), String(WINDOW), `r${round}`]
      : [ctx.CLI, '--url', url, '-n', String(n), '-q', '--no-retry', '--publish', `${server.url}/bench.rexi.{platform}`, '--publish-window', String(WINDOW)];
  const r = await child(ctx, args, { timeoutMs: 30_000 + n * 0.5, rss: true }).done;
  result.peakRssMB = r.mem.hwmKb !== undefined ? r.mem.hwmKb / 1024 : undefined;
  const open = await ctx.feed.settle(id, 'open', 500);
  result.error = problem(r) ?? (open === undefined ? 'the feed saw no connection' : undefined);
  if (!result.error) {
    result.seconds = (r.tExit - open.t) / 1e6;
    result.rate = n / result.seconds;
    const stored = await streamCount(server.url, stream);
    if (stored !== n) result.error = `${stored} stored, expected ${n}`;
  }
  ctx.log(`nats publish round ${round} ${side}: ` + (result.rate ? `${n} msgs in ${result.seconds.toFixed(2)} s = ${Math.round(result.rate)} msgs/s` : '') + (result.error ? ` ERROR: ${result.error}` : ''));
  return result;
}

async function latencyRun(ctx, server, rate, seconds, warm) {
  const count = Math.round(rate * (seconds + warm));
  const skip = Math.round(rate * warm);
  const result = { rate, count };
  // The reader first, on new messages only; the publisher once it is reading.
  const reader = child(ctx, [ctx.CLI, '--url', `${server.url}/bench.lat.>`, '-f', 'ndjson', '-n', String(count), '--no-retry'], {
    reader: (s) => latencyLines(s, count, skip),
    timeoutMs: (seconds + warm) * 3_000 + 20_000,
  });
  const until = Date.now() + 10_000;
  while (!/reading stream/.test(reader.stderr()) && Date.now() < until) await sleep(20);
  const id = await ctx.feed.plan({ mode: 'rate', count, rate, timestampBase: uniqueBase() });
  const publisher = child(ctx, [ctx.CLI, '--url', ctx.feed.url(id), '-n', String(count), '-q', '--no-retry', '--publish', `${server.url}/bench.lat.{platform}`], {
    timeoutMs: (seconds + warm) * 3_000 + 20_000,
  });
  const [rr, pr] = await Promise.all([reader.done, publisher.done]);
  result.error = problem(pr) ?? problem(rr) ?? (rr.read.bad > 0 ? `${rr.read.bad} lines without data.sent_us` : undefined);
  const sorted = Float64Array.from(rr.read.samples.subarray(0, rr.read.n)).sort();
  result.samples = sorted.length;
  if (sorted.length > 0) {
    const q = (x) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(x * sorted.length) - 1))] / 1000;
    result.p50 = q(0.5);
    result.p90 = q(0.9);
    result.p99 = q(0.99);
    result.max = sorted[sorted.length - 1] / 1000;
  }
  ctx.log(`nats latency at ${rate} msg/s: ` + (result.p50 !== undefined ? `p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} max ${result.max.toFixed(1)} ms (${result.samples} samples)` : '') + (result.error ? ` ERROR: ${result.error}` : ''));
  return result;
}

async function outageRun(ctx, server, { rate, before, down, after }) {
  const count = Math.round(rate * (before + down + after));
  const result = { rate, count, downSeconds: down };
  await withManager(server.url, (jsm) => jsm.streams.purge('BOUT'));
  const id = await ctx.feed.plan({ mode: 'rate', count, rate, timestampBase: uniqueBase() });
  // --backoff-max 2s: once NATS is back the publisher finds it within 2 s, not up to 30 s later.
  const pub = child(ctx, [ctx.CLI, '--url', ctx.feed.url(id), '-n', String(count), '--no-retry', '--backoff-max', '2s', '--publish', `${server.url}/bench.out.{platform}`], {
    rss: true,
    timeoutMs: (before + down + after) * 1000 + 120_000,
  });
  await sleep(before * 1000);
  ctx.log(`nats outage: stopping nats-server for ${down} s while the feed keeps sending ${rate} msg/s`);
  await server.stop();
  await sleep(down * 1000);
  await server.start();
  ctx.log('nats outage: nats-server back on the same store');
  const r = await pub.done;
  result.peakRssMB = r.mem.hwmKb !== undefined ? r.mem.hwmKb / 1024 : undefined;
  result.error = problem(r);
  const summary = /published (\d+) \(duplicates (\d+)/.exec(r.stderr);
  result.published = summary ? Number(summary[1]) : undefined;
  result.duplicates = summary ? Number(summary[2]) : undefined;
  result.stored = await streamCount(server.url, 'BOUT');
  result.lost = count - result.stored;
  if (!result.error && result.lost !== 0) result.error = `${result.stored} stored, expected ${count}`;
  ctx.log(`nats outage: peak RSS ${result.peakRssMB?.toFixed(1) ?? '?'} MB, ${result.stored}/${count} stored, duplicates ${result.duplicates ?? '?'}` + (result.error ? ` ERROR: ${result.error}` : ''));
  return result;
}

/**
 * ctx: { feed, log, track, childEnv, scratch, CLI, quick, rounds }.
 */
export async function natsPhase(ctx) {
  if (!natsServerAvailable()) {
    ctx.log('nats: nats-server is not on PATH (apt-get install nats-server): phase skipped');
    return { skipped: true };
  }
  const server = new Server(ctx, path.join(ctx.scratch, 'nats'), await freePort());
  await server.start();
  try {
    await withManager(server.url, async (jsm) => {
      const stream = (name, subjects) => jsm.streams.add({ name, subjects, storage: 'file', duplicate_window: 120e9 });
      await stream('BREF', ['bench.ref.*']);
      await stream('BREXI', ['bench.rexi.*']);
      await stream('BLAT', ['bench.lat.*']);
      await stream('BOUT', ['bench.out.*']);
    });
    const n = ctx.quick ? 10_000 : 50_000;
    const rounds = ctx.quick ? 1 : Math.min(3, ctx.rounds);
    const publish = [];
    for (let round = 1; round <= rounds; round++) {
      for (const side of ['reference', 'rexi-live']) publish.push(await publishRun(ctx, server, side, n, round));
    }
    for (const r of publish) {
      const ref = publish.find((x) => x.round === r.round && x.side === 'reference' && !x.error);
      if (ref && r.rate !== undefined && !r.error) r.ratio = r.rate / ref.rate;
    }
    const latency = await latencyRun(ctx, server, 2_000, ctx.quick ? 1 : 4, 0.5);
    const outage = await outageRun(ctx, server, ctx.quick ? { rate: 1_000, before: 2, down: 5, after: 2 } : { rate: 2_000, before: 3, down: 30, after: 3 });
    return { n, window: WINDOW, rounds, publish, latency, outage };
  } finally {
    await server.stop();
  }
}

const med = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/** The phase's errors, for the bench's exit code. */
export function natsErrors(r) {
  if (!r || r.skipped) return [];
  return [
    ...r.publish.filter((x) => x.error).map((x) => `nats publish ${x.side} round ${x.round}: ${x.error}`),
    ...(r.latency.error ? [`nats latency: ${r.latency.error}`] : []),
    ...(r.outage.error ? [`nats outage: ${r.outage.error}`] : []),
  ];
}

/** The report's NATS section. */
export function natsReport(r, { table, fmtInt, fmtMs, fmtX, verdict }) {
  if (r.skipped) return 'NATS  skipped: nats-server is not on PATH\n';
  const out = [];
  out.push(
    `NATS PUBLISH  N=${fmtInt(r.n)} unique calls per run, window ${r.window}, one nats-server (file storage) on loopback; msgs/s = N / (exit after\n` +
      `              the last acknowledgement - feed accepted the connection); ratio to the bare nats.js publisher of the same round, median of ${r.rounds}`,
  );
  const side = (s) => r.publish.filter((x) => x.side === s);
  const rss = (runs) => {
    const m = med(runs.map((x) => x.peakRssMB));
    return m === undefined ? '-' : `${m.toFixed(1)} MB`;
  };
  const errors = (runs) => runs.filter((x) => x.error).map((x) => `ERROR ${x.error}`).join('; ');
  const ratio = med(side('rexi-live').map((x) => x.ratio));
  out.push(
    table(
      ['publisher', 'msgs/s', 'ratio', 'target', '', 'peak RSS', 'notes'],
      [
        ['bare nats.js (nats-reference.mjs)', fmtInt(med(side('reference').map((x) => x.rate))), '1.00x', '-', '', rss(side('reference')), errors(side('reference'))],
        ['rexi-live --publish', fmtInt(med(side('rexi-live').map((x) => x.rate))), fmtX(ratio), '≥ 0.80x', verdict(ratio === undefined ? undefined : ratio >= 0.8), rss(side('rexi-live')), errors(side('rexi-live'))],
      ],
    ),
  );
  out.push('');
  const l = r.latency;
  out.push('NATS LATENCY  feed (paced) → rexi-live --publish → JetStream → rexi-live --url nats:// -f ndjson → the bench: now - data.sent_us');
  out.push(
    table(
      ['msg/s', 'samples', 'p50', 'p90', 'p99', 'max', 'notes'],
      [[fmtInt(l.rate), fmtInt(l.samples), `${fmtMs(l.p50)} ms`, `${fmtMs(l.p90)} ms`, `${fmtMs(l.p99)} ms`, `${fmtMs(l.max)} ms`, l.error ? `ERROR ${l.error}` : '']],
    ),
  );
  out.push('');
  const o = r.outage;
  out.push(`NATS OUTAGE  the publisher's nats-server SIGKILLed for ${o.downSeconds} s, then started again on its store, while the feed sends ${fmtInt(o.rate)} msg/s`);
  const ok = o.peakRssMB !== undefined && !o.error ? o.peakRssMB <= 100 && o.lost === 0 : undefined;
  out.push(
    table(
      ['peak RSS', 'calls', 'stored', 'lost', 'duplicates', 'target', '', 'notes'],
      [[o.peakRssMB !== undefined ? `${o.peakRssMB.toFixed(1)} MB` : '-', fmtInt(o.count), fmtInt(o.stored), fmtInt(o.lost), fmtInt(o.duplicates), '≤ 100 MB, 0 lost', verdict(ok), o.error ? `ERROR ${o.error}` : '']],
    ),
  );
  out.push('');
  return out.join('\n') + '\n';
}
