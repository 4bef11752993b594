import { FIELD_CALLER_ID, FIELD_CALLER_NAME, FIELD_PLATFORM, SPAN_ABSENT, SPAN_PLAIN, type Span } from '../wire/frame-scan.js';
import type { Call } from '../wire/calls.js';
import type { Hasher } from './hash64.js';
import { callerKey, callKey, isKnownCaller, tokenCallerKey, type DedupeKind } from './identity.js';

/**
 * The 64-bit hash of a call's identity (identity.ts) without building it: the hash is always that
 * of the identity string's UTF-8, so a key hashed here, one hashed from its string (a call already
 * parsed, a field with escapes, a numeric id) and one converted from a version 1 state file agree.
 *
 * While the frame is unparsed, the token, the caller's platform, id and name are fed to the hasher
 * straight from their spans in the frame (platform and name lower-cased on the way), and the
 * lengths that prefix them are those spans' lengths: no string per call. A span whose length or
 * lower-casing counts must be ASCII (checked only in a frame that is not all ASCII: a name with an
 * emoji does not send a call with an ASCII id to the string path); a token alone is its bytes.
 */

const span: Span = { start: 0, end: 0 };
const platformSpan: Span = { start: 0, end: 0 };
const whoSpan: Span = { start: 0, end: 0 };

/** Feeds the identity of `kind` for `call` to `h` (reset it first; finish it after). */
export type IdentityHash = (call: Call, h: Hasher) => void;

export function identityHash(kind: DedupeKind): IdentityHash {
  switch (kind) {
    case 'token':
      return hashToken;
    case 'caller':
      return (call, h) => {
        if (!hashTokenCallerBytes(call, h, false)) h.string(tokenCallerKey(call));
      };
    case 'call':
      return (call, h) => {
        if (!hashTokenCallerBytes(call, h, true)) h.string(callKey(call));
      };
  }
}

function hashToken(call: Call, h: Hasher): void {
  const frame = call.scannedBytes;
  if (frame !== undefined && call.tokenSpan(span)) h.bytes(frame, span.start, span.end);
  else h.string(call.tokenAddress);
}

/** The hash of tokenKey() (into h.hi and h.lo): hashed where it lies in the frame, not copied first. */
export function tokenHash(call: Call, h: Hasher): void {
  const frame = call.scannedBytes;
  if (frame !== undefined && call.tokenSpan(span)) h.span(frame, span.start, span.end);
  else {
    h.reset().string(call.tokenAddress);
    h.finish();
  }
}

/**
 * Feeds callerKey() (multi-call's distinct callers); false, feeding nothing, for the unknown
 * caller (neither id nor name), which never counts.
 */
export function hashCaller(call: Call, h: Hasher): boolean {
  const frame = call.scannedBytes;
  if (frame !== undefined && callerSpans(call, frame)) {
    if (callerBy === UNKNOWN) return false;
    feedCaller(frame, h);
    return true;
  }
  if (!isKnownCaller(call.caller)) return false;
  h.string(callerKey(call.caller));
  return true;
}

const BY_ID = 0x69; // i
const BY_NAME = 0x6e; // n
const UNKNOWN = 0x3f; // ?
const COLON = 0x3a;

/** How the caller reads from the spans: 0 when it cannot (read the fields instead). */
let callerLength = 0;
let callerBy = UNKNOWN;

/**
 * Finds the caller's spans: platform (platformSpan, empty when absent) and id or name (whoSpan),
 * and the length of callerKey(). False when a field is not a plain string, or not ASCII.
 */
function callerSpans(call: Call, frame: Buffer): boolean {
  const p = call.callerSpan(FIELD_PLATFORM, platformSpan);
  if (p === SPAN_ABSENT) platformSpan.start = platformSpan.end = 0;
  else if (p !== SPAN_PLAIN) return false;
  const platformLength = platformSpan.end - platformSpan.start;
  callerLength = decimalLength(platformLength) + 1 + platformLength + 1;
  callerBy = UNKNOWN;
  const id = call.callerSpan(FIELD_CALLER_ID, whoSpan);
  if (id === SPAN_PLAIN && whoSpan.end > whoSpan.start) callerBy = BY_ID;
  else if (id !== SPAN_ABSENT && id !== SPAN_PLAIN) return false;
  else {
    const name = call.callerSpan(FIELD_CALLER_NAME, whoSpan);
    if (name === SPAN_PLAIN && whoSpan.end > whoSpan.start) callerBy = BY_NAME;
    else if (name !== SPAN_ABSENT && name !== SPAN_PLAIN) return false;
  }
  if (callerBy !== UNKNOWN) callerLength += whoSpan.end - whoSpan.start;
  return call.ascii || (isAscii(frame, platformSpan) && (callerBy === UNKNOWN || isAscii(frame, whoSpan)));
}

function isAscii(frame: Buffer, s: Span): boolean {
  for (let i = s.start; i < s.end; i++) if (frame[i]! >= 0x80) return false;
  return true;
}

function feedCaller(frame: Buffer, h: Hasher): void {
  h.digits(platformSpan.end - platformSpan.start);
  h.byte(COLON);
  h.lowerAsciiBytes(frame, platformSpan.start, platformSpan.end);
  h.byte(callerBy);
  if (callerBy === BY_ID) h.bytes(frame, whoSpan.start, whoSpan.end);
  else if (callerBy === BY_NAME) h.lowerAsciiBytes(frame, whoSpan.start, whoSpan.end);
}

/** tokenCallerKey() or, with `withTimestamp`, callKey(), from the spans; false when it cannot. */
function hashTokenCallerBytes(call: Call, h: Hasher, withTimestamp: boolean): boolean {
  const frame = call.scannedBytes;
  if (frame === undefined || !call.tokenSpan(span) || !callerSpans(call, frame) || !(call.ascii || isAscii(frame, span))) return false;
  const tokenStart = span.start;
  const tokenEnd = span.end;
  h.digits(tokenEnd - tokenStart);
  h.byte(COLON);
  h.bytes(frame, tokenStart, tokenEnd);
  if (withTimestamp) {
    h.digits(callerLength);
    h.byte(COLON);
  }
  feedCaller(frame, h);
  if (withTimestamp) feedTimestamp(call, frame, h);
  return true;
}

const ZERO = 0x30;

/**
 * String(call.timestampMs), or nothing when it is undefined. A whole number of up to 15 digits in
 * the frame is copied: up to 11 digits it is below 1e11, seconds, and its milliseconds are its
 * digits and three zeros (0 stays 0); from 12 it is milliseconds already, below the dates' limit.
 */
function feedTimestamp(call: Call, frame: Buffer, h: Hasher): void {
  if (call.timestampDigits(span)) {
    const n = span.end - span.start;
    if (n <= 15) {
      h.bytes(frame, span.start, span.end);
      if (n <= 11 && !(n === 1 && frame[span.start] === ZERO)) {
        h.byte(ZERO);
        h.byte(ZERO);
        h.byte(ZERO);
      }
      return;
    }
  }
  const t = call.timestampMs;
  if (t !== undefined) {
    if (Number.isSafeInteger(t) && t >= 0 && !Object.is(t, -0)) h.digits(t);
    else h.string(String(t));
  }
}

function decimalLength(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  let length = 1;
  for (; n >= 10; n = Math.floor(n / 10)) length++;
  return length;
}
