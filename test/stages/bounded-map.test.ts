import { describe, expect, it } from 'vitest';
import { KeyTable, SeenKeys } from '../../src/stages/bounded-map.js';

/** The keys of a table, least recently seen first, as their `lo` halves. */
function order(t: KeyTable): number[] {
  const out: number[] = [];
  for (let e = t.oldest; e !== -1; e = t.next[e]!) out.push(t.lo[e]!);
  return out;
}

describe('KeyTable', () => {
  it('forgets the least recently seen first, and counts it', () => {
    const t = new KeyTable(3);
    for (const k of [1, 2, 3]) t.insert(0, k);
    t.touch(t.find(0, 1)); // 1 is now the most recent: 2 is the oldest
    t.insert(0, 4);
    expect(order(t)).toEqual([3, 1, 4]);
    expect(t.find(0, 2)).toBe(-1);
    expect(t.evictions).toBe(1);
    expect(t.size).toBe(3);
  });

  it('tells apart hashes that share a half, and finds keys after removals (backward shift)', () => {
    const t = new KeyTable(100);
    // Same low half: one probe chain.
    for (let k = 0; k < 20; k++) t.insert(k, 7);
    for (let k = 0; k < 20; k += 2) t.remove(t.find(k, 7));
    for (let k = 0; k < 20; k++) expect(t.find(k, 7) !== -1).toBe(k % 2 === 1);
    expect(t.size).toBe(10);
  });

  it('refuses a bound below 1', () => {
    expect(() => new KeyTable(0)).toThrow(RangeError);
  });

  it('agrees with a Map-based model over random operations (grows, evicts, removes, reuses)', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (const max of [1, 7, 64, 1500]) {
      const t = new KeyTable(max);
      // The model: a Map keeps insertion order; re-inserting makes a key the most recent.
      const model = new Map<string, true>();
      let evictions = 0;
      const keys = max * 3;
      for (let step = 0; step < 20_000; step++) {
        // Hashes with few distinct low halves: long probe chains and many shifts.
        const k = random(keys);
        const hi = k;
        const lo = k % 13;
        const id = `${hi}:${lo}`;
        const e = t.find(hi, lo);
        expect(e !== -1).toBe(model.has(id));
        const op = random(10);
        if (op === 9) {
          // locate(): the same as a find, then an insert when absent.
          if (e === -1 && model.size >= max) {
            model.delete(model.keys().next().value!);
            evictions++;
          }
          const located = t.locate(hi, lo);
          expect(t.created).toBe(e === -1);
          if (e !== -1) expect(located).toBe(e);
          if (e === -1) model.set(id, true);
        } else if (op < 5) {
          if (e === -1) {
            if (model.size >= max) {
              model.delete(model.keys().next().value!);
              evictions++;
            }
            t.insert(hi, lo);
          } else {
            t.touch(e);
            model.delete(id);
          }
          model.set(id, true);
        } else if (op < 7 && e !== -1) {
          t.remove(e);
          model.delete(id);
        }
        if (step % 997 === 0) {
          const ids: string[] = [];
          for (let x = t.oldest; x !== -1; x = t.next[x]!) ids.push(`${t.hi[x]}:${t.lo[x]}`);
          expect(ids).toEqual([...model.keys()]);
        }
      }
      expect(t.size).toBe(model.size);
      expect(t.evictions).toBe(evictions);
    }
  });
});

describe('SeenKeys', () => {
  it('see() is hasHash() and then, when it says no, addHash(): the same answers, order, sightings and numbers', () => {
    let seed = 99;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (const max of [1, 5, 300]) {
      const one = new SeenKeys({ max, ttlMs: 50 });
      const two = new SeenKeys({ max, ttlMs: 50 });
      let now = 0;
      for (let step = 0; step < 20_000; step++) {
        now += random(3);
        const k = random(max * 2 + 3);
        const seq = one.see(Math.imul(k, 0x9e3779b1), k, now);
        const expected = two.hasHash(Math.imul(k, 0x9e3779b1), k, now) ? 0 : two.addHash(Math.imul(k, 0x9e3779b1), k, now);
        expect(seq).toBe(expected);
      }
      expect(order(one)).toEqual(order(two));
      const sightings = (t: SeenKeys): number[][] => order(t).map((k) => {
        const e = t.find(Math.imul(k, 0x9e3779b1), k);
        return [t.first[e]!, t.last[e]!, t.seq[e]!];
      });
      expect(sightings(one)).toEqual(sightings(two));
      expect([one.size, one.evictions, one.changes]).toEqual([two.size, two.evictions, two.changes]);
    }
  });

  it('remembers a key for the TTL from its first sighting', () => {
    const keys = new SeenKeys({ max: 10, ttlMs: 1000 });
    keys.add('k', 0);
    expect(keys.has('k', 999)).toBe(true);
    expect(keys.has('k', 1000)).toBe(false);
    // Expired: forgotten, and a new sighting starts a new life.
    keys.add('k', 1500);
    expect(keys.has('k', 2499)).toBe(true);
    expect(keys.has('k', 2500)).toBe(false);
  });

  it('does not extend a key by seeing or adding it again', () => {
    const keys = new SeenKeys({ max: 10, ttlMs: 1000 });
    keys.add('k', 0);
    expect(keys.has('k', 600)).toBe(true);
    keys.add('k', 900);
    expect(keys.has('k', 1000)).toBe(false);
  });

  it('a hit makes a key recent: the least recently seen goes first', () => {
    const keys = new SeenKeys({ max: 2, ttlMs: 1e9 });
    keys.add('a', 0);
    keys.add('b', 1);
    expect(keys.has('a', 2)).toBe(true);
    keys.add('c', 3);
    expect(keys.has('b', 4)).toBe(false);
    expect(keys.has('a', 4)).toBe(true);
    expect(keys.evictions).toBe(1);
  });

  it('stays at its bound: 1,000,000 distinct keys through 100000', () => {
    const keys = new SeenKeys({ max: 100_000, ttlMs: 86_400_000 });
    for (let i = 0; i < 1_000_000; i++) {
      // Hashes as the stages pass them, without a string per key.
      const hi = Math.imul(i, 0x9e3779b1) >>> 0;
      if (!keys.hasHash(hi, i, i)) keys.addHash(hi, i, i);
    }
    expect(keys.size).toBe(100_000);
    expect(keys.evictions).toBe(900_000);
    expect(keys.hasHash(Math.imul(999_999, 0x9e3779b1) >>> 0, 999_999, 1_000_000)).toBe(true);
    expect(keys.hasHash(Math.imul(899_999, 0x9e3779b1) >>> 0, 899_999, 1_000_000)).toBe(false);
  });

  it('forgets a key added only if it is still that addition; saves only committed keys', () => {
    const keys = new SeenKeys({ max: 10, ttlMs: 100 });
    const a = keys.add('a', 0);
    keys.add('b', 0);
    keys.commit(a);
    expect(keys.committed).toBe(a);
    const [hi, lo] = [keys.hi[keys.oldest]!, keys.lo[keys.oldest]!];
    keys.forgetHash(hi, lo, a + 100);
    expect(keys.size).toBe(2);
    keys.forgetHash(hi, lo, a);
    expect(keys.has('a', 1)).toBe(false);
    expect(keys.has('b', 1)).toBe(true);
  });

  it('restores keys in order, merging one held already and leaving out expired ones', () => {
    const keys = new SeenKeys({ max: 2, ttlMs: 100 });
    keys.restore(1, 1, 0, 10, 0, 150); // expired at 150
    keys.restore(2, 2, 100, 110, 0, 150);
    keys.restore(3, 3, 110, 120, 5, 150);
    keys.restore(2, 2, 90, 130, 3, 150);
    expect(order(keys)).toEqual([3, 2]);
    const e = keys.find(2, 2);
    expect([keys.first[e], keys.last[e], keys.seq[e]]).toEqual([90, 130, 0]);
    expect(keys.evictions).toBe(0);
  });
});
