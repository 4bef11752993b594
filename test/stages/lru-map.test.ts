import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/stages/lru-map.js';

describe('LruMap (Heating up\'s tokens)', () => {
  it('holds at most max entries, the least recently seen forgotten first; get and set make one recent', () => {
    const m = new LruMap<number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.get('a')).toBe(1);
    m.set('d', 4);
    expect([...m.entries()].map(([k]) => k)).toEqual(['c', 'a', 'd']);
    expect(m.evictions).toBe(1);
    expect(m.peek('c')).toBe(3);
    expect(m.oldest()).toEqual(['c', 3]);
    expect(m.delete('c')).toBe(true);
    expect(m.size).toBe(2);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
