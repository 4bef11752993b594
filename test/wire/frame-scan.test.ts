import { isUtf8 } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyBytes, classifyFrame, type Call } from '../../src/wire/calls.js';
import { FIELD_COUNT, FIELD_NAMES, readField, ScanResult, scanFrame, UNREADABLE, type ScanKind } from '../../src/wire/frame-scan.js';
import { compactJson } from '../../src/wire/json-text.js';
import { createCallGenerator } from '../../src/server/generator.js';

/**
 * The scanner is checked against JSON.parse, the reference, on inputs made to hit every rule of
 * JSON and of classification: generated texts, their byte-level mutations and every byte value at
 * every position of small templates: over 10^6 inputs in all (the minimums the tests below assert
 * add up to 1,000,000). Set FRAME_SCAN_SEED to explore other inputs; a disagreement prints the seed,
 * the case number and the input.
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
/** Characters JSON.parse skips between tokens; a text without any has nothing to compact. */
const LAYOUT = /[ \t\n\r]/;

/** classifyFrame's answer for a parsed value (allTypes off). */
function kindOf(value: unknown): ScanKind {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not-object';
  const message = value as { type?: unknown; data?: unknown };
  if (message.type !== 'NEW_SCAN') return 'other-type';
  const data = message.data;
  const token = data !== null && typeof data === 'object' ? (data as { token_address?: unknown }).token_address : undefined;
  return typeof token === 'string' ? 'call' : 'no-token-address';
}
let validCount = 0;

const out = new ScanResult();

/** JSON.parse, or undefined for a text it rejects. */
function parse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

// A throw from JSON.parse costs microseconds, about half of them spent on the stack trace.
let stackTraceLimit = Error.stackTraceLimit;
beforeAll(() => {
  stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
});
afterAll(() => {
  Error.stackTraceLimit = stackTraceLimit;
});

/**
 * What the scanner got wrong about `buf`, compared with JSON.parse and slow checks; undefined if
 * nothing. `withCalls`: a call is also classified from its bytes and from its text, and the two
 * Calls must report the same fields.
 */
function disagreement(buf: Buffer, withCalls: boolean): string | undefined {
  const kind = scanFrame(buf, out);
  const text = buf.toString();
  const parsed = parse(text);
  if (parsed === undefined) {
    if (kind !== 'not-json') return `JSON.parse rejects it, the scanner says ${kind}`;
    if (out.typeStart !== -1 || out.tokenStart !== -1 || out.tokenEscaped || out.whitespace || out.unsafe || !out.ascii || out.fields.some((at) => at !== -1)) {
      return 'fields not reset after not-json';
    }
    return undefined;
  }
  const value = parsed.value;
  if (kind === 'not-json') return 'JSON.parse accepts it, the scanner says not-json';
  const expected = kindOf(value);
  // kindOf restates classifyFrame's rules on the parsed value (saving a second parse); every few
  // inputs classifyFrame itself is asked (and callDisagreement asks it of every call), so the two
  // cannot drift apart.
  if ((++validCount & 7) === 0 && !(withCalls && expected === 'call')) {
    const classified = classifyFrame(text, false);
    const own = typeof classified === 'object' ? 'call' : classified;
    if (own !== expected) return `classifyFrame says ${own}, the test's restatement ${expected}`;
  }
  if (kind !== expected) return `JSON.parse makes it ${expected}, the scanner ${kind}`;

  const layout = LAYOUT.test(text) && compactJson(text) !== text;
  if (out.whitespace !== layout) return `whitespace ${out.whitespace}`;
  if (out.unsafe !== UNSAFE.test(text)) return `unsafe ${out.unsafe}`;
  if (out.ascii !== !NON_ASCII.test(text)) return `ascii ${out.ascii}`;

  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const type = isObject ? (value as { type?: unknown }).type : undefined;
  const typeWrong = spanDisagreement(buf, type, out.typeStart, out.typeEnd, out.typeEscaped);
  if (typeWrong !== undefined) return `type: ${typeWrong}`;
  const data = isObject ? (value as { data?: unknown }).data : undefined;
  const token = data !== null && typeof data === 'object' ? (data as { token_address?: unknown }).token_address : undefined;
  const tokenWrong = spanDisagreement(buf, token, out.tokenStart, out.tokenEnd, out.tokenEscaped);
  if (tokenWrong !== undefined) return `data.token_address: ${tokenWrong}`;
  const fieldsWrong = fieldDisagreement(buf, data);
  if (fieldsWrong !== undefined) return fieldsWrong;
  if (kind === 'call' && withCalls) return callDisagreement(buf, text);
  return undefined;
}

/** How often a field that is there was read from the bytes, and how often it took the parse. */
const fieldReads = { fromBytes: 0, unreadable: 0 };

/** A member of a parsed object, when the object is one and has it as its own. */
function member(object: unknown, key: string): { value: unknown } | undefined {
  return object !== null && typeof object === 'object' && Object.hasOwn(object, key) ? { value: (object as Record<string, unknown>)[key] } : undefined;
}

/** Whether readField tells each field as JSON.parse has it in `data` (the kept data value). */
function fieldDisagreement(buf: Buffer, data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') {
    return out.fields.every((at) => at === -1) ? undefined : `fields ${out.fields.join()} for a data that is not an object`;
  }
  for (let i = 0; i < FIELD_COUNT; i++) {
    const path = FIELD_NAMES[i]!;
    const name = path.join('.');
    const key = path[path.length - 1]!;
    const holder = path.length === 1 ? data : member(data, path[0]!)?.value;
    const there = member(holder, key);
    const at = out.fields[i]!;
    const read = readField(buf, at, i);
    if (at >= 0 && buf[at - 1] !== 0x22) return `${name}: offset ${at} is not just after a quote`;
    if (read === UNREADABLE) {
      // Only a key that looks like the field's (its length, first and last bytes) or one written
      // with escapes may leave the field to the parse.
      let end = at;
      while (end < buf.length && buf[end] !== 0x22) end += buf[end] === 0x5c ? 2 : 1;
      const written = buf.toString('latin1', at, end);
      const alike = written.length === key.length && written[0] === key[0] && written[written.length - 1] === key[key.length - 1];
      if (written === key || !(alike || written.includes('\\'))) return `${name}: unreadable at ${at} (key ${printable(written)})`;
      if (there !== undefined) fieldReads.unreadable++;
      continue;
    }
    if (there === undefined) {
      if (read !== undefined || at !== -1) return `${name}: missing in the parse, the scan has ${printable(String(read))} at ${at}`;
      continue;
    }
    if (at === -1) return `${name}: no offset for a member that is there`;
    const v = there.value;
    const expected = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
    if (!Object.is(read, expected)) return `${name}: read ${printable(String(read))}, the parse has ${printable(JSON.stringify(v) ?? 'undefined')}`;
    fieldReads.fromBytes++;
  }
  return undefined;
}

/** What a Call reports, every typed field. */
function report(call: Call): unknown[] {
  const c = call.caller;
  return [call.tokenAddress, call.tokenName, call.tokenSymbol, call.timestampMs, call.timestampValue, c.id, c.name, c.platform, call.marketCap, call.price];
}
const REPORT_NAMES = ['tokenAddress', 'tokenName', 'tokenSymbol', 'timestampMs', 'timestampValue', 'caller.id', 'caller.name', 'caller.platform', 'marketCap', 'price'];

/** Whether a Call built from the bytes reports what one built from the text does. */
function callDisagreement(buf: Buffer, text: string): string | undefined {
  const fromBytes = classifyBytes(buf, 0, false);
  const fromText = classifyFrame(text, 0, false);
  if (typeof fromBytes !== 'object' || typeof fromText !== 'object' || fromBytes.kind !== 'call' || fromText.kind !== 'call') {
    return `a call, yet classifyBytes says ${typeof fromBytes === 'object' ? fromBytes.kind : fromBytes}, classifyFrame ${typeof fromText === 'object' ? fromText.kind : fromText}`;
  }
  const a = report(fromBytes);
  const b = report(fromText);
  for (let k = 0; k < a.length; k++) {
    if (!Object.is(a[k], b[k])) return `Call.${REPORT_NAMES[k]}: from the bytes ${printable(String(a[k]))}, from the text ${printable(String(b[k]))}`;
  }
  return undefined;
}

/** Whether a span and its escaped flag tell the string `value`, or tell nothing when it is none. */
function spanDisagreement(buf: Buffer, value: unknown, start: number, end: number, escaped: boolean): string | undefined {
  if (typeof value !== 'string') {
    return start !== -1 || end !== -1 || escaped ? `a span ${start}..${end} for a value that is not a string` : undefined;
  }
  if (start < 0 || end < start) return `no span for ${JSON.stringify(value)}`;
  const written = buf.toString('utf8', start, end);
  const hasEscape = written.includes('\\');
  if (escaped !== hasEscape) return `escaped is ${escaped} for ${JSON.stringify(written)}`;
  // The span must be the whole string: quotes on both sides.
  if (buf[start - 1] !== 0x22 || buf[end] !== 0x22) return `span ${start}..${end} is not between quotes`;
  const decoded: unknown = hasEscape ? JSON.parse(`"${written}"`) : written;
  return decoded === value ? undefined : `span ${start}..${end} holds ${JSON.stringify(written)}, not ${JSON.stringify(value)}`;
}

/** A JSON string literal of `text` in ASCII, so bidi controls in a failing input cannot reorder the report. */
function printable(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Runs the inputs (invalid UTF-8 is skipped: the scanner is only given checked text). */
class Differential {
  tested = 0;
  readonly failures: string[] = [];
  /** `withCalls`: see disagreement(); for the inputs shaped like messages, where the fields are. */
  constructor(
    readonly name: string,
    readonly withCalls = false,
  ) {}

  check(buf: Buffer, index: number): void {
    if (!isUtf8(buf)) return;
    this.tested++;
    const why = disagreement(buf, this.withCalls);
    if (why !== undefined && this.failures.length < 10) {
      this.failures.push(`${this.name} seed=${SEED} case=${index}: ${why}\n  input ${printable(buf.toString())}\n  bytes ${buf.toString('hex')}`);
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
  '3147711', '0.00314771', '9007199254740993', '1E5', '2e+10', '-0e-0', '0e0', '1E+0',
];
const LITERALS = ['true', 'false', 'null'];
/** Strings that num() may or may not read as numbers. */
const NUMERIC_STRINGS = [
  '"500000"', '"0.00031"', '" 12 "', '""', '" "', '"1e3"', '"0x10"', '"Infinity"', '"-0"', '"1_000"', '"12abc"', '"1e400"',
  '"\\u0031\\u0032"', '"9007199254740993"', '"\\t5\\n"', '".5"', '"5."', '"+7"', '"\u00a05"', '"1094872340978122843"',
];
/** Unix seconds, milliseconds, and the edges where seconds turn into milliseconds or out of range. */
const TIMESTAMPS = [
  '1764000000', '1764000000123', '1764000000.5', '0', '-1', '99999999999', '100000000000', '8640000000000', '8640000000001',
  '8640000000000000', '8640000000000001', '1e400', '-8640000000000000', '1.764e9', '17640000000000000000',
];
const STRING_PIECES = [
  'a', 'b', 'Z', ' ', '0', '_', '-', '/', '~', 'é', 'ß', '中', '🚀', '\u00a0', '\ufeff', '\u2027', '\u2028', '\u2029',
  '\u202a', '\u202e', '\u202f', '\u2065', '\u2066', '\u2069', '\u206a', '\u0080', '\u009f', '\u00a0', '\u007f', '\u00c2',
  '\u0100', '\u07ff', '\u0800', '\uffff', '\\n', '\\t', '\\b', '\\f', '\\r', '\\"', '\\\\', '\\/', '\\u00e9', '\\u2028',
  '\\ud800', '\\udc00', '\\uD83D\\uDE80', '\\uDE80\\uD83D', '\\u0000', '\\u001f', '\\uABCD', '\\uabcd', '\\u005f',
];
const SPACE = [' ', '\n', '\r\n', '\t', '  ', '\r', ' \n\t '];
// Pieces JSON.parse refuses, drawn rarely so that most texts stay valid up to their mutations.
const BROKEN_NUMBERS = ['01', '1.', '.5', '-', '+1', '1e', '1e+', '0x10', '-01', '00', 'Infinity', 'NaN', '1.e5', '-.5', '1ee5'];
const BROKEN_LITERALS = ['tru', 'fals', 'nul', 'True', 'nulll', 'undefined'];
const BROKEN_STRING_PIECES = ['\\u12', '\\x41', '\\U0041', '\\', '\t', '\n', '\u0001', '\u001f', '"', '\\u12G4'];
const BROKEN_SPACE = ['\f', '\v', '\u00a0', '\u2028', '\ufeff', '\u0000'];
/** Share of draws that take a broken piece. */
const BROKEN = 0.004;

class TextGenerator {
  constructor(private readonly r: Random) {}

  space(): string {
    const u = this.r.next();
    return u < 0.85 ? '' : u < 1 - BROKEN ? this.r.pick(SPACE) : this.r.pick(BROKEN_SPACE);
  }

  string(): string {
    const r = this.r;
    let s = '"';
    const n = r.next() < 0.2 ? 0 : r.int(r.next() < 0.9 ? 5 : 30);
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u < 0.6 ? String.fromCharCode(0x61 + r.int(26)) : u < 1 - BROKEN ? r.pick(STRING_PIECES) : r.pick(BROKEN_STRING_PIECES);
    }
    return s + (r.next() < 1 - BROKEN ? '"' : '');
  }

  key(): string {
    // Mostly from a fixed set: every new key costs JSON.parse a new hidden class.
    return this.r.next() < 0.95 ? `"${this.r.pick(KEYS)}"` : this.string();
  }

  value(depth: number): string {
    const r = this.r;
    const u = r.next();
    if (depth > 0 && u < 0.3) return this.object(depth - 1);
    if (depth > 0 && u < 0.4) return this.array(depth - 1);
    if (u < 0.65) return this.string();
    const broken = r.next() < BROKEN;
    if (u < 0.9) return broken ? r.pick(BROKEN_NUMBERS) : r.next() < 0.5 ? r.pick(NUMBERS) : this.number();
    return broken ? r.pick(BROKEN_LITERALS) : r.pick(LITERALS);
  }

  number(): string {
    const r = this.r;
    let s = r.next() < 0.3 ? '-' : '';
    s += r.next() < 0.3 ? '0' : String(1 + r.int(9)) + String(r.int(100000)).slice(0, r.int(6));
    if (r.next() < 0.3) s += '.' + String(r.int(1000));
    if (r.next() < 0.3) s += r.pick(['e', 'E']) + r.pick(['', '+', '-']) + String(r.int(500));
    return s;
  }

  member(key: string, value: string): string {
    return this.space() + key + this.space() + ':' + this.space() + value + this.space();
  }

  members(depth: number): string[] {
    const members: string[] = [];
    const n = this.r.int(3);
    for (let i = 0; i < n; i++) members.push(this.member(this.key(), this.value(depth)));
    return members;
  }

  /** Adds `count` members made by `make` at random places among `members`. */
  insert(members: string[], count: number, make: () => string): void {
    for (let i = 0; i < count; i++) members.splice(this.r.int(members.length + 1), 0, make());
  }

  /** A count of a special member: mostly one, sometimes none or a duplicate. */
  count(): number {
    const u = this.r.next();
    return u < 0.1 ? 0 : u < 0.85 ? 1 : u < 0.97 ? 2 : 3;
  }

  object(depth: number): string {
    const m = this.members(depth);
    return '{' + (m.length === 0 ? this.space() : m.join(',')) + '}';
  }

  /** A top-level object shaped like a message: type and data members among others, duplicated at times. */
  message(depth: number): string {
    const r = this.r;
    const members = this.members(Math.min(depth, 1));
    this.insert(members, this.count(), () =>
      this.member(r.next() < 0.9 ? '"type"' : this.key(), r.next() < 0.9 ? (r.next() < 0.5 ? '"NEW_SCAN"' : r.pick(TYPE_VALUES)) : this.value(1)),
    );
    this.insert(members, this.count(), () => this.member(r.next() < 0.9 ? '"data"' : this.key(), this.data(depth)));
    return '{' + (members.length === 0 ? this.space() : members.join(',')) + '}';
  }

  array(depth: number): string {
    const n = this.r.int(3);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(this.space() + this.value(depth) + this.space());
    return '[' + (n === 0 ? this.space() : items.join(',')) + ']';
  }

  data(depth: number): string {
    const r = this.r;
    if (r.next() < 0.1) return this.value(depth);
    const members = this.members(Math.max(0, depth - 1));
    this.insert(members, this.count(), () => {
      const key = r.next() < 0.85 ? '"token_address"' : `"${r.pick(KEYS)}"`;
      const u = r.next();
      const value = u < 0.6 ? '"So11111111111111111111111111111111111111112"' : u < 0.85 ? this.string() : this.value(1);
      return this.member(key, value);
    });
    // The fields the stages read, each missing, once or repeated, among the other members; in some
    // of the data objects, so the texts stay short enough to test a million of them.
    if (r.next() < 0.6) return '{' + (members.length === 0 ? this.space() : members.join(',')) + '}';
    this.insert(members, this.count(), () => this.member(this.fieldKey('token_symbol'), this.scalar()));
    this.insert(members, this.count(), () => this.member(this.fieldKey('token_name'), this.scalar()));
    this.insert(members, this.count(), () => this.member(this.fieldKey('timestamp'), this.timestamp()));
    this.insert(members, this.count(), () => this.member(this.fieldKey('caller'), r.next() < 0.85 ? this.fields(['id', 'name', 'platform']) : this.value(1)));
    this.insert(members, this.count(), () =>
      this.member(this.fieldKey('price_data'), r.next() < 0.85 ? this.fields(['market_cap', 'current_price']) : this.value(1)),
    );
    return '{' + (members.length === 0 ? this.space() : members.join(',')) + '}';
  }

  /** An object with the given keys (each missing, once or repeated) among others, as data.caller or data.price_data. */
  fields(keys: readonly string[]): string {
    const members = this.r.next() < 0.3 ? this.members(0) : [];
    for (const key of keys) this.insert(members, this.count(), () => this.member(this.fieldKey(key), this.scalar()));
    return '{' + (members.length === 0 ? this.space() : members.join(',')) + '}';
  }

  /** A field's key: mostly as it is, else written with an escape, a look-alike, or another key. */
  fieldKey(key: string): string {
    const r = this.r;
    const u = r.next();
    if (u < 0.82) return `"${key}"`;
    const at = r.int(key.length);
    if (u < 0.9) return `"${key.slice(0, at)}\\u00${key.charCodeAt(at).toString(16)}${key.slice(at + 1)}"`;
    // Same length, first and last bytes: the scan cannot tell it from the key without comparing.
    if (u < 0.96 && key.length > 2) return `"${key[0]}${'x'.repeat(key.length - 2)}${key[key.length - 1]}"`;
    return `"${r.pick(KEYS)}"`;
  }

  /** A value of a field read as text or as a number: every type, numeric strings, escapes. */
  scalar(): string {
    const r = this.r;
    const u = r.next();
    if (u < 0.4) return this.string();
    if (u < 0.65) return r.next() < 0.5 ? r.pick(NUMBERS) : this.number();
    if (u < 0.85) return r.pick(NUMERIC_STRINGS);
    if (u < 0.93) return r.pick(LITERALS);
    return this.value(1);
  }

  /** data.timestamp: seconds, milliseconds, fractions, strings of them, and what is not a time. */
  timestamp(): string {
    const r = this.r;
    const u = r.next();
    if (u < 0.5) return r.pick(TIMESTAMPS);
    if (u < 0.7) return `"${r.pick(TIMESTAMPS)}"`;
    return this.scalar();
  }

  /** A whole text: mostly a message-shaped object, sometimes anything. */
  text(): string {
    const r = this.r;
    const body = r.next() < 0.85 ? this.message(2) : this.value(2);
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

/**
 * How many generated inputs the random parts check: 0.3 of the full million by default, so
 * `npm test` stays within its two minutes on two cores; REXI_FUZZ_SCALE=1 (or more) for the full run.
 */
const FUZZ_SCALE = Number(process.env.REXI_FUZZ_SCALE ?? 0.3);
const fuzzed = (n: number): number => Math.max(1000, Math.round(n * FUZZ_SCALE));

function expectNoDisagreement(d: Differential, atLeast: number): void {
  // Thrown as one message so the inputs print as written, not re-escaped by a diff.
  if (d.failures.length > 0) throw new Error(`disagreements with JSON.parse:\n${d.failures.join('\n')}`);
  expect(d.tested).toBeGreaterThanOrEqual(atLeast);
}

describe('scanFrame against JSON.parse', () => {
  it('agrees on fixed cases', () => {
    const d = new Differential('fixed', true);
    const cases = [
      '{"type":"NEW_SCAN","data":{"token_address":"abc"}}',
      '{"type":"X","type":"NEW_SCAN","data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","type":"X","data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"abc"},"data":{}}',
      '{"type":"NEW_SCAN","data":{},"data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"abc","token_address":1}}',
      '{"type":"NEW_SCAN","data":{"x":{"token_address":"abc"}}}',
      '{"type":"NEW_SCAN","data":{},"x":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","data":{"a":1},"x":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"So11111111111111111111111111111111111111112"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"abc"},"data":"abc"}',
      '{"type":"NEW_SCAN","type":1,"data":{"token_address":"abc"}}',
      '{"type":"NEW_SCAN","type":{"a":"NEW_SCAN"},"data":{"token_address":"abc"}}',
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
      // The fields: duplicates at every level, the last wins, a later non-object kills what it replaces.
      '{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"A","token_symbol":"B","token_name":1,"token_name":"N"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1","name":"x"},"caller":{"platform":"telegram"}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1","name":"x"},"caller":null}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1"},"caller":[{"id":"2"}]}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":"x","caller":{"id":2,"id":3}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","price_data":{"market_cap":5},"price_data":{"current_price":"0.1"}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","price_data":{"market_cap":5,"x":{"market_cap":6}}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"S","x":{"token_symbol":"T","caller":{"id":"9"}}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"S","caller":{"id":"1"}},"data":{"token_address":"b"}}',
      '{"type":"NEW_SCAN","data":{"token_symbol":"S","caller":{"id":"1"}},"data":5,"data":{"token_address":"b","timestamp":"17"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":1},"caller":{"id":2}},"data":{"token_address":"a","caller":{}}}',
      '{"type":"NEW_SCAN","data":{"caller":{"caller":{"id":"deep"}},"token_address":"a"}}',
      // Look-alike keys (length, first and last bytes), escaped keys, escaped values.
      '{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"S","token_xxxxxl":"T"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","txxxxxxxxxxl":"T","token_symbol":"S"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1"},"cxxxxr":{"id":"2"}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1"},"c\\u0061ller":{"id":"2"}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1","\\u0069d":"2"}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","token_name":"caf\\u00e9 \\"q\\"","token_symbol":"\\ud83d\\ude80"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","price_data":{"market_cap":"1\\u0030","current_price":" 0.5 "}}}',
      // Numbers as JSON.parse reads them: beyond 2^53, exponents, -0, overflow; timestamps of each type.
      '{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":1094872340978122843,"name":-0,"platform":1e400}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","price_data":{"market_cap":1E+3,"current_price":-0.0}},"timestamp":1}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","timestamp":1764000000123}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","timestamp":"1764000000"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","timestamp":true,"token_name":false,"token_symbol":null}}',
      '{"type":"NEW_SCAN","data":{"token_address":"a","timestamp":{"s":1},"token_name":[1],"token_symbol":{}}}',
      '{ "type" : "NEW_SCAN" , "data" : { "token_address" : "a" , "caller" : { "id" : 12 , "name" : "n" } , "timestamp" : 5 } }',
    ];
    for (const [i, c] of cases.entries()) d.check(Buffer.from(c), i);
    expectNoDisagreement(d, cases.length);
  });

  // In parts, each well inside the per-test timeout on a busy machine.
  it.each([0, 1, 2])('agrees on generated texts and their mutations (part %i)', (part) => {
    const r = prng(SEED + 1000 * (part + 1));
    const gen = new TextGenerator(r);
    const d = new Differential(`generated part ${part}`, true);
    // Each text is checked as made and in mutated copies: mutating bytes costs far less than
    // generating a text.
    const before = { ...fieldReads };
    for (let i = 0; d.tested < fuzzed(140_000); ) {
      const text = Buffer.from(gen.text());
      d.check(text, i++);
      for (let copy = 0; copy < 5; copy++) {
        let buf = text;
        const mutations = r.next() < 0.7 ? 1 : 2 + r.int(2);
        for (let k = 0; k < mutations; k++) buf = mutate(r, buf);
        d.check(buf, i++);
      }
    }
    expectNoDisagreement(d, fuzzed(140_000));
    // The generated fields were mostly read from the bytes: the comparisons above are not vacuous.
    const fromBytes = fieldReads.fromBytes - before.fromBytes;
    expect(fromBytes).toBeGreaterThan(fuzzed(30_000));
    expect(fieldReads.unreadable - before.unreadable).toBeLessThan(fromBytes / 2);
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
    const d = new Differential('feed', true);
    for (let i = 0; d.tested < fuzzed(100_000); i++) {
      let buf = r.pick(pool);
      const mutations = r.next() < 0.1 ? 0 : 1 + r.int(2);
      for (let k = 0; k < mutations; k++) buf = mutate(r, buf);
      d.check(buf, i);
    }
    expectNoDisagreement(d, fuzzed(100_000));
    // The feed's own frames are read from their bytes alone: every field there, none left to the parse.
    for (const buf of pool) {
      expect(scanFrame(buf, out)).toBe('call');
      for (let f = 0; f < FIELD_COUNT; f++) {
        const v = readField(buf, out.fields[f]!, f);
        expect(v === UNREADABLE || v === undefined).toBe(false);
      }
    }
  });

  it('agrees with every byte value in place of, and before, every byte of small templates', () => {
    const templates = [
      '{"type":"NEW_SCAN","data":{"token_address":"a\\u00e9\\n"}}',
      '{"type" : "NEW\\u005fSCAN" , "data" : { "token_address" : "Zz" } }',
      '[-0.5e+10,1E-2,0,true,false,null,"x",{},[]]',
      '{"data":{"token_address":"\u2028é\u0085"},"type":"NEW_SCAN","type":"NEW_SCAN"}',
      '{"type":"NEW_SCAN","data":{"token_address":"\u202e\u2069\u00a0\u007f","n":-12.5E-3}}',
      ' [ "\\ud800\\udc00" , { "" : 1e400 } , -0 , "\\/\\b\\f\\r\\t" ] ',
      '{"data":{"caller":{"id":-1005437931682,"name":"Pump Radar"},"token_address":"7hDS"},"type":"NEW_SCAN"}',
      '{"type":"NEW_SCAN","data":{"token_address":"\\ud83d\\ude80\\u0041","x":[true,false,null]}}',
      '{"t\\u0079pe":"NEW_SCAN","data":[],"d\\u0061ta":{"token\\u005Faddress":"x"}}',
      '{"price":0.00314771,"mcap":3147711,"e":1.5E+300,"z":-0,"big":123456789012345678901}',
      '\t{\n "type" : "NEW_SCAN" ,\r\n "data" : { "token_address" : "A" }\n}\n',
      '{"type":"NEW_SCAN","data":{"token_address":"A\\"B\\\\C\\/D\\b\\f\\n\\r\\t"}}',
      '{"":"","a":{"b":{"c":{"d":[[[[]]]]}}},"type":"OTHER","data":{"token_address":"x"}}',
      '[{"type":"NEW_SCAN","data":{"token_address":"x"}},"NEW_SCAN",{"data":{}}]',
      '{"type":"NEW_SCAN","data":{"token_address":"Ñandú 柴犬 🚀 \u202e\u00a0\u2066"}}',
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
    expectNoDisagreement(d, 250_000);
  });

  it('agrees on random bytes and on random ASCII', () => {
    const r = prng(SEED + 1);
    const d = new Differential('random');
    const alphabet = Buffer.from('{}[],:"\\ \n\t\r0123456789-+.eEtrufalsn"ux');
    for (let i = 0; d.tested < fuzzed(230_000); i++) {
      const n = r.int(24);
      const b = Buffer.allocUnsafe(n);
      const bytes = r.next() < 0.5;
      for (let k = 0; k < n; k++) b[k] = bytes ? r.int(256) : alphabet[r.int(alphabet.length)]!;
      d.check(b, i);
    }
    expectNoDisagreement(d, fuzzed(230_000));
  });

  it('agrees on deep nesting, whole and truncated', () => {
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
    expectNoDisagreement(d, depths.length * 4 * 5 + 1);
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

  it('says when token_address is escaped, and its span alone decodes it', () => {
    const buf = Buffer.from('{"type":"NEW_SCAN","data":{"token_address":"So\\u0031"}}');
    expect(scanFrame(buf, out)).toBe('call');
    expect(out.tokenEscaped).toBe(true);
    expect(JSON.parse(buf.toString('utf8', out.tokenStart - 1, out.tokenEnd + 1))).toBe('So1');
  });
});

describe('scanFrame fields', () => {
  const fieldsOf = (text: string): unknown[] => {
    const buf = Buffer.from(text);
    expect(scanFrame(buf, out)).toBe('call');
    return FIELD_NAMES.map((_, i) => readField(buf, out.fields[i]!, i));
  };

  it('reads each field from the bytes, as JSON.parse has it', () => {
    const frame =
      '{"type":"NEW_SCAN","data":{"token_address":"So1","token_name":"Caf\\u00e9","token_symbol":"CAFE","timestamp":"1764000000",' +
      '"caller":{"id":1094872340978122843,"name":"Gem Hunters","platform":"telegram"},"price_data":{"current_price":4.1e-5,"market_cap":"41000"}}}';
    expect(fieldsOf(frame)).toEqual(['CAFE', 'Café', '1764000000', 1094872340978122843, 'Gem Hunters', 'telegram', '41000', 4.1e-5]);
  });

  it('reads a decimal number without its text exactly as JSON.parse does (the fraction path and its limits)', () => {
    const texts = ['0.0', '-0.0', '-0.5', '91177.48', '0.00232879', '123456789012.345', '1234567890.12345', '1234567890.123456', '0.000000000000001', '0.1234567890123456', '9007199254740.993', '1.5e3', '2.5E-3', '-12.75'];
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % k;
    };
    for (let i = 0; i < 20_000; i++) {
      const int = String(rand(10) === 0 ? 0 : rand(10 ** (1 + rand(9))));
      let frac = '';
      for (let k = 1 + rand(12); k > 0; k--) frac += String(rand(10));
      texts.push((rand(4) === 0 ? '-' : '') + int + '.' + frac);
    }
    const mcap = FIELD_NAMES.findIndex((path) => path[1] === 'market_cap');
    for (const text of texts) {
      const buf = Buffer.from(`{"type":"NEW_SCAN","data":{"token_address":"a","price_data":{"market_cap":${text}}}}`);
      expect(scanFrame(buf, out)).toBe('call');
      expect(Object.is(readField(buf, out.fields[mcap]!, mcap), JSON.parse(text))).toBe(true);
    }
  });

  it('keeps the last member of a key at every level, and a later non-object empties what it replaces', () => {
    expect(fieldsOf('{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"A","token_symbol":"B"}}')[0]).toBe('B');
    const caller = (text: string) => fieldsOf(text).slice(3, 6);
    expect(caller('{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1","name":"x"},"caller":{"platform":"p"}}}')).toEqual([undefined, undefined, 'p']);
    expect(caller('{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1"},"caller":null}}')).toEqual([undefined, undefined, undefined]);
    expect(caller('{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1","x":{"id":"2"}}}}')).toEqual(['1', undefined, undefined]);
    expect(fieldsOf('{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"A"},"data":{"token_address":"b"}}')[0]).toBe(undefined);
  });

  it('leaves a field to the parse when a key only looks like its own or is escaped', () => {
    expect(fieldsOf('{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"S","token_xxxxxl":"T"}}')[0]).toBe(UNREADABLE);
    expect(fieldsOf('{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"S","token_supply":"T"}}')[0]).toBe('S');
    expect(fieldsOf('{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"\\u0069d":"2"}}}')[3]).toBe(UNREADABLE);
    // An escaped caller is still known to be the caller: its members are read from the bytes.
    expect(fieldsOf('{"type":"NEW_SCAN","data":{"token_address":"a","caller":{"id":"1"},"c\\u0061ller":{"id":"2"}}}')[3]).toBe('2');
  });

  it('gives a Call built from the bytes the values of one built from the text, parsed or not', () => {
    const frame = '{"type":"NEW_SCAN","data":{"token_address":"a","token_symbol":"S","token_xxxxxl":"T","caller":{"id":7,"name":true},"timestamp":"17e8"}}';
    const fromBytes = classifyBytes(Buffer.from(frame), 0, false) as Call;
    const fromText = classifyFrame(frame, 0, false) as Call;
    expect(report(fromBytes)).toEqual(report(fromText));
    expect(report(fromBytes)).toEqual(['a', undefined, 'S', 17e11, '17e8', '7', 'true', undefined, undefined, undefined]);
  });
});
