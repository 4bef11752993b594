import { isUtf8 } from 'node:buffer';
import { classifyBytes, lastScan, type Call, type OtherMessage, type SkipKind } from './calls.js';
import { parseCaptureLine } from './capture-line.js';

/**
 * Replay at the speed of the bytes: a capture's lines cut from each read as byte ranges, classified
 * by the scanner the live path uses (classifyBytes), and a trailing `"received_at"` (as `tail
 * --received-at` writes it) cut off by its place in the bytes. No string is made of a line unless
 * it is unusual (see fastReceivedAt); those take the text path of capture-line.ts, which gives the
 * same result by parsing.
 */

const NL = 0x0a;
const CR = 0x0d;

/** One read's lines: a line's bytes, or why it is skipped unread. */
export type ByteLine = Buffer | 'too-large' | 'not-json';

/**
 * The lines of a capture as byte ranges of its reads, as many as each read completes. A line longer
 * than `maxLength` bytes is not kept (reported as too large, skipped to its end); one that is not
 * UTF-8 is not JSON. The line break (and a `\r` before it, and a BOM on line 1) is not part of it.
 */
export async function* captureByteChunks(input: AsyncIterable<Buffer | string>, maxLength: number): AsyncGenerator<ByteLine[]> {
  /** The bytes of the line not yet ended; undefined while skipping a line that is too long. */
  let pending: Buffer | undefined = Buffer.alloc(0);
  let first = true;
  const push = (line: Buffer, lines: ByteLine[], utf8: boolean): void => {
    // Counted with its \r and BOM, as the text path counts them.
    if (line.length > maxLength) {
      first = false;
      lines.push('too-large');
      return;
    }
    let end = line.length;
    if (end > 0 && line[end - 1] === CR) end--;
    let start = 0;
    if (first) {
      first = false;
      if (line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) start = 3;
    }
    if (!utf8 && !isUtf8(line)) lines.push('not-json');
    else lines.push(line.subarray(start, end));
  };
  /** Whole lines, each ending with \n: checked as UTF-8 at once, the usual case. */
  const split = (bytes: Buffer, lines: ByteLine[]): void => {
    const utf8 = isUtf8(bytes);
    let start = 0;
    for (let nl = bytes.indexOf(NL); nl !== -1; start = nl + 1, nl = bytes.indexOf(NL, start)) push(bytes.subarray(start, nl), lines, utf8);
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const nl = bytes.indexOf(NL);
    if (nl === -1) {
      if (pending !== undefined) pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      if (pending !== undefined && pending.length > maxLength) pending = undefined;
      continue;
    }
    const lines: ByteLine[] = [];
    let start = 0;
    if (pending === undefined) {
      first = false;
      lines.push('too-large');
    } else if (pending.length > 0) split(Buffer.concat([pending, bytes.subarray(0, nl + 1)]), lines);
    if (pending === undefined || pending.length > 0) start = nl + 1;
    const end = bytes.lastIndexOf(NL) + 1;
    if (end > start) split(bytes.subarray(start, end), lines);
    pending = bytes.subarray(end);
    if (pending.length > maxLength) pending = undefined;
    yield lines;
  }
  if (pending === undefined) yield ['too-large'];
  else if (pending.length > 0) {
    const lines: ByteLine[] = [];
    split(Buffer.concat([pending, Buffer.from('\n')]), lines);
    yield lines;
  }
}

/** `,"received_at":"` */
const MEMBER = Buffer.from(',"received_at":"');
/** `2026-12-01T07:40:00.000Z`: the form --received-at writes, read without a string. */
const ISO_LENGTH = 24;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digits at line[at..at+n] as a number; -1 when one is not a digit. */
function digits(line: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = line[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` at `at` in epoch ms; NaN when it is not exactly that, a valid date. */
function isoMs(line: Buffer, at: number): number {
  if (line[at + 4] !== 0x2d || line[at + 7] !== 0x2d || line[at + 10] !== 0x54 || line[at + 13] !== 0x3a || line[at + 16] !== 0x3a || line[at + 19] !== 0x2e || line[at + 23] !== 0x5a) return NaN;
  const y = digits(line, at, 4);
  const mo = digits(line, at + 5, 2);
  const d = digits(line, at + 8, 2);
  const h = digits(line, at + 11, 2);
  const mi = digits(line, at + 14, 2);
  const s = digits(line, at + 17, 2);
  const ms = digits(line, at + 20, 3);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0) return NaN;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && !leap ? 28 : DAYS[mo - 1]!)) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/**
 * When the line ends with `,"received_at":"<ISO time>"}`: the time, and the line cut to end before
 * that member (its comma made the closing brace, in place: the bytes are the read's own; the
 * caller puts the comma back when the scan finds another top-level received_at). Otherwise
 * undefined, the line untouched.
 *
 * Why this is exact: in valid JSON a final `"X"}` with no quote or backslash in X is a string value
 * of the top-level object, and the `"received_at":` before it its key; so the member is top-level.
 * The part before it is a non-empty object (checked: not `{` alone), valid exactly when the whole
 * line is, and the scan that follows checks it.
 */
function fastReceivedAt(line: Buffer): { frame: Buffer; at: number } | undefined {
  const n = line.length;
  const memberAt = n - 1 - ISO_LENGTH - 1 - MEMBER.length;
  if (memberAt < 1 || line[n - 1] !== 0x7d || line[n - 2] !== 0x22) return undefined;
  for (let k = 0; k < MEMBER.length; k++) if (line[memberAt + k] !== MEMBER[k]) return undefined;
  const at = isoMs(line, memberAt + MEMBER.length);
  if (Number.isNaN(at)) return undefined;
  let p = memberAt - 1;
  while (p > 0 && (line[p] === 0x20 || line[p] === 0x09 || line[p] === 0x0a || line[p] === 0x0d)) p--;
  if (line[p] === 0x7b) return undefined;
  line[memberAt] = 0x7d;
  return { frame: line.subarray(0, memberAt + 1), at };
}

/**
 * A capture line's message and its capture time (undefined when it has none), as parseCaptureLine
 * gives them for its text; or why it is skipped; or 'blank' for a line of whitespace only (passed
 * over without a word). `now` is the arrival of a line without a time.
 */
export function classifyCaptureBytes(line: Buffer, allTypes: boolean, now: number): { message: Call | OtherMessage; receivedAt: number | undefined } | SkipKind | 'blank' {
  if (!startsAsObject(line)) {
    // Not an object (a skip), or whitespace beyond ASCII: the text path words it, trim() knows it.
    const text = line.toString();
    return text.trim() === '' ? 'blank' : parseCaptureLine(text, allTypes, now);
  }
  const cut = fastReceivedAt(line);
  const message = classifyBytes(cut?.frame ?? line, now, allTypes);
  if (lastScan.receivedAt) {
    // A received_at not where --received-at puts it, or one more: unusual, the text path.
    if (cut !== undefined) line[cut.frame.length - 1] = 0x2c;
    return parseCaptureLine(line.toString(), allTypes, now);
  }
  if (typeof message === 'string') {
    // The scan of a line without its received_at fails exactly when the whole line's does.
    return message;
  }
  const receivedAt = cut?.at;
  const at = receivedAt ?? (message.kind === 'call' ? message.timestampMs : undefined);
  if (at !== undefined) message.receivedAt = at;
  return { message, receivedAt };
}

/** Whether the first byte that is not JSON whitespace is `{`. */
function startsAsObject(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}
