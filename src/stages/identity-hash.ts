import { FIELD_CALLER_ID, FIELD_CALLER_NAME, FIELD_PLATFORM, FIELD_TIMESTAMP, fieldSpan, integerSpan, SPAN_ABSENT, SPAN_PLAIN, type Span } from '../wire/frame-scan.js';
import type { Call } from '../wire/calls.js';
import { KEY, lengthDigits, putBytes, putLength, putLowerAscii, type Hasher } from './hash64.js';
import { callerKey, callKey, isKnownCaller, tokenCallerKey, type DedupeKind } from './identity.js';

/**
 * The 64-bit hash of a call's identity (identity.ts) without building it: the hash is always that
 * of the identity string's UTF-8, so a key hashed here, one hashed from its string (a call already
 * parsed, a field with escapes, a numeric id) and one converted from a version 1 state file agree.
 *
 * While the frame is unparsed, the token, the caller's platform and id or name, and the
 * timestamp's digits are found from the places the scan recorded and copied from the frame into
 * the key scratch (hash64.ts KEY; platform and name lower-cased on the way), the lengths that
 * prefix them being those spans' lengths: no string per call. A span whose length or lower-casing
 * counts must be ASCII (checked only in a frame that is not all ASCII: a name with an emoji does
 * not send a call with an ASCII id to the string path); a token alone is its bytes. Anything else
 * (an escape, a number where a string was, a timestamp not a whole number) takes the string path.
 */

const span: Span = { start: 0, end: 0 };
const platformSpan: Span = { start: 0, end: 0 };
const whoSpan: Span = { start: 0, end: 0 };

/** Hashes the identity of `kind` for `call`: `h.hi` and `h.lo` are then its hash. */
export type IdentityHash = (call: Call, h: Hasher) => void;

export function identityHash(kind: DedupeKind): IdentityHash {
  switch (kind) {
    case 'token':
      return tokenHash;
    case 'caller':
      return (call, h) => {
        if (!hashTokenCallerBytes(call, h, false)) hashText(h, tokenCallerKey(call));
      };
    case 'call':
      return (call, h) => {
        if (!hashTokenCallerBytes(call, h, true)) hashText(h, callKey(call));
      };
  }
}

function hashText(h: Hasher, key: string): void {
  h.reset().string(key);
  h.finish();
}

/** The hash of tokenKey() (into h.hi and h.lo): hashed where it lies in the frame, not copied first. */
export function tokenHash(call: Call, h: Hasher): void {
  const frame = call.scannedBytes;
  if (frame !== undefined && call.tokenSpan(span)) h.span(frame, span.start, span.end);
  else hashText(h, call.tokenAddress);
}

/**
 * Hashes callerKey() (multi-call's distinct callers); false, hashing nothing, for the unknown
 * caller (neither id nor name), which never counts.
 */
export function hashCaller(call: Call, h: Hasher): boolean {
  const frame = call.scannedBytes;
  const by = frame === undefined ? CANNOT : callerSpans(call, frame);
  if (by === CANNOT) {
    if (!isKnownCaller(call.caller)) return false;
    hashText(h, callerKey(call.caller));
    return true;
  }
  if (by === UNKNOWN) return false;
  h.finishKey(putCaller(0, frame!, by));
  return true;
}

const BY_ID = 0x69; // i
const BY_NAME = 0x6e; // n
const UNKNOWN = 0x3f; // ?
/** callerSpans(): the bytes do not tell the caller (read the fields instead). */
const CANNOT = 0;
const COLON = 0x3a;
const ZERO = 0x30;
/** A platform or a name longer than this takes the string path: KEY holds the whole key. */
const MAX_PART = 256;

/**
 * Finds the caller's spans: platform (platformSpan, empty when absent) and id or name (whoSpan).
 * Returns how callerKey() names the caller (BY_ID, BY_NAME or UNKNOWN), or CANNOT when a field
 * is not a plain string, not ASCII, or too long for KEY.
 */
function callerSpans(call: Call, frame: Buffer): number {
  const p = fieldSpan(frame, call.platformAt, FIELD_PLATFORM, platformSpan);
  if (p === SPAN_ABSENT) platformSpan.start = platformSpan.end = 0;
  else if (p !== SPAN_PLAIN) return CANNOT;
  let by = UNKNOWN;
  const id = fieldSpan(frame, call.callerIdAt, FIELD_CALLER_ID, whoSpan);
  if (id === SPAN_PLAIN && whoSpan.end > whoSpan.start) by = BY_ID;
  else if (id !== SPAN_ABSENT && id !== SPAN_PLAIN) return CANNOT;
  else {
    const name = fieldSpan(frame, call.callerNameAt, FIELD_CALLER_NAME, whoSpan);
    if (name === SPAN_PLAIN && whoSpan.end > whoSpan.start) by = BY_NAME;
    else if (name !== SPAN_ABSENT && name !== SPAN_PLAIN) return CANNOT;
  }
  if (by === UNKNOWN) whoSpan.start = whoSpan.end = 0;
  if (platformSpan.end - platformSpan.start > MAX_PART || whoSpan.end - whoSpan.start > MAX_PART) return CANNOT;
  if (call.ascii || (isAscii(frame, platformSpan.start, platformSpan.end) && isAscii(frame, whoSpan.start, whoSpan.end))) return by;
  return CANNOT;
}

function isAscii(frame: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (frame[i]! >= 0x80) return false;
  return true;
}

/** The length of callerKey() from the spans callerSpans() found. */
function callerKeyLength(): number {
  const platformLength = platformSpan.end - platformSpan.start;
  return lengthDigits(platformLength) + platformLength + whoSpan.end - whoSpan.start + 2;
}

/** Writes callerKey() from the spans callerSpans() found into KEY at `n`; the next offset. */
function putCaller(n: number, frame: Buffer, by: number): number {
  n = putLength(n, platformSpan.end - platformSpan.start);
  KEY[n++] = COLON;
  n = putLowerAscii(n, frame, platformSpan.start, platformSpan.end);
  KEY[n++] = by;
  if (by === BY_ID) return putBytes(n, frame, whoSpan.start, whoSpan.end);
  return putLowerAscii(n, frame, whoSpan.start, whoSpan.end);
}

/**
 * tokenCallerKey() or, with `withTimestamp`, callKey(), from the spans; false when it cannot
 * (then hash the string). A timestamp is read from the bytes when it is absent or a whole number
 * of up to 15 digits, the usual case: up to 11 digits it is below 1e11, seconds, and its
 * milliseconds are its digits and three zeros (0 stays 0); from 12 it is milliseconds already.
 */
function hashTokenCallerBytes(call: Call, h: Hasher, withTimestamp: boolean): boolean {
  const frame = call.scannedBytes;
  if (frame === undefined || !call.tokenSpan(span)) return false;
  const tokenStart = span.start;
  const tokenEnd = span.end;
  if (tokenEnd - tokenStart > MAX_PART || !(call.ascii || isAscii(frame, tokenStart, tokenEnd))) return false;
  const by = callerSpans(call, frame);
  if (by === CANNOT) return false;
  let timeStart = 0;
  let timeEnd = 0;
  if (withTimestamp && call.timestampAt >= 0) {
    if (!integerSpan(frame, call.timestampAt, FIELD_TIMESTAMP, span) || span.end - span.start > 15) return false;
    timeStart = span.start;
    timeEnd = span.end;
  }
  // Three parts of at most MAX_PART bytes, two length prefixes, a timestamp: within KEY_MAX.
  let n = putLength(0, tokenEnd - tokenStart);
  KEY[n++] = COLON;
  n = putBytes(n, frame, tokenStart, tokenEnd);
  if (withTimestamp) {
    n = putLength(n, callerKeyLength());
    KEY[n++] = COLON;
  }
  n = putCaller(n, frame, by);
  if (timeEnd > timeStart) {
    n = putBytes(n, frame, timeStart, timeEnd);
    if (timeEnd - timeStart <= 11 && !(timeEnd - timeStart === 1 && frame[timeStart] === ZERO)) {
      KEY[n++] = ZERO;
      KEY[n++] = ZERO;
      KEY[n++] = ZERO;
    }
  }
  h.finishKey(n);
  return true;
}
