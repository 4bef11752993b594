import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../src/stages/hash64.js';
import { TokenWindows, type NewCall } from '../../src/stages/token-windows.js';

/**
 * The compact windows against a plain model: a Map whose insertion order is the recency (a key
 * re-inserted is the most recent), each window an array of its calls. Random sequences of what
 * the multi-call stage does (open, prune, add) must leave both with the same tokens, in the same
 * order, and the same calls in each window.
 */

interface ModelCall {
  caller: string;
  at: number;
}

class Model {
  windows = new Map<string, ModelCall[]>();
  calls = 0;
  constructor(readonly max: number) {}

  open(token: string): ModelCall[] {
    let w = this.windows.get(token);
    if (w !== undefined) this.windows.delete(token);
    else {
      if (this.windows.size >= this.max) this.evictOldest();
      w = [];
    }
    this.windows.set(token, w);
    return w;
  }

  prune(w: ModelCall[], cutoff: number): void {
    const kept = w.filter((c) => c.at > cutoff);
    this.calls -= w.length - kept.length;
    w.splice(0, w.length, ...kept);
  }

  add(w: ModelCall[], call: ModelCall, perWindow: number): void {
    w.push(call);
    this.calls++;
    if (w.length > perWindow) {
      w.shift();
      this.calls--;
    }
    while (this.calls > this.max) {
      const [, oldest] = this.windows.entries().next().value as [string, ModelCall[]];
      if (oldest === w) {
        w.shift();
        this.calls--;
      } else this.evictOldest();
    }
  }

  private evictOldest(): void {
    const [token, w] = this.windows.entries().next().value as [string, ModelCall[]];
    this.calls -= w.length;
    this.windows.delete(token);
  }
}

const hex = (s: string): string => {
  const [hi, lo] = hashString(s);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
};

describe('TokenWindows', () => {
  it('agrees with a Map-based model over random sequences (evictions, pruning, the per-window bound)', () => {
    let seed = 99;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (const [max, perWindow, tokens] of [
      [1, 3, 3],
      [5, 2, 8],
      [50, 4, 80],
      [1500, 6, 2000],
    ] as const) {
      const windows = new TokenWindows(max);
      const model = new Model(max);
      let now = 0;
      for (let step = 0; step < 8000; step++) {
        now += random(4);
        const token = 't' + random(tokens);
        const caller = 'c' + random(6);
        const [hi, lo] = hashString(token);
        const w = windows.open(hi, lo, now);
        windows.prune(w, now - 20);
        const m = model.open(token);
        model.prune(m, now - 20);
        const [chi, clo] = hashString(caller);
        const call: NewCall = { callerHi: chi, callerLo: clo, details: () => ({ id: null, name: caller, platform: 'x' }), timestamp: now, marketCap: null, at: now };
        windows.add(w, call, perWindow);
        model.add(m, { caller, at: now }, perWindow);
        // expect() only on a mismatch: called on every one of 32,000 steps it took most of the time.
        if (windows.callCount !== model.calls) expect(windows.callCount).toBe(model.calls);
        if (step % 499 === 0 || max < 10) {
          const got = [...windows.windows()].map(([h, l, v]) => [h.toString(16).padStart(8, '0') + l.toString(16).padStart(8, '0'), v.entries.map((e) => [e.name, e.at])]);
          const want = [...model.windows].map(([t, calls]) => [hex(t), calls.map((c) => [c.caller, c.at])]);
          if (!isDeepStrictEqual(got, want)) expect(got).toEqual(want);
        }
      }
      // Callers are held once each and let go with their last call.
      expect(windows.callers.size).toBeLessThanOrEqual(6);
    }
  });

  it('a call by a caller already held reads no details', () => {
    const windows = new TokenWindows(10);
    let asked = 0;
    const [chi, clo] = hashString('alice');
    const call = (at: number): NewCall => ({ callerHi: chi, callerLo: clo, details: () => (asked++, { id: null, name: 'Alice', platform: 'tg' }), timestamp: at, marketCap: 5, at });
    for (let i = 0; i < 5; i++) {
      const [hi, lo] = hashString('tok' + i);
      windows.add(windows.open(hi, lo, i), call(i));
    }
    expect(asked).toBe(1);
    expect(windows.peek('tok3')?.entries).toEqual([{ caller: hex('alice'), id: null, name: 'Alice', platform: 'tg', timestamp: 3, marketCap: 5, at: 3 }]);
  });
});
