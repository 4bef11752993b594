/**
 * One pass over a text frame's bytes that answers what the hot path needs without building the
 * value: is it JSON (exactly as `JSON.parse(buf.toString())` decides), how it classifies (the same
 * kinds as classifyFrame), where its top-level `type` and `data.token_address` strings are, and
 * whether its text needs compaction or escaping for ndjson. It allocates nothing per call.
 *
 * The bytes must be valid UTF-8 (the caller has checked them): outside strings any byte of 0x80 and
 * above is an error anyway, and inside strings they are taken as characters without decoding.
 */

export type ScanKind = 'call' | 'not-json' | 'not-object' | 'no-token-address' | 'other-type';

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

const OBJECT = 1;
const ARRAY = 2;
/**
 * Open containers, innermost last. JSON.parse has no depth limit of its own (it takes ten million
 * nested arrays), so neither may the scanner: the stack doubles when a frame nests deeper, and a
 * grown stack is dropped after the call so one hostile frame does not pin its memory.
 */
const STACK_SIZE = 1024;
let stack = new Uint8Array(STACK_SIZE);

/** What the value being scanned is, for classification. */
const ROLE_NONE = 0;
const ROLE_TYPE = 1; // the value of a top-level "type"
const ROLE_DATA = 2; // the value of a top-level "data"
const ROLE_TOKEN = 3; // the value of "token_address" in the top-level data object

const NEW_SCAN = 'NEW_SCAN';
const TOKEN_ADDRESS = 'token_address';
const NEW_SCAN_BYTES = new TextEncoder().encode(NEW_SCAN);
const TOKEN_ADDRESS_BYTES = new TextEncoder().encode(TOKEN_ADDRESS);

function notJson(out: ScanResult): ScanKind {
  out.typeStart = out.typeEnd = out.tokenStart = out.tokenEnd = -1;
  out.typeEscaped = out.tokenEscaped = out.whitespace = out.unsafe = false;
  out.ascii = true;
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

  let typeStart = -1;
  let typeEnd = -1;
  let typeEscaped = false;
  let isNewScan = false;
  let tokenStart = -1;
  let tokenEnd = -1;
  let tokenEscaped = false;
  let hasToken = false;

  value: for (;;) {
    if (p < n && buf[p]! <= 0x20) {
      const q = skipSpace(buf, p, n);
      if (q !== p) {
        whitespace = true;
        p = q;
      }
    }
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
          }
        } else if (depth === 2 && dataOpen) {
          if (escaped ? len > 13 && escapedEquals(buf, start, end, TOKEN_ADDRESS) : len === 13 && bytesEqual(buf, start, TOKEN_ADDRESS_BYTES)) {
            role = ROLE_TOKEN;
          }
        }
        if (p < n && buf[p]! <= 0x20) {
          const q = skipSpace(buf, p, n);
          if (q !== p) {
            whitespace = true;
            p = q;
          }
        }
        if (p >= n || buf[p] !== 0x3a) return notJson(out);
        p++;
        continue value;
      }

      if (role !== ROLE_NONE) {
        if (role === ROLE_TYPE) {
          typeStart = start;
          typeEnd = end;
          typeEscaped = escaped;
          isNewScan = escaped ? escapedEquals(buf, start, end, NEW_SCAN) : end - start === 8 && bytesEqual(buf, start, NEW_SCAN_BYTES);
        } else if (role === ROLE_TOKEN) {
          hasToken = true;
          tokenStart = start;
          tokenEnd = end;
          tokenEscaped = escaped;
        } else {
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
        } else {
          hasToken = false;
          if (role === ROLE_DATA && isObject) dataOpen = true;
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
      if (p < n && buf[p]! <= 0x20) {
        const q = skipSpace(buf, p, n);
        if (q !== p) {
          whitespace = true;
          p = q;
        }
      }
      if (p >= n) return notJson(out);
      c = buf[p]!;
      if (c !== (isObject ? 0x7d : 0x5d)) {
        expectKey = isObject;
        continue value;
      }
      // Empty: closed at once, below.
      p++;
      if (--depth === 1) dataOpen = false;
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
        } else hasToken = false;
        role = ROLE_NONE;
      }
    }

    // A value ended: a comma, a closing bracket or the end of the text follows.
    for (;;) {
      if (p < n && buf[p]! <= 0x20) {
        const q = skipSpace(buf, p, n);
        if (q !== p) {
          whitespace = true;
          p = q;
        }
      }
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
      if (--depth === 1) dataOpen = false;
      inObject = depth > 0 && st[depth - 1] === OBJECT;
    }
  }

  if (st.length > STACK_SIZE) stack = new Uint8Array(STACK_SIZE);
  out.typeStart = typeStart;
  out.typeEnd = typeEnd;
  out.typeEscaped = typeEscaped;
  out.tokenStart = hasToken ? tokenStart : -1;
  out.tokenEnd = hasToken ? tokenEnd : -1;
  out.tokenEscaped = hasToken && tokenEscaped;
  out.whitespace = whitespace;
  out.unsafe = unsafe;
  out.ascii = ascii;
  if (!topObject) return 'not-object';
  if (!isNewScan) return 'other-type';
  return hasToken ? 'call' : 'no-token-address';
}

/** The bytes at `start` are `target` (the caller has checked the length). */
function bytesEqual(buf: Buffer, start: number, target: Uint8Array): boolean {
  for (let k = 0; k < target.length; k++) if (buf[start + k] !== target[k]) return false;
  return true;
}

/** Whitespace as JSON.parse skips it: space, tab, LF and CR only. */
function skipSpace(buf: Buffer, p: number, n: number): number {
  let c = 0;
  while (p < n && ((c = buf[p]!) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) p++;
  return p;
}
