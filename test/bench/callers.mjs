/**
 * The `callers` phase of `npm run bench`: `rexi-live callers` against `rexi-live replay -f ndjson`
 * of the same capture, alternating in the same rounds: a month of calls (1,000,000 over 30 days,
 * about 125,000 tokens, 400 callers; --quick: 100,000 over 3 days), written once to the scratch
 * directory. Time = spawn to exit (both read the whole file; replay writes every line to a pipe the
 * bench drains, callers writes its ranking); peak RSS from /proc (VmHWM). Targets: callers at
 * ≥ 0.5× the speed of replay, peak RSS ≤ 150 MB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nowUs, pollProc } from './counter.mjs';

const DAY_MS = 86_400_000;

/** A deterministic capture as tail -f ndjson --received-at writes it; resolves to its size. */
function writeCapture(file, { calls, days, tokens, callers }) {
  return new Promise((resolve, reject) => {
    const out = fs.createWriteStream(file);
    out.on('error', reject);
    const t0 = Date.UTC(2026, 10, 1);
    const span = days * DAY_MS;
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let i = 0;
    const write = () => {
      let ok = true;
      while (i < calls && ok) {
        const t = t0 + Math.floor((i * span) / calls);
        // Hot tokens are called again and again, most once or twice: a skewed pick.
        const token = Math.floor(tokens * random() ** 2);
        const c = Math.floor(random() * callers);
        const line = {
          type: 'NEW_SCAN',
          data: {
            token_address: `Tok${token}pump${'1'.repeat(28)}`.slice(0, 44),
            token_symbol: `S${token}`,
            token_name: `Token ${token}`,
            timestamp: Math.floor(t / 1000),
            caller: { id: `c${c}`, name: `Caller ${c}`, platform: c % 3 ? 'telegram' : 'discord' },
            price_data: { current_price: 0.0001, market_cap: 1000 + Math.floor(random() * 1e6) },
          },
          received_at: new Date(t).toISOString(),
        };
        ok = out.write(JSON.stringify(line) + '\n');
        i++;
      }
      if (i < calls) out.once('drain', write);
      else out.end(() => resolve(fs.statSync(file).size));
    };
    write();
  });
}

function run(CLI, args, { track, childEnv, timeoutMs }) {
  return new Promise((resolve) => {
    const start = nowUs();
    const child = track(spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv }));
    const mem = pollProc(child.pid);
    let lines = 0;
    child.stdout.on('data', (d) => {
      for (let k = d.indexOf(10); k !== -1; k = d.indexOf(10, k + 1)) lines++;
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      mem.stop();
      const seconds = (nowUs() - start) / 1e6;
      const peakRssMB = (mem.hwmKb ?? mem.maxRssKb) / 1024;
      const error = code === 0 ? undefined : `exited ${signal ?? code}: ${stderr.trim().split('\n').pop() ?? ''}`;
      resolve({ seconds, peakRssMB, lines, error });
    });
  });
}

export async function callersPhase({ log, track, childEnv, scratch, CLI, quick, rounds }) {
  const shape = quick ? { calls: 100_000, days: 3, tokens: 12_500, callers: 400 } : { calls: 1_000_000, days: 30, tokens: 125_000, callers: 400 };
  const file = path.join(scratch, 'callers-month.ndjson');
  const bytes = await writeCapture(file, shape);
  log(`callers: a capture of ${shape.calls} calls over ${shape.days} days (${(bytes / 1e6).toFixed(0)} MB)`);
  const timeoutMs = quick ? 120_000 : 600_000;
  const runs = [];
  // One unmeasured pass warms the disk cache.
  await run(CLI, ['replay', file, '-f', 'ndjson', '-q'], { track, childEnv, timeoutMs });
  for (let round = 0; round < rounds; round++) {
    const replay = await run(CLI, ['replay', file, '-f', 'ndjson', '-q'], { track, childEnv, timeoutMs });
    if (!replay.error && replay.lines !== shape.calls) replay.error = `${replay.lines} lines, expected ${shape.calls}`;
    const callers = await run(CLI, ['callers', file, '-f', 'ndjson', '-q'], { track, childEnv, timeoutMs });
    const ratio = replay.error || callers.error ? undefined : replay.seconds / callers.seconds;
    runs.push({ round, replay, callers, ratio });
    log(`callers round ${round + 1}: replay ${replay.seconds.toFixed(1)} s, callers ${callers.seconds.toFixed(1)} s (${ratio?.toFixed(2) ?? '-'}x), peak RSS ${callers.peakRssMB.toFixed(0)} MB`);
  }
  fs.rmSync(file, { force: true });
  return { shape, bytes, rounds, runs };
}

export function callersErrors(r) {
  if (!r) return [];
  return r.runs.flatMap((x) => [
    ...(x.replay.error ? [`callers round ${x.round} replay: ${x.replay.error}`] : []),
    ...(x.callers.error ? [`callers round ${x.round} callers: ${x.callers.error}`] : []),
  ]);
}

const med = (xs) => {
  const s = xs.filter((x) => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The report's callers section. */
export function callersReport(r, { table, fmtInt, fmtX, verdict }) {
  const { shape } = r;
  const ratio = med(r.runs.map((x) => x.ratio));
  const rss = med(r.runs.map((x) => x.callers.peakRssMB));
  const rate = (side) => {
    const s = med(r.runs.map((x) => (x[side].error ? undefined : x[side].seconds)));
    return s === undefined ? '-' : fmtInt(shape.calls / s);
  };
  return (
    `CALLERS  ${fmtInt(shape.calls)} calls over ${shape.days} days (${fmtInt(shape.tokens)} tokens, ${shape.callers} callers), one file; calls/s = calls / (spawn to exit);\n` +
    `         ratio to replay -f ndjson of the same file in the same round, median of ${r.rounds}\n` +
    table(
      ['command', 'calls/s', 'ratio', 'target', '', 'peak RSS', 'target', ''],
      [
        ['rexi-live replay -f ndjson', rate('replay'), '1.00x', '-', '', `${med(r.runs.map((x) => x.replay.peakRssMB))?.toFixed(1) ?? '-'} MB`, '-', ''],
        [
          'rexi-live callers',
          rate('callers'),
          fmtX(ratio),
          '≥ 0.50x',
          verdict(ratio === undefined ? undefined : ratio >= 0.5),
          rss === undefined ? '-' : `${rss.toFixed(1)} MB`,
          '≤ 150 MB',
          verdict(rss === undefined ? undefined : rss <= 150),
        ],
      ],
    ) +
    '\n'
  );
}
