import { describe, expect, it } from 'vitest';
import { LruMap, SeenKeys } from '../../src/stages/bounded-map.js';

describe('LruMap', () => {
  it('forgets the least recently seen first, and counts it', () => {
    const m = new LruMap<number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.get('a')).toBe(1); // a is now the most recent: b is the oldest
    m.set('d', 4);
    expect([...m.entries()].map(([k]) => k)).toEqual(['c', 'a', 'd']);
    expect(m.evictions).toBe(1);
    expect(m.size).toBe(3);
  });

  it('peek does not make an entry recent; set of a held key evicts nothing', () => {
    const m = new LruMap<number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.peek('a')).toBe(1);
    m.set('b', 3);
    expect(m.evictions).toBe(0);
    m.set('c', 4);
    expect([...m.entries()].map(([k]) => k)).toEqual(['b', 'c']);
    expect(m.oldest()).toEqual(['b', 3]);
  });

  it('refuses a bound below 1', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});

describe('SeenKeys', () => {
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
      const k = 'token' + i;
      if (!keys.has(k, i)) keys.add(k, i);
    }
    expect(keys.size).toBe(100_000);
    expect(keys.evictions).toBe(900_000);
    expect(keys.has('token999999', 1_000_000)).toBe(true);
    expect(keys.has('token899999', 1_000_000)).toBe(false);
  });

  it('lists the keys alive, least recently seen first, and takes such a list back', () => {
    const keys = new SeenKeys({ max: 3, ttlMs: 100 });
    keys.add('old', 0);
    keys.add('a', 50);
    keys.add('b', 60);
    expect(keys.has('a', 120)).toBe(true);
    expect([...keys.entries()].map((e) => e.slice(0, 3))).toEqual([
      ['b', 60, 60],
      ['a', 50, 120],
    ]);
    const copy = new SeenKeys({ max: 2, ttlMs: 100 });
    copy.replace([['x', 0, 0], ['y', 100, 100], ['z', 110, 110], ['w', 120, 120]], 150);
    // Past the bound the oldest are left out; then the expired ones.
    expect([...copy.entries(150)].map(([k]) => k)).toEqual(['z', 'w']);
    expect(copy.evictions).toBe(0);
  });
});
