import { FIELD_TIMESTAMP, ScanResult, UNREADABLE, readField, scanFrame } from '../wire/frame-scan.js';

/**
 * `serve --replay --retime`: a captured call sent with the current time as its `data.timestamp`,
 * so a looped capture reads as a live feed that never goes back in time. Only the value's bytes
 * change: key order, spacing, unknown fields and integers beyond 2^53 stay as captured.
 */

/** 1e11 seconds is the year 5138: a larger value was written in milliseconds (calls.ts reads it so). */
const MILLISECONDS_FROM = 1e11;

const scan = new ScanResult();

/**
 * `text` with `data.timestamp` set to `nowMs`, written in the unit the capture used (seconds
 * unless the old value was in milliseconds) and as a string when it was one. Messages that are
 * not calls, and calls whose timestamp is missing, not a number, or behind an escaped key that
 * the scan cannot place, are returned unchanged.
 */
export function retimeCall(text: string, nowMs: number): string {
  const buf = Buffer.from(text);
  if (scanFrame(buf, scan) !== 'call') return text;
  const at = scan.fields[FIELD_TIMESTAMP]!;
  const old = readField(buf, at, FIELD_TIMESTAMP);
  if (old === UNREADABLE || (typeof old !== 'number' && typeof old !== 'string')) return text;
  const oldValue = typeof old === 'number' ? old : old.trim() === '' ? NaN : Number(old);
  if (!Number.isFinite(oldValue)) return text;

  // readField checked the key's bytes: its closing quote, layout, the colon, layout, then the value.
  let start = skipSpace(buf, at + 'timestamp"'.length);
  start = skipSpace(buf, start + 1);
  let end: number;
  if (buf[start] === 0x22) {
    end = buf.indexOf(0x22, start + 1) + 1; // a numeric string holds no escaped quote
  } else {
    end = start;
    while (end < buf.length && isNumberByte(buf[end]!)) end++;
  }
  const value = Math.abs(oldValue) >= MILLISECONDS_FROM ? Math.floor(nowMs) : Math.floor(nowMs / 1000);
  const written = typeof old === 'string' ? `"${value}"` : String(value);
  return buf.toString('utf8', 0, start) + written + buf.toString('utf8', end);
}

function skipSpace(buf: Buffer, p: number): number {
  let c = 0;
  while (p < buf.length && ((c = buf[p]!) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) p++;
  return p;
}

/** The bytes a JSON number is made of: digits, sign, point, exponent. */
function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}
