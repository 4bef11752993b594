/**
 * One pass over a text frame's bytes that answers what the hot path needs without building the
 * value: is it JSON (exactly as `JSON.parse(buf.toString())` decides), how it classifies (the same
 * kinds as classifyFrame), where its top-level `type` and `data.token_address` strings are, where
 * the values of the few other fields the stages and filters read are (see FIELD_NAMES), and whether
 * its text needs compaction or escaping for ndjson. It allocates nothing per call.
 *
 * The bytes must be valid UTF-8 (the caller has checked them): outside strings any byte of 0x80 and
 * above is an error anyway, and inside strings they are taken as characters without decoding.
 */

export type ScanKind = 'call' | 'not-json' | 'not-object' | 'no-token-address' | 'other-type';

/** Indexes into ScanResult.fields: members of `data`, of `data.caller` and of `data.price_data`. */
export const FIELD_SYMBOL = 0; // data.token_symbol
export const FIELD_NAME = 1; // data.token_name
export const FIELD_TIMESTAMP = 2; // data.timestamp
export const FIELD_CALLER_ID = 3; // data.caller.id
export const FIELD_CALLER_NAME = 4; // data.caller.name
export const FIELD_PLATFORM = 5; // data.caller.platform
export const FIELD_MARKET_CAP = 6; // data.price_data.market_cap
export const FIELD_PRICE = 7; // data.price_data.current_price
export const FIELD_COUNT = 8;
/** Each field's path, by index: what the tests check the offsets against. */
export const FIELD_NAMES: readonly (readonly string[])[] = [
  ['token_symbol'],
  ['token_name'],
  ['timestamp'],
  ['caller', 'id'],
  ['caller', 'name'],
  ['caller', 'platform'],
  ['price_data', 'market_cap'],
  ['price_data', 'current_price'],
];

/**
 * What one scan found, refilled by every call so the hot path reuses one object. Spans are byte
 * offsets of a string's content: `start` is just after the opening quote, `end` is the closing
 * quote, so `buf.subarray(start, end)` is the string's text as written (escapes included).
 * After a 'not-json' result every field holds its reset value.
 */
export class ScanResult {
  /** Span of the top-level `type` when it is a string (the last one, as JSON.parse keeps); else -1. */
  typeStart = -1;
  typeEnd = -1;
  /** The `type` string holds a backslash escape: its text is not its bytes. */
  typeEscaped = false;
  /** Span of `data.token_address` when it is a string (in the data object JSON.parse keeps); else -1. */
  tokenStart = -1;
  tokenEnd = -1;
  /**
   * The token_address string holds a backslash escape: its bytes are not the address. Decode the
   * span alone with `JSON.parse(buf.toString('utf8', tokenStart - 1, tokenEnd + 1))`.
   */
  tokenEscaped = false;
  /** Whitespace between tokens (or around the value): the text needs compaction for one line. */
  whitespace = false;
  /** A character ndjson writes as \uXXXX: DEL, C1, U+2028/2029, bidi overrides and isolates. */
  unsafe = false;
  /** Every byte is ASCII. */
  ascii = true;
  /** A top-level "received_at" member was met (a capture's annotation, which replay takes off). */
  receivedAt = false;
  /**
   * By FIELD_* index, where the field's member is: the offset of its key (just after the opening
   * quote), in the objects JSON.parse keeps: the last top-level `data` and in it the last `caller`
   * and `price_data`. -1 when the field is not there, or an object on its path is not an object.
   * The key is only known to look like the field's (its length and first byte, or its text when
   * escaped) and to be the last that does: readField compares it and reads the value.
   */
  readonly fields = new Int32Array(FIELD_COUNT).fill(-1);
}

// Byte classes of string content. Four tables, switched as the scan learns more, so the tight
// loop stops only on bytes that still matter: once the text is known not to be ASCII, continuation
// bytes and most lead bytes are plain; once it is known to be unsafe, so are DEL, C2 and E2.
const PLAIN = 0;
const QUOTE_CLASS = 1;
const ESCAPE_CLASS = 2;
const CONTROL_CLASS = 3;
const DEL_CLASS = 4;
const C2_CLASS = 5;
const E2_CLASS = 6;
const HIGH_CLASS = 7;

function stringTable(asciiSoFar: boolean, unsafe: boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 0x20; c++) t[c] = CONTROL_CLASS;
  t[0x22] = QUOTE_CLASS;
  t[0x5c] = ESCAPE_CLASS;
  if (!unsafe) t[0x7f] = DEL_CLASS;
  if (asciiSoFar) {
    t.fill(HIGH_CLASS, 0x80);
  } else if (!unsafe) {
    t[0xc2] = C2_CLASS;
    t[0xe2] = E2_CLASS;
  }
  return t;
}
/** Nothing known yet: the first non-ASCII byte stops the loop, to clear `ascii`. */
const STRING_ASCII = stringTable(true, false);
/** Not ASCII: stop on DEL and on the lead bytes of the unsafe characters. */
const STRING_UTF8 = stringTable(false, false);
/** Unsafe (by a DEL), ASCII so far. */
const STRING_ASCII_UNSAFE = stringTable(true, true);
/** Unsafe and not ASCII: stop only on the quote, a backslash or a control character. */
const STRING_UNSAFE = stringTable(false, true);

/** The characters after a backslash that JSON allows, besides `u`. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** The bytes a JSON number is made of. */
const NUMBER_BYTE = new Uint8Array(256);
for (const c of '0123456789.eE+-') NUMBER_BYTE[c.charCodeAt(0)] = 1;

const OBJECT = 1;
const ARRAY = 2;
/**
 * Open containers, innermost last. JSON.parse has no depth limit of its own (it takes ten million
 * nested arrays), so neither may the scanner: the stack doubles when a frame nests deeper, and a
 * grown stack is dropped after the call so one hostile frame does not pin its memory.
 */
const STACK_SIZE = 1024;
let stack = new Uint8Array(STACK_SIZE);

/** What the value being scanned is: the member whose key came last. */
const ROLE_NONE = 0;
const ROLE_TYPE = 1; // the value of a top-level "type"
const ROLE_TOKEN = 2; // the value of "token_address" in the top-level data object
const ROLE_DATA = 3; // the value of a top-level "data"
const ROLE_CALLER = 4; // the value of "caller" in the data object
const ROLE_PRICE_DATA = 5; // the value of "price_data" in the data object
const ROLE_FIELD = 8; // ROLE_FIELD + i: the value of field i (FIELD_*)

/** Which object the container at depth 3 is. */
const INNER_NONE = 0;
const INNER_CALLER = 1;
const INNER_PRICE_DATA = 2;

const NEW_SCAN = 'NEW_SCAN';
const TOKEN_ADDRESS = 'token_address';
const RECEIVED_AT = 'received_at';

// The keys and the type that decide a frame's kind or which object counts, compared byte by byte
// with constants: a loop over an array of the bytes costs about twice as much, in the scan's
// hottest branch. The caller has checked the length.
/** `NEW_SCAN` */
function isNewScanText(b: Buffer, s: number): boolean {
  return b[s] === 0x4e && b[s + 1] === 0x45 && b[s + 2] === 0x57 && b[s + 3] === 0x5f && b[s + 4] === 0x53 && b[s + 5] === 0x43 && b[s + 6] === 0x41 && b[s + 7] === 0x4e;
}
/** `token_address` */
function isTokenAddress(b: Buffer, s: number): boolean {
  return (
    b[s] === 0x74 && b[s + 1] === 0x6f && b[s + 2] === 0x6b && b[s + 3] === 0x65 && b[s + 4] === 0x6e && b[s + 5] === 0x5f && b[s + 6] === 0x61 &&
    b[s + 7] === 0x64 && b[s + 8] === 0x64 && b[s + 9] === 0x72 && b[s + 10] === 0x65 && b[s + 11] === 0x73 && b[s + 12] === 0x73
  );
}
/** `received_at` */
function isReceivedAt(b: Buffer, s: number): boolean {
  for (let k = 0; k < 11; k++) if (b[s + k] !== RECEIVED_AT_BYTES[k]) return false;
  return true;
}
const RECEIVED_AT_BYTES = Buffer.from('received_at');
/** `caller` */
function isCaller(b: Buffer, s: number): boolean {
  return b[s] === 0x63 && b[s + 1] === 0x61 && b[s + 2] === 0x6c && b[s + 3] === 0x6c && b[s + 4] === 0x65 && b[s + 5] === 0x72;
}
/** `price_data` */
function isPriceData(b: Buffer, s: number): boolean {
  return (
    b[s] === 0x70 && b[s + 1] === 0x72 && b[s + 2] === 0x69 && b[s + 3] === 0x63 && b[s + 4] === 0x65 && b[s + 5] === 0x5f && b[s + 6] === 0x64 &&
    b[s + 7] === 0x61 && b[s + 8] === 0x74 && b[s + 9] === 0x61
  );
}

/**
 * Keys are told apart by their length and their first and last bytes alone, a table look-up:
 * comparing every byte of every key of `data` would cost the scan a quarter of its time. For
 * token_address, caller and price_data (which decide the kind or which object counts) a candidate
 * is then compared in full; a field's key is compared only when a reader asks for its value
 * (readField), so a key that merely looks like one (`token_supply` after `token_symbol`) makes
 * that field unreadable from the bytes, never wrong. The level is that of the object the key is in:
 * LEVEL_DATA, or the INNER_* of the object at depth 3.
 */
const LEVEL_DATA = 0;
/** By `level << 12 | length << 8 | first byte`: the role of a key shorter than 16 bytes. */
const KEY_ROLES = new Uint8Array(3 << 12);
/** By role: the last byte of its key. */
const KEY_LAST = new Uint8Array(ROLE_FIELD + FIELD_COUNT);
/** The key of each field in its object, by FIELD_* index. */
const FIELD_KEYS = FIELD_NAMES.map((path) => new TextEncoder().encode(path[path.length - 1]));
function keyRole(level: number, key: string, role: number): void {
  const index = (level << 12) | (key.length << 8) | key.charCodeAt(0);
  if (KEY_ROLES[index] !== ROLE_NONE) throw new Error(`two keys share a length and a first byte: ${key}`);
  KEY_ROLES[index] = role;
  KEY_LAST[role] = key.charCodeAt(key.length - 1);
}
keyRole(LEVEL_DATA, TOKEN_ADDRESS, ROLE_TOKEN);
keyRole(LEVEL_DATA, 'caller', ROLE_CALLER);
keyRole(LEVEL_DATA, 'price_data', ROLE_PRICE_DATA);
for (let i = 0; i < FIELD_COUNT; i++) {
  const path = FIELD_NAMES[i]!;
  keyRole(path.length === 1 ? LEVEL_DATA : path[0] === 'caller' ? INNER_CALLER : INNER_PRICE_DATA, path[path.length - 1]!, ROLE_FIELD + i);
}

/** The role of a key written with escapes: its decoded text compared in full, a rare path. */
function escapedKeyRole(buf: Buffer, start: number, end: number, level: number): number {
  if (level === LEVEL_DATA) {
    if (escapedEquals(buf, start, end, TOKEN_ADDRESS)) return ROLE_TOKEN;
    if (escapedEquals(buf, start, end, 'caller')) return ROLE_CALLER;
    if (escapedEquals(buf, start, end, 'price_data')) return ROLE_PRICE_DATA;
  }
  const parent = level === LEVEL_DATA ? undefined : level === INNER_CALLER ? 'caller' : 'price_data';
  for (let i = 0; i < FIELD_COUNT; i++) {
    const path = FIELD_NAMES[i]!;
    if ((path.length === 1 ? undefined : path[0]) === parent && escapedEquals(buf, start, end, path[path.length - 1]!)) return ROLE_FIELD + i;
  }
  return ROLE_NONE;
}

function notJson(out: ScanResult): ScanKind {
  out.typeStart = out.typeEnd = out.tokenStart = out.tokenEnd = -1;
  out.typeEscaped = out.tokenEscaped = out.whitespace = out.unsafe = false;
  out.ascii = true;
  out.receivedAt = false;
  out.fields.fill(-1);
  if (stack.length > STACK_SIZE) stack = new Uint8Array(STACK_SIZE);
  return 'not-json';
}

/** A valid string's content (start..end, holding escapes) equals the ASCII `target`. */
function escapedEquals(buf: Buffer, start: number, end: number, target: string): boolean {
  let k = 0;
  for (let p = start; p < end; k++) {
    if (k >= target.length) return false;
    let c = buf[p]!;
    if (c === 0x5c) {
      const e = buf[p + 1]!;
      if (e === 0x75) {
        c = (hexValue(buf[p + 2]!) << 12) | (hexValue(buf[p + 3]!) << 8) | (hexValue(buf[p + 4]!) << 4) | hexValue(buf[p + 5]!);
        p += 6;
      } else {
        c = e === 0x62 ? 8 : e === 0x66 ? 12 : e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e;
        p += 2;
      }
    } else {
      p++; // a non-ASCII byte never equals an ASCII target, whatever character it starts
    }
    if (c !== target.charCodeAt(k)) return false;
  }
  return k === target.length;
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/**
 * The role of a member of the data object (level LEVEL_DATA) or of data.caller or data.price_data
 * (their INNER_*), by its key at start..end. A field's member is recorded in `fields` at once (its
 * value follows its key): ROLE_NONE is returned for it.
 */
function memberRole(buf: Buffer, start: number, end: number, escaped: boolean, level: number, fields: Int32Array): number {
  const len = end - start;
  let role = ROLE_NONE;
  if (escaped) role = escapedKeyRole(buf, start, end, level);
  else if (len < 16) {
    role = KEY_ROLES[(level << 12) | (len << 8) | buf[start]!]!;
    if (buf[end - 1] !== KEY_LAST[role]) return ROLE_NONE;
  }
  if (role >= ROLE_FIELD) {
    fields[role - ROLE_FIELD] = start;
    return ROLE_NONE;
  }
  if (role === ROLE_NONE) return role;
  if (!escaped && !(role === ROLE_TOKEN ? isTokenAddress(buf, start) : role === ROLE_CALLER ? isCaller(buf, start) : isPriceData(buf, start))) {
    return ROLE_NONE;
  }
  // A later caller or price_data replaces the earlier one, whatever it is.
  if (role === ROLE_CALLER) fields[FIELD_CALLER_ID] = fields[FIELD_CALLER_NAME] = fields[FIELD_PLATFORM] = -1;
  else if (role === ROLE_PRICE_DATA) fields[FIELD_MARKET_CAP] = fields[FIELD_PRICE] = -1;
  return role;
}

/**
 * Scans one frame. Returns its kind; `out` gets the spans and flags (see ScanResult). The kinds
 * match classifyFrame with allTypes off: 'call' for a NEW_SCAN whose data.token_address is a
 * string, and for duplicated keys the last one counts, as in JSON.parse.
 */
export function scanFrame(buf: Buffer, out: ScanResult): ScanKind {
  const n = buf.length;
  const n3 = n - 3;
  let p = 0;
  let c = 0;
  let table = STRING_ASCII;
  let ascii = true;
  let unsafe = false;
  let whitespace = false;

  let st = stack;
  let depth = 0;
  let inObject = false; // the innermost open container is an object
  let expectKey = false; // the next string is a member's key
  let role = ROLE_NONE;
  let topObject = false;
  let dataOpen = false; // the container at depth 2 is the top-level data object
  let inner = INNER_NONE; // what the container at depth 3 is, when dataOpen
  let dataSeen = false; // a top-level data member was met: its value reset the fields
  let receivedAt = false; // a top-level received_at member was met
  const fields = out.fields;

  let typeStart = -1;
  let typeEnd = -1;
  let typeEscaped = false;
  let isNewScan = false;
  let tokenStart = -1;
  let tokenEnd = -1;
  let tokenEscaped = false;
  let hasToken = false;

  value: for (;;) {
    if (p < n && buf[p]! <= 0x20) { const q = skipSpace(buf, p, n); whitespace ||= q !== p; p = q; }
    if (p >= n) return notJson(out);
    c = buf[p]!;

    if (c === 0x22) {
      // A string: a key or a value.
      const start = ++p;
      let escaped = false;
      for (;;) {
        let t = 0;
        // Four bytes a step while the string runs on: fewer branches for the long ones.
        while (p < n3 && (table[buf[p]!]! | table[buf[p + 1]!]! | table[buf[p + 2]!]! | table[buf[p + 3]!]!) === PLAIN) p += 4;
        while (p < n && (t = table[buf[p]!]!) === PLAIN) p++;
        if (p >= n) return notJson(out);
        if (t === QUOTE_CLASS) break;
        if (t === ESCAPE_CLASS) {
          escaped = true;
          if (p + 1 >= n) return notJson(out);
          const e = buf[p + 1]!;
          if (SIMPLE_ESCAPE[e] === 1) p += 2;
          else if (e === 0x75) {
            if (p + 5 >= n || HEX[buf[p + 2]!]! + HEX[buf[p + 3]!]! + HEX[buf[p + 4]!]! + HEX[buf[p + 5]!]! !== 4) {
              return notJson(out);
            }
            p += 6;
          } else return notJson(out);
        } else if (t === CONTROL_CLASS) {
          return notJson(out);
        } else if (t === HIGH_CLASS) {
          ascii = false;
          table = unsafe ? STRING_UNSAFE : STRING_UTF8;
          // Not consumed: read again with the new table, it may start an unsafe character.
        } else {
          if (t === DEL_CLASS) {
            unsafe = true;
          } else if (t === C2_CLASS) {
            // U+0080..U+009F are C2 80..C2 9F.
            const b1 = p + 1 < n ? buf[p + 1]! : 0;
            if (b1 >= 0x80 && b1 <= 0x9f) unsafe = true;
          } else {
            // U+2028..U+202E are E2 80 A8..AE; U+2066..U+2069 are E2 81 A6..A9.
            const b1 = p + 1 < n ? buf[p + 1]! : 0;
            const b2 = p + 2 < n ? buf[p + 2]! : 0;
            if ((b1 === 0x80 && b2 >= 0xa8 && b2 <= 0xae) || (b1 === 0x81 && b2 >= 0xa6 && b2 <= 0xa9)) unsafe = true;
          }
          p++;
          if (unsafe) table = ascii ? STRING_ASCII_UNSAFE : STRING_UNSAFE;
        }
      }
      const end = p++;

      if (expectKey) {
        expectKey = false;
        role = ROLE_NONE;
        const len = end - start;
        if (depth === 1) {
          if (len === 4) {
            const b0 = buf[start]!;
            if (b0 === 0x74 && buf[start + 1] === 0x79 && buf[start + 2] === 0x70 && buf[start + 3] === 0x65) role = ROLE_TYPE;
            else if (b0 === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61) role = ROLE_DATA;
          } else if (escaped && len > 4) {
            if (escapedEquals(buf, start, end, 'type')) role = ROLE_TYPE;
            else if (escapedEquals(buf, start, end, 'data')) role = ROLE_DATA;
            else if (escapedEquals(buf, start, end, RECEIVED_AT)) receivedAt = true;
          } else if (len === 11 && isReceivedAt(buf, start)) {
            receivedAt = true;
          }
          if (role === ROLE_DATA) {
            // A later data replaces the earlier one, whatever it is.
            dataSeen = true;
            for (let i = 0; i < FIELD_COUNT; i++) fields[i] = -1;
          }
        } else if (depth === 2 ? dataOpen : depth === 3 && inner !== INNER_NONE) {
          role = memberRole(buf, start, end, escaped, depth === 2 ? LEVEL_DATA : inner, fields);
        }
        if (p < n && buf[p]! <= 0x20) { const q = skipSpace(buf, p, n); whitespace ||= q !== p; p = q; }
        if (p >= n || buf[p] !== 0x3a) return notJson(out);
        p++;
        continue value;
      }

      if (role !== ROLE_NONE) {
        if (role === ROLE_TYPE) {
          typeStart = start;
          typeEnd = end;
          typeEscaped = escaped;
          isNewScan = escaped ? escapedEquals(buf, start, end, NEW_SCAN) : end - start === 8 && isNewScanText(buf, start);
        } else if (role === ROLE_TOKEN) {
          hasToken = true;
          tokenStart = start;
          tokenEnd = end;
          tokenEscaped = escaped;
        } else if (role === ROLE_DATA) {
          hasToken = false;
        }
        role = ROLE_NONE;
      }
    } else if (expectKey) {
      return notJson(out);
    } else if (c === 0x7b || c === 0x5b) {
      // An object or an array opens.
      const isObject = c === 0x7b;
      if (depth === 0) topObject = isObject;
      if (role !== ROLE_NONE) {
        if (role === ROLE_TYPE) {
          typeStart = typeEnd = -1;
          typeEscaped = isNewScan = false;
        } else if (role <= ROLE_DATA) {
          hasToken = false;
          if (role === ROLE_DATA && isObject) dataOpen = true;
        } else if (isObject) {
          inner = role === ROLE_CALLER ? INNER_CALLER : INNER_PRICE_DATA;
        }
        role = ROLE_NONE;
      }
      if (depth === st.length) {
        const grown = new Uint8Array(st.length * 2);
        grown.set(st);
        stack = st = grown;
      }
      st[depth++] = isObject ? OBJECT : ARRAY;
      inObject = isObject;
      p++;
      if (p < n && buf[p]! <= 0x20) { const q = skipSpace(buf, p, n); whitespace ||= q !== p; p = q; }
      if (p >= n) return notJson(out);
      c = buf[p]!;
      if (c !== (isObject ? 0x7d : 0x5d)) {
        expectKey = isObject;
        continue value;
      }
      // Empty: closed at once, below.
      p++;
      if (--depth < 3) {
        inner = INNER_NONE;
        if (depth === 1) dataOpen = false;
      }
      inObject = depth > 0 && st[depth - 1] === OBJECT;
    } else {
      // A number or a literal.
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        if (c === 0x2d) {
          if (++p >= n) return notJson(out);
          c = buf[p]!;
        }
        if (c === 0x30) p++;
        else if (c >= 0x31 && c <= 0x39) {
          p++;
          while (p < n && (c = buf[p]!) >= 0x30 && c <= 0x39) p++;
        } else return notJson(out);
        if (p < n && buf[p] === 0x2e) {
          if (++p >= n || (c = buf[p]!) < 0x30 || c > 0x39) return notJson(out);
          p++;
          while (p < n && (c = buf[p]!) >= 0x30 && c <= 0x39) p++;
        }
        if (p < n && (buf[p]! | 0x20) === 0x65) {
          if (++p >= n) return notJson(out);
          c = buf[p]!;
          if (c === 0x2b || c === 0x2d) {
            if (++p >= n) return notJson(out);
            c = buf[p]!;
          }
          if (c < 0x30 || c > 0x39) return notJson(out);
          p++;
          while (p < n && (c = buf[p]!) >= 0x30 && c <= 0x39) p++;
        }
      } else if (c === 0x74) {
        if (p + 3 >= n || buf[p + 1] !== 0x72 || buf[p + 2] !== 0x75 || buf[p + 3] !== 0x65) return notJson(out);
        p += 4;
      } else if (c === 0x66) {
        if (p + 4 >= n || buf[p + 1] !== 0x61 || buf[p + 2] !== 0x6c || buf[p + 3] !== 0x73 || buf[p + 4] !== 0x65) return notJson(out);
        p += 5;
      } else if (c === 0x6e) {
        if (p + 3 >= n || buf[p + 1] !== 0x75 || buf[p + 2] !== 0x6c || buf[p + 3] !== 0x6c) return notJson(out);
        p += 4;
      } else return notJson(out);
      if (role !== ROLE_NONE) {
        if (role === ROLE_TYPE) {
          typeStart = typeEnd = -1;
          typeEscaped = isNewScan = false;
        } else if (role <= ROLE_DATA) hasToken = false;
        role = ROLE_NONE;
      }
    }

    // A value ended: a comma, a closing bracket or the end of the text follows.
    for (;;) {
      if (p < n && buf[p]! <= 0x20) { const q = skipSpace(buf, p, n); whitespace ||= q !== p; p = q; }
      if (depth === 0) {
        if (p !== n) return notJson(out);
        break value;
      }
      if (p >= n) return notJson(out);
      c = buf[p++]!;
      if (c === 0x2c) {
        expectKey = inObject;
        continue value;
      }
      if (c !== (inObject ? 0x7d : 0x5d)) return notJson(out);
      if (--depth < 3) {
        inner = INNER_NONE;
        if (depth === 1) dataOpen = false;
      }
      inObject = depth > 0 && st[depth - 1] === OBJECT;
    }
  }

  if (st.length > STACK_SIZE) stack = new Uint8Array(STACK_SIZE);
  if (!dataSeen) fields.fill(-1);
  out.typeStart = typeStart;
  out.typeEnd = typeEnd;
  out.typeEscaped = typeEscaped;
  out.tokenStart = hasToken ? tokenStart : -1;
  out.tokenEnd = hasToken ? tokenEnd : -1;
  out.tokenEscaped = hasToken && tokenEscaped;
  out.whitespace = whitespace;
  out.unsafe = unsafe;
  out.ascii = ascii;
  out.receivedAt = receivedAt;
  if (!topObject) return 'not-object';
  if (!isNewScan) return 'other-type';
  return hasToken ? 'call' : 'no-token-address';
}

/** Whitespace as JSON.parse skips it: space, tab, LF and CR only. */
function skipSpace(buf: Buffer, p: number, n: number): number {
  let c = 0;
  while (p < n && ((c = buf[p]!) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) p++;
  return p;
}

/** readField's answer when the bytes do not tell a field's value: parse the frame instead. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/**
 * Field `field` of a scanned frame, from `at` = its ScanResult.fields entry, as JSON.parse makes
 * it when it is a string, a number or a boolean; undefined when the field is missing or null, an
 * object or an array. UNREADABLE when the key there is not exactly the field's (it only looked
 * like it, or it is written with escapes): the last member of that name cannot be told without
 * a parse.
 */
export function readField(buf: Buffer, at: number, field: number): string | number | boolean | undefined | typeof UNREADABLE {
  if (at < 0) return undefined;
  const p = valueStart(buf, at, field);
  return p < 0 ? UNREADABLE : valueAt(buf, p);
}

/**
 * Where the value of the field whose key starts at `at` (>= 0) begins; -1 when the key there is
 * not exactly the field's (see readField).
 */
function valueStart(buf: Buffer, at: number, field: number): number {
  if (at < 0) return -1;
  const key = FIELD_KEYS[field]!;
  const n = key.length;
  // The key's own bytes, then its closing quote: no backslash among them, so that quote ends it.
  if (buf[at + n] !== 0x22) return -1;
  for (let k = 0; k < n; k++) if (buf[at + k] !== key[k]) return -1;
  // The scan checked what follows: layout, the colon, layout, the value.
  const p = skipSpace(buf, at + n + 1, buf.length) + 1;
  return skipSpace(buf, p, buf.length);
}

/** What fieldSpan() found. */
export const SPAN_ABSENT = 0; // missing, null, an object or an array: no text
export const SPAN_PLAIN = 1; // a string without escapes: its bytes are in span.start..span.end
export const SPAN_OTHER = 2; // anything else (an escaped string, a number, a boolean): read the field

/** Where a span of bytes starts and ends: one object, reused. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Where the string value of a field is in the bytes, without decoding it: the identity of a call
 * is hashed from these bytes. `at` is as for readField.
 */
export function fieldSpan(buf: Buffer, at: number, field: number, span: Span): number {
  if (at < 0) return SPAN_ABSENT;
  let p = valueStart(buf, at, field);
  if (p < 0) return SPAN_OTHER;
  const c = buf[p]!;
  if (c === 0x6e || c === 0x7b || c === 0x5b) return SPAN_ABSENT; // null, {, [
  if (c !== 0x22) return SPAN_OTHER;
  const start = p + 1;
  for (p = start; buf[p] !== 0x22; p++) if (buf[p] === 0x5c) return SPAN_OTHER;
  span.start = start;
  span.end = p;
  return SPAN_PLAIN;
}

/**
/**
 * Where the value of a field is in the bytes when it is a JSON number: true, with the number
 * literal's span; false for anything else (then read the field). The literal is what JSON.parse
 * reads the number from, so its bytes key whatever is made of the number. `at` is as for readField.
 */
export function numberSpan(buf: Buffer, at: number, field: number, span: Span): boolean {
  const p = valueStart(buf, at, field);
  if (p < 0) return false;
  const c = buf[p]!;
  if (c !== 0x2d && (c < 0x30 || c > 0x39)) return false;
  let end = p + 1;
  while (end < buf.length && NUMBER_BYTE[buf[end]!] === 1) end++;
  span.start = p;
  span.end = end;
  return true;
}

/**
 * Where the digits of a field's value are when it is a whole number written plainly: digits only,
 * no sign, fraction or exponent (JSON allows no leading zero). False otherwise, the span untouched.
 * A call's timestamp in milliseconds is hashed from these digits. `at` is as for readField.
 */
export function integerSpan(buf: Buffer, at: number, field: number, span: Span): boolean {
  const start = valueStart(buf, at, field);
  if (start < 0) return false;
  let p = start;
  let c = 0;
  while (p < buf.length && (c = buf[p]!) >= 0x30 && c <= 0x39) p++;
  if (p === start || (p < buf.length && NUMBER_BYTE[c] === 1)) return false;
  span.start = start;
  span.end = p;
  return true;
}

/** 10^0 to 10^15, each exact. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** The scalar value starting at `at` (in a text the scan accepted); undefined for null, objects, arrays. */
function valueAt(buf: Buffer, at: number): string | number | boolean | undefined {
  const c = buf[at]!;
  if (c === 0x22) {
    // The string ends at the first quote not escaped.
    let p = at + 1;
    let escaped = false;
    for (let b = buf[p]!; b !== 0x22; b = buf[p]!) {
      if (b === 0x5c) {
        escaped = true;
        p += 2;
      } else p++;
    }
    return escaped ? (JSON.parse(buf.toString('utf8', at, p + 1)) as string) : buf.toString('utf8', at + 1, p);
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    const n = buf.length;
    let p = c === 0x2d ? at + 1 : at;
    const digits = p;
    let v = 0;
    for (let d = 0; p < n && (d = buf[p]! - 0x30) >= 0 && d <= 9; p++) v = v * 10 + d;
    // An integer of up to 15 digits is below 2^53: summed exactly, it is the number JSON.parse makes
    // (-0 included), without building its text.
    if (p - digits <= 15 && (p >= n || NUMBER_BYTE[buf[p]!] !== 1)) return c === 0x2d ? -v : v;
    if (buf[p] === 0x2e) {
      // A fraction, no exponent, 15 digits in all: its digits as an integer (exact, below 2^53)
      // divided by a power of ten (exact up to 1e22) is one correctly rounded division, so the
      // double nearest the decimal: what JSON.parse makes (a market cap of 91177.48, no string).
      const point = p++;
      for (let d = 0; p < n && (d = buf[p]! - 0x30) >= 0 && d <= 9; p++) v = v * 10 + d;
      const scale = p - point - 1;
      if (p - digits - 1 <= 15 && (p >= n || NUMBER_BYTE[buf[p]!] !== 1)) return c === 0x2d ? -v / POWERS_OF_TEN[scale]! : v / POWERS_OF_TEN[scale]!;
    }
    while (p < n && NUMBER_BYTE[buf[p]!] === 1) p++;
    // For a JSON number literal, Number() rounds exactly as JSON.parse does (beyond 2^53 too).
    return Number(buf.toString('latin1', at, p));
  }
  if (c === 0x74) return true;
  if (c === 0x66) return false;
  return undefined;
}
