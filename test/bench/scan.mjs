/**
 * Micro-benchmark of the frame scanner (dist/wire/frame-scan.js) against what it replaces:
 * `buf.toString()` + `JSON.parse`, and the current `toString` + `classifyFrame`; then a call's
 * classification plus what dedupe reads of it, from the bytes and from the parse. Not part of
 * `npm test`; run after `npm run build`:
 *
 *   node test/bench/scan.mjs [--rounds 15] [--calls 200000]
 *
 * Frames come from the feed generator (src/server/generator.ts, ~300 bytes), and the same frames
 * padded with two extra fields to ~380 bytes (the size issue 11 quotes for a typical frame).
 * Rounds alternate the candidates; the medians of the rounds are printed, in ns per call. A last
 * line counts the garbage collections during a million scans: the scanner allocates nothing.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { classifyBytes, classifyFrame } from '../../dist/wire/calls.js';
import { ScanResult, scanFrame } from '../../dist/wire/frame-scan.js';
import { createCallGenerator } from '../../dist/server/generator.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, calls: { type: 'string', default: '200000' } },
});
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const POOL = 1000;

function frames(padded) {
  const gen = createCallGenerator(0x5eed);
  const out = [];
  for (let i = 0; i < POOL; i++) {
    let text = gen.next(1_764_000_000_000 + i * 7000);
    if (padded) {
      // Two fields of the kind a live frame carries beyond the documented ones: an image link
      // (an IPFS hash, base58 like the address) and the chain.
      const cid = [...JSON.parse(text).data.token_address].reverse().join('').slice(0, 20 + (i % 5));
      text = text.replace('"price_data"', `"image_uri":"https://ipfs.io/ipfs/Qm${cid}","chain":"solana","price_data"`);
    }
    out.push(Buffer.from(text));
  }
  return out;
}

const result = new ScanResult();
let sink = 0;

const candidates = {
  scanFrame(bufs) {
    for (let i = 0; i < CALLS; i++) if (scanFrame(bufs[i % POOL], result) === 'call') sink++;
  },
  'toString+JSON.parse'(bufs) {
    for (let i = 0; i < CALLS; i++) if (JSON.parse(bufs[i % POOL].toString()).type === 'NEW_SCAN') sink++;
  },
  'toString+classifyFrame'(bufs) {
    for (let i = 0; i < CALLS; i++) {
      const raw = bufs[i % POOL].toString();
      if (typeof classifyFrame(raw, false, raw.length === bufs[i % POOL].length, false) === 'object') sink++;
    }
  },
  // What dedupe reads of each call (its key's fields): from the bytes, and from the parse.
  'classifyBytes+dedupe reads'(bufs) {
    for (let i = 0; i < CALLS; i++) sink += dedupeReads(classifyBytes(bufs[i % POOL], 0, false));
  },
  'classifyFrame+dedupe reads'(bufs) {
    for (let i = 0; i < CALLS; i++) {
      const raw = bufs[i % POOL].toString();
      sink += dedupeReads(classifyFrame(raw, 0, false, raw.length === bufs[i % POOL].length, false));
    }
  },
};

function dedupeReads(call) {
  const c = call.caller;
  return call.tokenAddress.length + (c.id ?? c.name ?? '').length + (c.platform ?? '').length + (call.timestampMs ?? 0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// Allocation-free: a million calls should not run the collector once (measured first, before the
// candidates that allocate leave garbage to collect).
{
  const bufs = frames(true);
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  await new Promise((resolve) => setTimeout(resolve, 50)); // let earlier collections report first
  collections = 0;
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1_000_000; i++) if (scanFrame(bufs[i % POOL], result) === 'call') sink++;
  const grown = process.memoryUsage().heapUsed - before;
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  console.log(`1e6 scanFrame calls: ${collections} garbage collections, heap ${grown >= 0 ? '+' : ''}${(grown / 1024).toFixed(0)} KiB`);
}
for (const padded of [false, true]) {
  const bufs = frames(padded);
  const bytes = bufs.reduce((a, b) => a + b.length, 0) / bufs.length;
  // Agreement first: the numbers mean nothing if the scanner answers differently.
  for (const b of bufs) {
    if (scanFrame(b, result) !== 'call') throw new Error(`scanFrame disagrees on ${b}`);
  }
  const times = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (const [name, run] of Object.entries(candidates)) {
      const t0 = process.hrtime.bigint();
      run(bufs);
      const ns = Number(process.hrtime.bigint() - t0) / CALLS;
      if (r >= 2) times[name].push(ns); // the first rounds warm the JIT up
    }
  }
  console.log(`frames of ${bytes.toFixed(0)} bytes on average (${padded ? 'padded' : 'as generated'}), median of ${ROUNDS} rounds of ${CALLS} calls:`);
  const base = median(times['toString+JSON.parse']);
  for (const [name, ts] of Object.entries(times)) {
    const m = median(ts);
    console.log(`  ${name.padEnd(28)} ${m.toFixed(0).padStart(6)} ns/call  ${(m / bytes).toFixed(2)} ns/byte  ${(base / m).toFixed(2)}x`);
  }
}
if (sink === 0) console.log('');
