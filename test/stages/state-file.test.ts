import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RexiLiveError } from '../../src/errors.js';
import { createDedupeStage } from '../../src/stages/dedupe.js';
import { createMultiCallStage } from '../../src/stages/multi-call.js';
import { openStateFile, type StateFileOptions } from '../../src/stages/state-file.js';
import { parseState } from '../../src/stages/state-format.js';
import { hashHex, hashString } from '../../src/stages/hash64.js';
import type { DedupeKind } from '../../src/stages/identity.js';
import type { Batch } from '../../src/wire/message.js';
import { tmpdirs } from '../support/tmp.js';
import { call, kinds, MIN, T0 } from '../support/messages.js';

const tmpdir = tmpdirs('rexi-state-');
const HOUR = 60 * MIN;
const TTL = 24 * HOUR;

function options(file: string, extra: Partial<StateFileOptions> = {}): StateFileOptions & { warned: string[] } {
  const warned: string[] = [];
  return { path: file, stateMax: 1000, dedupe: { kind: 'token', ttlMs: TTL }, now: T0, warn: (m) => warned.push(m), warned, ...extra };
}

async function dedupeRun(o: StateFileOptions) {
  const state = await openStateFile(o);
  const stage = createDedupeStage({ kind: o.dedupe!.kind, ttlMs: o.dedupe!.ttlMs, store: state.keys! });
  const run = (batch: Batch): Batch => {
    const out = stage.transform(batch);
    stage.written?.(out);
    return out;
  };
  return { state, stage, run };
}

/** The hashes of the keys the file holds for a dedupe kind, sorted. */
function fileKeys(file: string, kind: DedupeKind = 'token'): string[] {
  const state = parseState(fs.readFileSync(file, 'utf8'));
  if ('corrupt' in state) throw new Error(state.corrupt);
  const c = state.dedupe[kind];
  return c === undefined ? [] : [...c.hi].map((hi, i) => hashHex(hi, c.lo[i]!)).sort();
}

/** The hashes of keys given as text, sorted: what fileKeys() reads back. */
const hashes = (keys: string[]): string[] => keys.map((k) => hashHex(...hashString(k))).sort();

describe('--state', () => {
  it('keeps dedupe keys across two runs', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const one = await dedupeRun(options(file));
    expect(one.state.warnings).toEqual([]);
    expect(kinds(one.run([call({ token: 'tokA', name: 'Alice', at: T0 })]))).toEqual(['call:Alice']);
    await one.state.close();

    const two = await dedupeRun(options(file, { now: T0 + HOUR }));
    expect(kinds(two.run([call({ token: 'tokA', name: 'Bob', at: T0 + HOUR }), call({ token: 'tokB', name: 'Bob', at: T0 + HOUR })]))).toEqual(['call:Bob']);
    expect(two.stage.deduped).toBe(1);
    await two.state.close();
    expect(fileKeys(file)).toEqual(hashes(['tokA', 'tokB']));
  });

  it('saves a key only once the outputs kept its line: a save interval later, or at a clean close', async () => {
    const file = path.join(tmpdir(), 'state.json');
    let kept = true;
    const one = await dedupeRun(options(file, { linesKept: () => kept }));
    one.run([call({ token: 'tokA', name: 'A', at: T0 })]);
    await one.state.save();
    // Added since the previous save: not yet known to be kept.
    expect(fileKeys(file)).toEqual(hashes([]));
    one.run([call({ token: 'tokB', name: 'A', at: T0 + 1 })]);
    await one.state.save();
    expect(fileKeys(file)).toEqual(hashes(['tokA']));
    // An output failed: nothing more is saved, not even at close.
    kept = false;
    await one.state.close();
    expect(fileKeys(file)).toEqual(hashes(['tokA']));

    const two = await dedupeRun(options(file, { linesKept: () => true }));
    two.run([call({ token: 'tokC', name: 'A', at: T0 + 2 })]);
    await two.state.close();
    expect(fileKeys(file)).toEqual(hashes(['tokA', 'tokC']));
  });

  it('reads a version 1 file (keys as text) written by the previous release and converts it: nothing is lost', async () => {
    const file = path.join(tmpdir(), 'state.json');
    fs.copyFileSync(new URL('./fixtures/state-v1.json', import.meta.url), file);
    const at = (m: number) => T0 + m * MIN;
    const scans = [
      { token: 'TokA', name: 'Alice', platform: 'Telegram', at: at(0) },
      { token: 'TokA', id: 'b42', name: 'Bob', platform: 'Telegram', at: at(1) },
      { token: 'TokB', name: 'Carol', platform: 'Telegram', at: at(2) },
      { token: 'TökC', name: 'Zoë', platform: 'Telegram', at: at(3) },
    ];
    const timing = { windowMs: 10 * MIN, cooldownMs: 10 * MIN };
    for (const kind of ['token', 'call'] as const) {
      const run = await dedupeRun(options(file, { dedupe: { kind, ttlMs: TTL }, now: at(5) }));
      expect(run.state.warnings).toEqual([]);
      // The same calls again: every key was known.
      expect(run.run(scans.map((c) => call(c)))).toEqual([]);
      expect(kinds(run.run([call({ token: 'TokD', name: 'Dan', at: at(5) })]))).toEqual(['call:Dan']);
      await run.state.close();
    }
    // The windows too: Carol is the third caller of TokA within 10 minutes.
    const state = await openStateFile(options(file, { dedupe: undefined, multiCall: timing, now: at(5) }));
    const stage = createMultiCallStage({ minCallers: 3, windowMs: timing.windowMs, windowText: '10m', cooldownMs: timing.cooldownMs, withCalls: false, windows: state.windows! });
    const out = stage.transform([call({ token: 'TokA', name: 'Carol', platform: 'Telegram', at: at(5) })]);
    expect(out.map((m) => (m.kind === 'signal' ? m.value.data.callers.map((c) => c.name) : m.kind))).toEqual([['Alice', 'Bob', 'Carol']]);
    await state.close();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved.rexi_live_state).toBe(2);
    expect(fileKeys(file, 'token')).toEqual(hashes(['TokA', 'TokB', 'TökC', 'TokD']));
    expect(fileKeys(file, 'call')).toHaveLength(5);
  });

  it('a file of 100,000 keys stays under 4 MB', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const run = await dedupeRun(options(file, { stateMax: 100_000 }));
    const keys = run.state.keys!;
    for (let i = 0; i < 100_000; i++) keys.addHash(Math.imul(i, 0x9e3779b1) >>> 0, i, T0 + i);
    await run.state.close();
    expect(fileKeys(file)).toHaveLength(100_000);
    expect(fs.statSync(file).size).toBeLessThan(4_000_000);
  });

  it('drops entries expired at load', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const one = await dedupeRun(options(file));
    one.run([call({ token: 'old', name: 'A', at: T0 }), call({ token: 'new', name: 'A', at: T0 + 23 * HOUR })]);
    await one.state.close();
    const two = await dedupeRun(options(file, { now: T0 + TTL }));
    expect(two.state.keys!.size).toBe(1);
    expect(two.state.keys!.has('new', T0 + TTL)).toBe(true);
    await two.state.close();
    expect(fileKeys(file)).toEqual(hashes(['new']));
  });

  it('a replay (no wall clock) keeps what the capture times have not expired', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const one = await dedupeRun(options(file));
    one.run([call({ token: 'tokA', name: 'A', at: T0 })]);
    await one.state.close();
    const two = await dedupeRun(options(file, { now: undefined }));
    expect(two.run([call({ token: 'tokA', name: 'B', at: T0 + MIN })])).toEqual([]);
    expect(kinds(two.run([call({ token: 'tokA', name: 'C', at: T0 + TTL })]))).toEqual(['call:C']);
    await two.state.close();
  });

  it('writes the file atomically with mode 0600, replacing a looser one', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, '', { mode: 0o644 });
    const old = process.umask(0o000);
    try {
      const one = await dedupeRun(options(file));
      one.run([call({ name: 'A', at: T0 })]);
      await one.state.close();
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Nothing left behind: no temporary file, no lock.
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  it('merges two runs that overlap: saving alternately loses nothing', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const a = await dedupeRun(options(file));
    const b = await dedupeRun(options(file));
    for (let i = 0; i < 5; i++) {
      a.run([call({ token: `a${i}`, name: 'A', at: T0 + i })]);
      await a.state.save();
      b.run([call({ token: `b${i}`, name: 'B', at: T0 + i })]);
      await b.state.save();
    }
    const all = ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4'];
    expect(fileKeys(file)).toEqual(hashes(all));
    // Each run learned the other's keys at its saves: b's last save brought in all of a's.
    expect(b.run([call({ token: 'a4', name: 'B', at: T0 + 10 })])).toEqual([]);
    await a.state.close();
    await b.state.close();
    expect(fileKeys(file)).toEqual(hashes(all));
    expect(a.state.warnings).toEqual([]);
  });

  it('merges saves that run at the same moment (the lock serialises them)', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const runs = await Promise.all([1, 2, 3].map(() => dedupeRun(options(file))));
    runs.forEach((r, i) => r.run([call({ token: `t${i}`, name: 'A', at: T0 })]));
    await Promise.all(runs.map((r) => r.state.close()));
    expect(fileKeys(file)).toEqual(hashes(['t0', 't1', 't2']));
  });

  it('keeps keys per dedupe kind: another kind neither uses nor loses them', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const token = await dedupeRun(options(file));
    token.run([call({ token: 'tokA', name: 'A', at: T0 })]);
    await token.state.close();

    const byCall = await dedupeRun(options(file, { dedupe: { kind: 'call', ttlMs: TTL } }));
    expect(kinds(byCall.run([call({ token: 'tokA', name: 'B', at: T0 + 1 })]))).toEqual(['call:B']);
    await byCall.state.close();
    expect(fileKeys(file, 'token')).toEqual(hashes(['tokA']));
    expect(fileKeys(file, 'call')).toHaveLength(1);
  });

  it('keeps a corrupt file as .bad, warns once, and starts empty', async () => {
    const file = path.join(tmpdir(), 'state.json');
    fs.writeFileSync(file, '{"rexi_live_state":1,"dedupe":{"token":[["k",1]]}');
    const run = await dedupeRun(options(file));
    expect(run.state.warnings).toHaveLength(1);
    expect(run.state.warnings[0]).toMatch(/state\.json' is not JSON .*kept as '.*state\.json\.bad', starting empty/);
    expect(fs.readFileSync(file + '.bad', 'utf8')).toBe('{"rexi_live_state":1,"dedupe":{"token":[["k",1]]}');
    expect(run.state.keys!.size).toBe(0);
    await run.state.close();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).rexi_live_state).toBe(2);
  });

  it('takes a file of the wrong shape for corrupt too', async () => {
    const dir = tmpdir();
    for (const [i, text] of ['[1,2]', '{"other":true}', '{"rexi_live_state":1,"dedupe":{"token":[["k",1]]}}', '{"rexi_live_state":1,"windows":[["t",null,1,[["c"]]]]}'].entries()) {
      const file = path.join(dir, `state${i}.json`);
      fs.writeFileSync(file, text);
      const state = await openStateFile(options(file, { multiCall: { windowMs: 10 * MIN, cooldownMs: 10 * MIN } }));
      expect(state.warnings).toHaveLength(1);
      expect(fs.existsSync(file + '.bad')).toBe(true);
      await state.close();
    }
  });

  it('cannot be created at start: an output error (exit 5)', async () => {
    const file = path.join(tmpdir(), 'no', 'such', 'dir', 'state.json');
    const err = await openStateFile(options(file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RexiLiveError);
    expect((err as RexiLiveError).code).toBe('REXI_OUTPUT');
    expect((err as RexiLiveError).message).toMatch(/^--state: cannot create '.*state\.json': /);
  });

  it('a later save that fails is a warning and is retried; the save at close that fails is exit 5', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const o = options(file);
    const run = await dedupeRun(o);
    // A directory in the file's place: reading it fails (root can write anywhere, so no chmod).
    fs.rmSync(file);
    fs.mkdirSync(file);
    run.run([call({ token: 'tokA', name: 'A', at: T0 })]);
    await run.state.save();
    expect(o.warned).toHaveLength(1);
    expect(o.warned[0]).toMatch(/^--state: cannot save '.*state\.json': .*\(retried at the next save\)$/);
    fs.rmdirSync(file);
    await run.state.save();
    expect(o.warned).toHaveLength(1);
    expect(fileKeys(file)).toEqual(hashes(['tokA']));

    run.run([call({ token: 'tokB', name: 'A', at: T0 })]);
    fs.rmSync(file);
    fs.mkdirSync(file);
    const err = await run.state.close().catch((e: unknown) => e);
    expect((err as RexiLiveError).code).toBe('REXI_OUTPUT');
    fs.rmdirSync(file);
  });

  it('takes over the lock a crashed run left behind', async () => {
    const file = path.join(tmpdir(), 'state.json');
    fs.mkdirSync(file + '.lock');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file + '.lock', old, old);
    const run = await dedupeRun(options(file));
    await run.state.close();
    expect(fs.existsSync(file + '.lock')).toBe(false);
  });

  it('saves on its own, at least every saveEveryMs, once something changed', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const run = await dedupeRun(options(file, { saveEveryMs: 20 }));
    run.run([call({ token: 'tokA', name: 'A', at: T0 })]);
    // The file holds the key's hash, not its text: waiting for 'tokA' to appear waited out the deadline.
    const want = hashes(['tokA']);
    const saved = (): boolean => JSON.stringify(fileKeys(file)) === JSON.stringify(want);
    const deadline = Date.now() + 5000;
    while (!saved() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fileKeys(file)).toEqual(want);
    await run.state.close();
  });

  it('keeps multi-call windows across runs', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const timing = { windowMs: 10 * MIN, cooldownMs: 10 * MIN };
    const o = options(file, { dedupe: undefined, multiCall: timing });
    const open = async (now: number) => {
      const state = await openStateFile({ ...o, now });
      return { state, stage: createMultiCallStage({ minCallers: 3, windowMs: timing.windowMs, windowText: '10m', cooldownMs: timing.cooldownMs, withCalls: false, windows: state.windows! }) };
    };
    const one = await open(T0);
    one.stage.transform([call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + MIN })]);
    await one.state.close();

    const two = await open(T0 + 2 * MIN);
    const out = two.stage.transform([call({ name: 'Carol', at: T0 + 2 * MIN })]);
    expect(kinds(out)).toEqual(['signal']);
    await two.state.close();

    // The cooldown is kept too: a fourth caller right after emits nothing.
    const three = await open(T0 + 3 * MIN);
    expect(three.stage.transform([call({ name: 'Dave', at: T0 + 3 * MIN })])).toEqual([]);
    await three.state.close();

    // Once the window and the cooldown passed, nothing is left to keep.
    const four = await open(T0 + HOUR);
    expect(four.state.windows!.size).toBe(0);
    await four.state.close();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).windows).toEqual([]);
  });

  it('merges the windows of two overlapping runs', async () => {
    const file = path.join(tmpdir(), 'state.json');
    const timing = { windowMs: 10 * MIN, cooldownMs: 10 * MIN };
    const o = options(file, { dedupe: undefined, multiCall: timing });
    const stageOf = (windows: NonNullable<Awaited<ReturnType<typeof openStateFile>>['windows']>) =>
      createMultiCallStage({ minCallers: 3, windowMs: timing.windowMs, windowText: '10m', cooldownMs: timing.cooldownMs, withCalls: false, windows });
    const a = await openStateFile(o);
    const b = await openStateFile(o);
    const sa = stageOf(a.windows!);
    const sb = stageOf(b.windows!);
    // Both runs got Alice's call (arriving a few ms apart); a got Bob's, b got Carol's.
    sa.transform([call({ name: 'Alice', at: T0, timestamp: 100 }), call({ name: 'Bob', at: T0 + MIN })]);
    sb.transform([call({ name: 'Alice', at: T0 + 5, timestamp: 100 }), call({ name: 'Carol', at: T0 + 2 * MIN })]);
    await a.save();
    await b.save();
    const entries = b.windows!.peek(call({ at: T0 }).tokenAddress)!.entries;
    expect(entries.map((e) => [e.name, e.at])).toEqual([
      ['Alice', T0],
      ['Bob', T0 + MIN],
      ['Carol', T0 + 2 * MIN],
    ]);
    const [signal] = sb.transform([call({ name: 'Dave', at: T0 + 3 * MIN })]);
    expect(signal!.kind).toBe('signal');
    await a.close();
    await b.close();
  });
});
