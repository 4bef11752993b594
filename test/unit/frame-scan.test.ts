import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { classifyFrame } from '../../src/calls.js';
import { ScanResult, scanFrame, type ScanKind } from '../../src/frame-scan.js';
import { compactJson } from '../../src/json-text.js';
import { createCallGenerator } from '../../src/server/generator.js';

/**
 * The scanner is checked against JSON.parse, the reference, on inputs made to hit every rule of
 * JSON and of classification: generated texts, their byte-level mutations and every byte value at
 * every position of small templates. Set FRAME_SCAN_SEED to explore other inputs; a disagreement
 * prints the seed, the case number and the input.
 */

const SEED = Number(process.env.FRAME_SCAN_SEED ?? 0x5ca9);

/** mulberry32: small, fast, enough for test inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: <T>(list: readonly T[]): T => list[int(list.length)]! };
}
type Random = ReturnType<typeof prng>;

const UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NON_ASCII = /[^\u0000-\u007f]/;

const KINDS: Record<string, ScanKind> = {
  'not-json': 'not-json',
  'not-object': 'not-object',
  'no-token-address': 'no-token-address',
  'other-type': 'other-type',
};

const out = new ScanResult();

/** JSON.parse of text it rejects; a throw costs microseconds, most of them spent on the stack trace. */
function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** What the scanner got wrong about `buf`, compared with JSON.parse and slow checks; undefined if nothing. */
function disagreement(buf: Buffer): string | undefined {
  const kind = scanFrame(buf, out);
  const text = buf.toString();
  const parsed = parse(text);
  if (!parsed.ok) {
    if (kind !== 'not-json') return `JSON.parse rejects it, the scanner says ${kind}`;
    if (out.typeStart !== -1 || out.tokenStart !== -1 || out.tokenEscaped || out.whitespace || out.unsafe || !out.ascii) {
      return 'fields not reset after not-json';
    }
    return undefined;
  }
  const value = parsed.value;
  if (kind === 'not-json') return 'JSON.parse accepts it, the scanner says not-json';
  const classified = classifyFrame(text, false);
  const expected = typeof classified === 'object' ? 'call' : KINDS[classified];
  if (kind !== expected) return `classifyFrame says ${expected}, the scanner ${kind}`;

  if (out.whitespace !== (compactJson(text) !== text)) return `whitespace ${out.whitespace}`;
  if (out.unsafe !== UNSAFE.test(text)) return `unsafe ${out.unsafe}`;
  if (out.ascii !== !NON_ASCII.test(text)) return `ascii ${out.ascii}`;

  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const type = isObject ? (value as { type?: unknown }).type : undefined;
  if (typeof type === 'string') {
    if (out.typeStart < 0) return 'type span missing';
    const written = buf.toString('utf8', out.typeStart, out.typeEnd);
    if (JSON.parse(`"${written}"`) !== type) return `type span ${out.typeStart}..${out.typeEnd} is ${written}`;
    if (out.typeEscaped !== written.includes('\\')) return `typeEscaped ${out.typeEscaped}`;
  } else if (out.typeStart !== -1 || out.typeEnd !== -1 || out.typeEscaped) {
    return 'type span for a type that is not a string';
  }
  const data = isObject ? (value as { data?: unknown }).data : undefined;
  const token = data !== null && typeof data === 'object' ? (data as { token_address?: unknown }).token_address : undefined;
  if (typeof token === 'string') {
    if (out.tokenEscaped) {
      if (out.tokenStart !== -1 || out.tokenEnd !== -1) return 'token span given for an escaped token';
      if (JSON.stringify(token).slice(1, -1) === token && !/\\/.test(text)) return 'tokenEscaped without a backslash in the text';
    } else {
      if (out.tokenStart < 0) return 'token span missing';
      const written = buf.toString('utf8', out.tokenStart, out.tokenEnd);
      if (written !== token) return `token span ${out.tokenStart}..${out.tokenEnd} is ${written}`;
    }
  } else if (out.tokenStart !== -1 || out.tokenEnd !== -1 || out.tokenEscaped) {
    return 'token span for a token that is not a string';
  }
  return undefined;
}

/** Runs the inputs (invalid UTF-8 is skipped: the scanner is only given checked text). */
class Differential {
  tested = 0;
  readonly failures: string[] = [];
  constructor(readonly name: string) {}

  check(buf: Buffer, index: number): void {
    if (!isUtf8(buf)) return;
    this.tested++;
    const why = disagreement(buf);
    if (why !== undefined && this.failures.length < 10) {
      this.failures.push(`${this.name} seed=${SEED} case=${index}: ${why}\n  input ${JSON.stringify(buf.toString())}\n  bytes ${buf.toString('hex')}`);
    }
  }
}

// ---- Generated JSON texts ----------------------------------------------------------------

const KEYS = [
  'type', 'type', 'data', 'data', 'token_address', 'token_address', 'typ\\u0065', '\\u0074ype', 'dat\\u0061',
  'token\\u005faddress', '\\u0074oken_address', 'Type', 'typ', 'types', 'token_addres', 'token_addresss', '',
  'caller', 'id', '__proto__', 'a', 'é', 'ty\\npe', 'type\\u0000', 'data\\/', 'token_name', 'tokenXaddress',
];
const TYPE_VALUES = [
  '"NEW_SCAN"', '"NEW_SCAN"', '"NEW_SCAN"', '"NEW\\u005fSCAN"', '"\\u004eEW_SCAN"', '"NEW_SCAN\\u0000"', '"NEW_SCAN "',
  '"new_scan"', '"NEW_SCA"', '"NEW_SCANX"', '"NEW\\u005FSCAN"', '"NEW\\\\SCAN"', '"\\uD800NEW_SCAN"', '"PING"', '"MULTI_CALL"',
  '""', '1', 'null', 'true', '["NEW_SCAN"]', '{"NEW_SCAN":1}',
];
const NUMBERS = [
  '0', '-0', '1', '-1', '12', '1e400', '-1e400', '1E-400', '1.5', '-0.0', '0.5e+3', '1e-7', '123456789012345678901234567890',
  '3147711', '0.00314771', '9007199254740993', '1E5', '2e+10', '-0e-0',
  // not JSON, rarely: the scanner must refuse them where JSON.parse does
  '01', '1.', '.5', '-', '+1', '1e', '1e+', '0x10', '-01', '00', 'Infinity', 'NaN', '1.e5', '-.5', '1ee5',
];
const LITERALS = ['true', 'false', 'null', 'tru', 'fals', 'nul', 'True', 'nulll', 'undefined'];
const STRING_PIECES = [
  'a', 'b', 'Z', ' ', '0', '_', '-', '/', '~', 'é', 'ß', '中', '🚀', '\u00a0', '\ufeff', '\u2027', '\u2028', '\u2029',
  '\u202a', '\u202e', '\u202f', '\u2065', '\u2066', '\u2069', '\u206a', '\u0080', '\u009f', '\u00a0', '\u007f', '\u00c2',
  '\u0100', '\u07ff', '\u0800', '\uffff', '\\n', '\\t', '\\b', '\\f', '\\r', '\\"', '\\\\', '\\/', '\\u00e9', '\\u2028',
  '\\ud800', '\\udc00', '\\uD83D\\uDE80', '\\uDE80\\uD83D', '\\u0000', '\\u001f', '\\uABCD', '\\uabcd', '\\u12', '\\x41',
  '\\U0041', '\\', '\t', '\n', '\u0001', '\u001f', '"',
];
const SPACE = ['', '', '', '', '', '', '', '', '', ' ', '\n', '\r\n', '\t', '  ', '\r', ' \n\t ', '\f', '\v', '\u00a0', '\u2028', '\ufeff'];

class TextGenerator {
  constructor(private readonly r: Random) {}

  space(): string {
    return this.r.next() < 0.85 ? '' : this.r.pick(SPACE);
  }

  string(): string {
    const r = this.r;
    let s = '"';
    const n = r.next() < 0.2 ? 0 : r.int(r.next() < 0.8 ? 6 : 30);
    for (let i = 0; i < n; i++) s += r.next() < 0.6 ? String.fromCharCode(0x61 + r.int(26)) : r.pick(STRING_PIECES);
    return s + (r.next() < 0.995 ? '"' : '');
  }

  key(): string {
    return this.r.next() < 0.75 ? `"${this.r.pick(KEYS)}"` : this.string();
  }

  value(depth: number): string {
    const r = this.r;
    const u = r.next();
    if (depth > 0 && u < 0.3) return this.object(depth - 1);
    if (depth > 0 && u < 0.4) return this.array(depth - 1);
    if (u < 0.65) return this.string();
    if (u < 0.9) return r.next() < 0.5 ? r.pick(NUMBERS) : this.number();
    return r.pick(LITERALS);
  }

  number(): string {
    const r = this.r;
    let s = r.next() < 0.3 ? '-' : '';
    s += r.next() < 0.3 ? '0' : String(1 + r.int(9)) + String(r.int(100000)).slice(0, r.int(6));
    if (r.next() < 0.3) s += '.' + String(r.int(1000));
    if (r.next() < 0.3) s += r.pick(['e', 'E']) + r.pick(['', '+', '-']) + String(r.int(500));
    return s;
  }

  members(depth: number, top: boolean): string[] {
    const r = this.r;
    const members: string[] = [];
    const n = r.int(top ? 5 : 4);
    for (let i = 0; i < n; i++) {
      const key = this.key();
      let value: string;
      if (top && key === '"type"' && r.next() < 0.8) value = r.pick(TYPE_VALUES);
      else if (top && key === '"data"' && r.next() < 0.8) value = this.data(depth);
      else value = this.value(depth);
      members.push(this.space() + key + this.space() + ':' + this.space() + value + this.space());
    }
    return members;
  }

  object(depth: number, top = false): string {
    const m = this.members(depth, top);
    return '{' + (m.length === 0 ? this.space() : m.join(',')) + '}';
  }

  array(depth: number): string {
    const n = this.r.int(4);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(this.space() + this.value(depth) + this.space());
    return '[' + (n === 0 ? this.space() : items.join(',')) + ']';
  }

  data(depth: number): string {
    const r = this.r;
    if (r.next() < 0.15) return this.value(depth);
    const members = this.members(Math.max(0, depth - 1), false);
    const count = r.next() < 0.1 ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const key = r.next() < 0.85 ? '"token_address"' : `"${r.pick(KEYS)}"`;
      const value = r.next() < 0.8 ? (r.next() < 0.8 ? '"So11111111111111111111111111111111111111112"' : this.string()) : this.value(1);
      members.splice(r.int(members.length + 1), 0, key + this.space() + ':' + this.space() + value);
    }
    return '{' + members.join(',') + '}';
  }

  /** A whole text: mostly a message-shaped object, sometimes anything. */
  text(): string {
    const r = this.r;
    const body = r.next() < 0.85 ? this.object(3, true) : this.value(3);
    return this.space() + body + this.space();
  }
}

// ---- Mutations -----------------------------------------------------------------------------

const TOKENS = [
  '{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\u00', 'e', '-', '.', '0', '1', ' ', '\n', '"type":', '"data":',
  '"token_address":', '"NEW_SCAN"', '{"token_address":"x"}', 'null', 'true', '\u2028', '\u0085', '\u202e', '\u2066',
  '\u007f', 'é', '🚀', '\ufeff', ',"type":"X"', ',"data":1',
].map((t) => Buffer.from(t));

function mutate(r: Random, buf: Buffer): Buffer {
  const n = buf.length;
  const at = r.int(n + 1);
  switch (r.int(8)) {
    case 0: {
      // Every byte value, in place of another.
      if (n === 0) return buf;
      const b = Buffer.from(buf);
      b[Math.min(at, n - 1)] = r.int(256);
      return b;
    }
    case 1:
      return Buffer.concat([buf.subarray(0, at), Buffer.of(r.int(256)), buf.subarray(at)]);
    case 2:
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + r.int(3))]);
    case 3:
      return buf.subarray(0, at);
    case 4:
      return Buffer.concat([buf.subarray(0, at), r.pick(TOKENS), buf.subarray(at)]);
    case 5: {
      const from = r.int(n + 1);
      const len = r.int(Math.min(20, n - from) + 1);
      return Buffer.concat([buf.subarray(0, at), buf.subarray(from, from + len), buf.subarray(at)]);
    }
    case 6: {
      if (n < 2) return buf;
      const b = Buffer.from(buf);
      const i = r.int(n);
      const j = r.int(n);
      const t = b[i]!;
      b[i] = b[j]!;
      b[j] = t;
      return b;
    }
    default: {
      // A two- or three-byte character, raw: C1, the bidi and separator ranges and their neighbours.
      const ch = r.next() < 0.5 ? Buffer.of(0xc2, 0x7f + r.int(0x42)) : Buffer.of(0xe2, 0x80 + r.int(2), 0x80 + r.int(0x40));
      return Buffer.concat([buf.subarray(0, at), ch, buf.subarray(at)]);
    }
  }
}

function expectNoDisagreement(d: Differential, atLeast: number): void {
  expect(d.failures).toEqual([]);
  expect(d.tested).toBeGreaterThanOrEqual(atLeast);
}

describe('scanFrame against JSON.parse', () => {
  it('agrees on fixed cases', () => {
    const d = new Differential('fixed');
    const cases = [
      '{"type":"NEW_SCAN","data":{"token_address":"abc"}}',
      '{"type":"X","type":"NEW_SCAN","data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","type":"X","data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"abc"},"data":{}}',
      '{"type":"NEW_SCAN","data":{},"data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"abc","token_address":1}}',
      '{"type":"NEW_SCAN","data":{"x":{"token_address":"abc"}}}',
      '{"type":"NEW_SCAN","data":[{"token_address":"abc"}]}',
      '{"type":"NEW_SCAN","data":{"token_address":"a\\u0062c"}}',
      '{"typ\\u0065":"NEW\\u005fSCAN","d\\u0061ta":{"token\\u005faddress":"abc"}}',
      '{"type":"NEW_SCAN","data":null}',
      '{"type":"NEW_SCAN"}',
      '{"x":{"type":"NEW_SCAN","data":{"token_address":"abc"}}}',
      '[{"type":"NEW_SCAN","data":{"token_address":"abc"}}]',
      '\ufeff{}', '{}', '[]', '""', '0', '-0', '1e400', '01', '1.', '.5', ' {} ', '{"a":"\u2028"}', '{"a":"\u007f"}',
      '{"a":"\\ud800"}', '{"a":"\t"}', '{"a" : [ 1 , 2 ] }', '', ' ', '{"a":1,}', '[1,]', '{,}', '{"a"}', 'nul',
      '{"__proto__":{"token_address":"x"},"type":"NEW_SCAN","data":{"__proto__":{"token_address":"y"}}}',
    ];
    for (const [i, c] of cases.entries()) d.check(Buffer.from(c), i);
    expectNoDisagreement(d, cases.length);
  });

  it('agrees on generated texts and their mutations', () => {
    const r = prng(SEED);
    const gen = new TextGenerator(r);
    const d = new Differential('generated');
    for (let i = 0; d.tested < 550_000; i++) {
      let buf = Buffer.from(gen.text());
      const mutations = r.next() < 0.5 ? 0 : 1 + r.int(3);
      for (let k = 0; k < mutations; k++) buf = mutate(r, buf);
      d.check(buf, i);
    }
    expectNoDisagreement(d, 550_000);
  });

  it("agrees on the feed generator's frames, pretty-printed and mutated", () => {
    const r = prng(SEED ^ 0x9e3779b9);
    const feed = createCallGenerator(SEED);
    const pool: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      let text = feed.next(1_764_000_000_000 + i * 1000);
      if (i % 5 === 0) text = JSON.stringify(JSON.parse(text), null, r.pick([1, 2, '\t']));
      pool.push(Buffer.from(text));
    }
    const d = new Differential('feed');
    for (let i = 0; d.tested < 150_000; i++) {
      let buf = r.pick(pool);
      const mutations = r.next() < 0.1 ? 0 : 1 + r.int(2);
      for (let k = 0; k < mutations; k++) buf = mutate(r, buf);
      d.check(buf, i);
    }
    expectNoDisagreement(d, 150_000);
  });

  it('agrees with every byte value in place of, and before, every byte of small templates', () => {
    const templates = [
      '{"type":"NEW_SCAN","data":{"token_address":"a\\u00e9\\n"}}',
      '{"type" : "NEW\\u005fSCAN" , "data" : { "token_address" : "Zz" } }',
      '[-0.5e+10,1E-2,0,true,false,null,"x",{},[]]',
      '{"data":{"token_address":"\u2028é\u0085"},"type":"NEW_SCAN","type":"NEW_SCAN"}',
    ];
    const d = new Differential('bytes');
    let index = 0;
    for (const t of templates) {
      const base = Buffer.from(t);
      for (let at = 0; at <= base.length; at++) {
        for (let v = 0; v < 256; v++) {
          if (at < base.length) {
            const b = Buffer.from(base);
            b[at] = v;
            d.check(b, index++);
          }
          d.check(Buffer.concat([base.subarray(0, at), Buffer.of(v), base.subarray(at)]), index++);
        }
        d.check(base.subarray(0, at), index++); // every truncation
      }
    }
    expectNoDisagreement(d, 40_000);
  });

  it('agrees on random bytes and on random ASCII', () => {
    const r = prng(SEED + 1);
    const d = new Differential('random');
    const alphabet = Buffer.from('{}[],:"\\ \n\t\r0123456789-+.eEtrufalsn"ux');
    for (let i = 0; d.tested < 200_000; i++) {
      const n = r.int(24);
      const b = Buffer.allocUnsafe(n);
      const bytes = r.next() < 0.5;
      for (let k = 0; k < n; k++) b[k] = bytes ? r.int(256) : alphabet[r.int(alphabet.length)]!;
      d.check(b, i);
    }
    expectNoDisagreement(d, 200_000);
  });

  it('agrees on deep nesting, whole and truncated, and gives back the grown stack', () => {
    const d = new Differential('deep');
    const r = prng(SEED + 2);
    const depths = [1000, 1023, 1024, 1025, 5000, 100_000];
    let index = 0;
    for (const depth of depths) {
      const arrays = '['.repeat(depth) + ']'.repeat(depth);
      const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const mixed = '[{"a":'.repeat(depth >> 1) + '"x"' + '}]'.repeat(depth >> 1);
      const message = `{"type":"NEW_SCAN","data":{"x":${arrays},"token_address":"abc","y":${objects}}}`;
      for (const t of [arrays, objects, mixed, message]) {
        const buf = Buffer.from(t);
        d.check(buf, index++);
        for (let k = 0; k < 4; k++) d.check(buf.subarray(0, r.int(buf.length)), index++);
        d.check(mutate(r, buf), index++);
      }
    }
    // Deeper than JSON.parse is ever given in practice; it still takes it.
    const million = 1_000_000;
    d.check(Buffer.from('['.repeat(million) + ']'.repeat(million)), index++);
    d.check(Buffer.from('['.repeat(million) + ']'.repeat(million - 1)), index++);
    expectNoDisagreement(d, depths.length * 4 * 5 + 2);
    // A small frame after the deep ones still scans.
    expect(scanFrame(Buffer.from('{"type":"NEW_SCAN","data":{"token_address":"a"}}'), out)).toBe('call');
  });
});

describe('scanFrame spans', () => {
  it('points at the last type and token_address, so a caller can slice them', () => {
    const buf = Buffer.from('{"type":"X", "type":"NEW_SCAN","data":{"token_address":"So1","token_address":"So2"}}');
    expect(scanFrame(buf, out)).toBe('call');
    expect(buf.toString('latin1', out.typeStart, out.typeEnd)).toBe('NEW_SCAN');
    expect(buf.toString('latin1', out.tokenStart, out.tokenEnd)).toBe('So2');
    expect([out.whitespace, out.unsafe, out.ascii, out.typeEscaped, out.tokenEscaped]).toEqual([true, false, true, false, false]);
  });

  it('gives no span for an escaped token_address, and says why', () => {
    expect(scanFrame(Buffer.from('{"type":"NEW_SCAN","data":{"token_address":"So\\u0031"}}'), out)).toBe('call');
    expect([out.tokenStart, out.tokenEnd, out.tokenEscaped]).toEqual([-1, -1, true]);
  });
});
