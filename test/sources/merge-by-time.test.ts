import { describe, expect, it } from 'vitest';
import { mergeByTime, type TimedBatch } from '../../src/sources/merge-by-time.js';

/** A source of `[label, time]` items in the given batches, recording whether it was closed. */
function source(batches: Array<Array<[string, number]>>, log?: string[]): AsyncIterable<TimedBatch<string>> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (const b of batches) {
          await new Promise((r) => setImmediate(r));
          yield { items: b.map(([s]) => s), times: b.map(([, t]) => t) };
        }
      } finally {
        log?.push('closed');
      }
    },
  };
}

async function merged(sources: Array<AsyncIterable<TimedBatch<string>>>, maxBatch?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const b of mergeByTime(sources, maxBatch)) {
    expect(b.items.length).toBe(b.times.length);
    expect(b.items.length).toBeGreaterThan(0);
    out.push(...b.items);
  }
  return out;
}

describe('mergeByTime', () => {
  it('takes the earliest next item first, across batches of any size', async () => {
    const a = source([[['a1', 1], ['a3', 3]], [['a6', 6]], [], [['a7', 7]]]);
    const b = source([[['b2', 2]], [['b4', 4], ['b5', 5], ['b8', 8]]]);
    expect(await merged([a, b])).toEqual(['a1', 'b2', 'a3', 'b4', 'b5', 'a6', 'a7', 'b8']);
  });

  it('equal times: the source given first, then each source in its own order', async () => {
    const make = () => [source([[['a1', 5], ['a2', 5]], [['a3', 6]]]), source([[['b1', 5]], [['b2', 5], ['b3', 6]]])];
    expect(await merged(make())).toEqual(['a1', 'a2', 'b1', 'b2', 'a3', 'b3']);
    const [a, b] = make();
    expect(await merged([b!, a!])).toEqual(['b1', 'b2', 'a1', 'a2', 'b3', 'a3']);
  });

  it('a source out of time order stays in its own order (only heads are compared)', async () => {
    const a = source([[['a1', 10], ['a2', 1], ['a3', 20]]]);
    const b = source([[['b1', 5], ['b2', 15]]]);
    expect(await merged([a, b])).toEqual(['b1', 'a1', 'a2', 'b2', 'a3']);
  });

  it('consecutive sources follow each other; one source and none work', async () => {
    const days = [0, 1, 2].map((d) => source([[[`d${d}a`, d * 100], [`d${d}b`, d * 100 + 1]]]));
    expect(await merged([days[2]!, days[0]!, days[1]!])).toEqual(['d0a', 'd0b', 'd1a', 'd1b', 'd2a', 'd2b']);
    expect(await merged([source([[['x', 1]]])])).toEqual(['x']);
    expect(await merged([])).toEqual([]);
    expect(await merged([source([]), source([[]])])).toEqual([]);
  });

  it('many sources: the same as a stable sort by time, argument order on ties', async () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const all: Array<{ label: string; t: number; src: number; pos: number }> = [];
    const sources = Array.from({ length: 9 }, (_, s) => {
      let t = 0;
      const items: Array<[string, number]> = [];
      for (let i = 0; i < 200; i++) {
        t += Math.floor(random() * 4);
        items.push([`${s}:${i}`, t]);
        all.push({ label: `${s}:${i}`, t, src: s, pos: i });
      }
      const batches: Array<Array<[string, number]>> = [];
      for (let i = 0; i < items.length; ) {
        const n = 1 + Math.floor(random() * 30);
        batches.push(items.slice(i, i + n));
        i += n;
      }
      return source(batches);
    });
    const expected = [...all].sort((x, y) => x.t - y.t || x.src - y.src || x.pos - y.pos).map((x) => x.label);
    expect(await merged(sources, 17)).toEqual(expected);
  });

  it('a consumer that stops early closes every source', async () => {
    const log: string[] = [];
    const a = source([[['a1', 1]], [['a2', 3]]], log);
    const b = source([[['b1', 2]], [['b2', 4]]], log);
    for await (const batch of mergeByTime([a, b])) {
      expect(batch.items).toEqual(['a1']);
      break;
    }
    expect(log).toEqual(['closed', 'closed']);
  });
});
