import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../../src/stages/bounded-map.js';
import { createDedupeStage } from '../../src/stages/dedupe.js';
import { Call } from '../../src/wire/calls.js';
import type { Batch, SignalMessage } from '../../src/wire/message.js';
import { call, kinds, MIN, other, T0, TOKEN_B } from '../support/messages.js';

const HOUR = 60 * MIN;

/** transform, then written: what a pipeline whose outputs took every line does. */
function run(stage: ReturnType<typeof createDedupeStage>, batch: Batch): Batch {
  const out = stage.transform(batch);
  stage.written?.(out);
  return out;
}

describe('dedupe stage', () => {
  it('token (--first-call): only the first call of each token', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: 24 * HOUR });
    const out = run(stage, [
      call({ name: 'Alice', at: T0 }),
      call({ name: 'Bob', at: T0 + 1 }),
      call({ name: 'Carol', token: TOKEN_B, at: T0 + 2 }),
    ]);
    expect(kinds(out)).toEqual(['call:Alice', 'call:Carol']);
    expect(kinds(run(stage, [call({ name: 'Dave', at: T0 + MIN })]))).toEqual([]);
    expect(stage.deduped).toBe(2);
    expect(stage.summary?.()).toBe('deduped 2');
  });

  it('caller: one call per caller per token', () => {
    const stage = createDedupeStage({ kind: 'caller', ttlMs: HOUR });
    const out = run(stage, [
      call({ name: 'Alice', at: T0 }),
      call({ name: 'ALICE', at: T0 + 1 }),
      call({ name: 'Bob', at: T0 + 2 }),
      call({ name: 'Alice', token: TOKEN_B, at: T0 + 3 }),
      call({ name: 'Alice', platform: 'discord', at: T0 + 4 }),
    ]);
    expect(kinds(out)).toEqual(['call:Alice', 'call:Bob', 'call:Alice', 'call:Alice']);
  });

  it('call: the same call delivered again, whatever its arrival', () => {
    const stage = createDedupeStage({ kind: 'call', ttlMs: HOUR });
    const first = call({ id: 'c1', name: 'Alice', at: T0, timestamp: 1_800_000_000 });
    const again = call({ id: 'c1', name: 'Alice', at: T0 + 5 * MIN, timestamp: 1_800_000_000 });
    const later = call({ id: 'c1', name: 'Alice', at: T0 + 6 * MIN, timestamp: 1_800_000_360 });
    expect(run(stage, [first])).toEqual([first]);
    expect(run(stage, [again, later])).toEqual([later]);
  });

  it('outputs the first occurrence unchanged: the same object, the same batch when nothing is dropped', () => {
    const stage = createDedupeStage({ kind: 'call', ttlMs: HOUR });
    const batch = [call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 })];
    expect(stage.transform(batch)).toBe(batch);
  });

  it('drops a duplicate within the same batch', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR });
    const out = stage.transform([call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 })]);
    expect(kinds(out)).toEqual(['call:Alice']);
  });

  it('within one batch too, a key expires after the TTL (a replay reads hours at once)', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR });
    const batch = [call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + 30 * MIN }), call({ name: 'Carol', at: T0 + 61 * MIN }), call({ name: 'Dave', at: T0 + 90 * MIN })];
    const out = run(stage, batch);
    expect(kinds(out)).toEqual(['call:Alice', 'call:Carol']);
    // Remembered from Carol's sighting, not Alice's.
    expect(kinds(run(stage, [call({ name: 'Erin', at: T0 + 120 * MIN }), call({ name: 'Fay', at: T0 + 122 * MIN })]))).toEqual(['call:Fay']);
  });

  it('remembers a key only once its line was written', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR });
    // The outputs took none of this batch (a --count stop): no key is remembered.
    expect(stage.transform([call({ name: 'Alice', at: T0 })])).toHaveLength(1);
    stage.written?.([]);
    expect(kinds(run(stage, [call({ name: 'Bob', at: T0 + 1 })]))).toEqual(['call:Bob']);
    // Written holds only what the outputs took: a call cut off after it is not remembered.
    const [carol, dave] = [call({ name: 'Carol', token: TOKEN_B, at: T0 + 2 }), call({ name: 'Dave', token: 'Other', at: T0 + 2 })];
    stage.transform([carol, dave]);
    stage.written?.([carol]);
    expect(kinds(run(stage, [call({ name: 'Eve', token: 'Other', at: T0 + 3 })]))).toEqual(['call:Eve']);
    expect(kinds(run(stage, [call({ name: 'Eve', token: TOKEN_B, at: T0 + 3 })]))).toEqual([]);
  });

  it('forgets a key after the TTL, counted from its first sighting', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR });
    expect(run(stage, [call({ name: 'Alice', at: T0 })])).toHaveLength(1);
    // Sightings in between do not extend it.
    expect(run(stage, [call({ name: 'Bob', at: T0 + 30 * MIN })])).toHaveLength(0);
    expect(run(stage, [call({ name: 'Carol', at: T0 + HOUR - 1 })])).toHaveLength(0);
    expect(kinds(run(stage, [call({ name: 'Dave', at: T0 + HOUR })]))).toEqual(['call:Dave']);
    expect(run(stage, [call({ name: 'Eve', at: T0 + HOUR + 1 })])).toHaveLength(0);
  });

  it('passes signals and other messages through untouched', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR });
    const signal = { kind: 'signal', raw: '{}', receivedAt: T0, identity: 'x', value: {} } as unknown as SignalMessage;
    const h = other(T0);
    const out = run(stage, [call({ name: 'Alice', at: T0 }), signal, h, signal, h, call({ name: 'Bob', at: T0 })]);
    expect(out).toEqual([out[0], signal, h, signal, h]);
    expect(out[1]).toBe(signal);
    expect(stage.deduped).toBe(1);
  });

  it('keeps at most --state-max keys, least recently seen forgotten first, and says so', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR, stateMax: 2 });
    run(stage, [call({ token: 'a', name: 'x', at: T0 }), call({ token: 'b', name: 'x', at: T0 })]);
    // Seeing a again makes it recent: b is forgotten when c arrives.
    run(stage, [call({ token: 'a', name: 'y', at: T0 + 1 })]);
    run(stage, [call({ token: 'c', name: 'x', at: T0 + 2 })]);
    expect(kinds(run(stage, [call({ token: 'a', name: 'z', at: T0 + 3 })]))).toEqual([]);
    expect(kinds(run(stage, [call({ token: 'b', name: 'z', at: T0 + 3 })]))).toEqual(['call:z']);
    expect(stage.summary?.()).toBe('deduped 2 (forgotten 2)');
  });

  it('a key seen again is more recent than the keys first seen before it in the same batch', () => {
    // --state-max 1000, batches of 4096 (one replay read): token 0 comes back every 500 tokens, so
    // it is never among the 1000 least recently seen.
    const stage = createDedupeStage({ kind: 'token', ttlMs: 24 * HOUR, stateMax: 1000 });
    const tokenCall = (token: string, at: number): Call => new Call('', at, true, { type: 'NEW_SCAN', data: { token_address: token } });
    let zeros = 0;
    let batch: Batch = [tokenCall('t0', T0)];
    for (let i = 1; i <= 200_000; i++) {
      batch.push(tokenCall('t' + i, T0 + i));
      if (i % 500 === 0) batch.push(tokenCall('t0', T0 + i));
      if (batch.length >= 4096 || i === 200_000) {
        for (const m of run(stage, batch)) if (m.kind === 'call' && m.tokenAddress === 't0') zeros++;
        batch = [];
      }
    }
    expect(zeros).toBe(1);
    expect(stage.deduped).toBe(400);
  });

  it('in a stepwise pump (one transform per message, one written for them all) a cut forgets only what was cut', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR });
    const [a, b, c] = [call({ token: 'a', name: 'x', at: T0 }), call({ token: 'b', name: 'x', at: T0 }), call({ token: 'c', name: 'x', at: T0 })];
    const out = [...stage.transform([a]), ...stage.transform([b]), ...stage.transform([c])];
    stage.written?.(out.slice(0, 2));
    expect(kinds(run(stage, [call({ token: 'a', name: 'y', at: T0 + 1 }), call({ token: 'b', name: 'y', at: T0 + 1 }), call({ token: 'c', name: 'y', at: T0 + 1 })]))).toEqual(['call:y']);
  });

  it('uses a store it is given (a state file shares it)', () => {
    const store = new SeenKeys({ max: 10, ttlMs: HOUR });
    store.add(call({ at: T0 }).tokenAddress, T0);
    const stage = createDedupeStage({ kind: 'token', ttlMs: HOUR, store });
    expect(run(stage, [call({ name: 'Alice', at: T0 + 1 })])).toHaveLength(0);
    expect(stage.store).toBe(store);
  });

  it('1,000,000 distinct tokens with --state-max 100000 stay at 100000 keys', () => {
    const stage = createDedupeStage({ kind: 'token', ttlMs: 24 * HOUR, stateMax: 100_000 });
    for (let i = 0; i < 1_000_000; i += 1000) {
      const batch: Batch = [];
      // Built from a parsed message, as the reader keeps it: a million JSON.parse calls would time out.
      for (let j = i; j < i + 1000; j++) batch.push(new Call('', T0 + j, true, { type: 'NEW_SCAN', data: { token_address: 'tok' + j } }));
      run(stage, batch);
    }
    expect(stage.store.size).toBe(100_000);
    expect(stage.store.evictions).toBe(900_000);
  });
});
