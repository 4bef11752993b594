import { describe, expect, it } from 'vitest';
import { CellMemo } from '../../src/render/cell-memo.js';
import { RowWriter } from '../../src/render/row-writer.js';
import { SecondCells } from '../../src/render/second-cells.js';

/** What a memo writes for one key, as text. */
const written = (write: (out: RowWriter) => void): string => {
  const out = new RowWriter(4);
  write(out);
  return out.buf.toString('utf8', 0, out.pos);
};

describe('CellMemo', () => {
  it('makes a cell once per distinct key, and writes what it made', () => {
    let made = 0;
    const memo = new CellMemo((b, s, e) => {
      made++;
      return `<${b.toString('utf8', s, e)}>`;
    });
    const buf = Buffer.from('xxabcxxabdxx');
    for (let round = 0; round < 3; round++) {
      expect(written((out) => memo.write(out, buf, 2, 5, 0, 0))).toBe('<abc>');
      expect(written((out) => memo.write(out, buf, 7, 10, 0, 0))).toBe('<abd>');
      expect(written((out) => memo.write(out, buf, 3, 3, 0, 0))).toBe('<>');
    }
    expect(made).toBe(3);
  });

  it('tells apart keys that share a set, whatever it evicts, and keys split differently in two', () => {
    // Four slots: one set of four ways, every key in it.
    const memo = new CellMemo((b, s, e, s2, e2) => `${b.toString('latin1', s, e)}|${b.toString('latin1', s2, e2)}`, 4);
    const buf = Buffer.from('abcdefghij');
    const keys: Array<[number, number, number, number]> = [];
    for (let i = 0; i < 7; i++) keys.push([i, i + 2, 0, 0]);
    keys.push([0, 2, 2, 3], [0, 1, 1, 3]); // "ab"+"c" and "a"+"bc": the same bytes, other keys
    for (let round = 0; round < 3; round++) {
      for (const [s, e, s2, e2] of keys) {
        expect(written((out) => memo.write(out, buf, s, e, s2, e2))).toBe(`${buf.toString('latin1', s, e)}|${buf.toString('latin1', s2, e2)}`);
      }
    }
  });

  it('keeps a cell too long for its slot apart, and makes a cell of a key too long to keep each time', () => {
    let made = 0;
    const cellOf = (key: string): string => (key.startsWith('l') ? `${key}:${'é'.repeat(100)}` : `${key}.`);
    // One set of four ways: long cells and short ones side by side, each read back after the others.
    const memo = new CellMemo((b, s, e) => {
      made++;
      return cellOf(b.toString('utf8', s, e));
    }, 4);
    const keys = ['l1', 's1', 'l2', 's2'];
    const buf = Buffer.from(`${keys.join('')}${'L'.repeat(60)}`);
    for (let round = 0; round < 3; round++) {
      keys.forEach((key, i) => expect(written((out) => memo.write(out, buf, 2 * i, 2 * i + 2, 0, 0))).toBe(cellOf(key)));
    }
    expect(made).toBe(4);
    const key = 'L'.repeat(60);
    expect(written((out) => memo.write(out, buf, 8, 68, 0, 0))).toBe(`${key}.`);
    expect(written((out) => memo.write(out, buf, 8, 68, 0, 0))).toBe(`${key}.`);
    expect(made).toBe(6);
  });
});

describe('SecondCells', () => {
  it('makes a second once, tells apart seconds that share a slot, and writes a long cell whole', () => {
    const made: number[] = [];
    const cells = new SecondCells((second) => {
      made.push(second);
      return second === 5 ? `${second}${'x'.repeat(40)}` : `[${second}]`;
    });
    // 8192 seconds apart: the same slot.
    for (let round = 0; round < 2; round++) {
      for (const second of [0, 1, 8192, 1_764_000_000, 1_764_000_000 + 8192, 5]) {
        expect(written((out) => cells.write(out, second))).toBe(second === 5 ? `5${'x'.repeat(40)}` : `[${second}]`);
      }
    }
    expect(made.filter((s) => s === 1)).toHaveLength(1);
    expect(made.filter((s) => s === 0).length).toBeGreaterThan(1); // evicted by 8192 each round
  });
});
