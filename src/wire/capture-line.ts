import { isUtf8 } from 'node:buffer';
import { classifyFrame, type Call, type OtherMessage, type SkipKind } from './calls.js';
import { withoutTopLevelKey } from './json-text.js';

/**
 * Captures are files of `tail -f ndjson` lines, perhaps with `--received-at`, which appends a
 * top-level "received_at" as the last key. Reading one back (replay, serve --replay) goes through
 * here: lines split with bounded memory, the annotation taken off again textually, so the rest of
 * the line stays byte-exact (integers beyond 2^53 included).
 */

export type CaptureLine =
  /** The line without its line break (and without a BOM on line 1). */
  | { lineNo: number; text: string }
  /** A line that is skipped unread: longer than the limit, or not UTF-8 (so it cannot be JSON). */
  | { lineNo: number; text: undefined; skip: 'too-large' | 'not-json' };

/** The lines of a capture, one at a time: for a reader that paces lines itself (serve --replay). */
export async function* captureLines(input: AsyncIterable<Buffer | string>, maxLength: number): AsyncGenerator<CaptureLine> {
  for await (const lines of captureChunks(input, maxLength)) yield* lines;
}

const NL = 0x0a;
/** Only ever given valid UTF-8 (checked first); faster than Buffer#toString. The BOM is kept for textLine. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The lines of a capture, as many as each read of the input completes: a live pipe's lines go on
 * as they arrive, a file's in large batches. A line longer than `maxLength` bytes is not kept in
 * memory: it is reported as too large and skipped to its end. A line that is not valid UTF-8 is
 * reported as not JSON, as a live frame would be, rather than decoded with U+FFFD in it (which
 * could make a token address that never existed).
 */
export async function* captureChunks(input: AsyncIterable<Buffer | string>, maxLength: number): AsyncGenerator<CaptureLine[]> {
  /** The bytes of the line not yet ended; undefined while skipping a line that is too long. */
  let pending: Buffer | undefined = Buffer.alloc(0);
  let lineNo = 0;
  const tooLarge = (): CaptureLine => ({ lineNo: ++lineNo, text: undefined, skip: 'too-large' });
  const textLine = (raw: string): CaptureLine => {
    lineNo++;
    const end = raw.endsWith('\r') ? raw.length - 1 : raw.length;
    return { lineNo, text: lineNo === 1 && raw.startsWith('\uFEFF') ? raw.slice(1, end) : raw.slice(0, end) };
  };
  /** Whole lines, each ending with \n: decoded at once when all of it is UTF-8, the usual case. */
  const split = (bytes: Buffer, lines: CaptureLine[]): void => {
    if (isUtf8(bytes)) {
      const text = UTF8.decode(bytes);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; start = nl + 1, nl = text.indexOf('\n', start)) {
        // Characters count no more than bytes: only a line near the limit needs its bytes counted.
        const length = nl - start;
        const over = length > maxLength || (length * 3 > maxLength && Buffer.byteLength(text.slice(start, nl)) > maxLength);
        lines.push(over ? tooLarge() : textLine(text.slice(start, nl)));
      }
      return;
    }
    let start = 0;
    for (let nl = bytes.indexOf(NL); nl !== -1; start = nl + 1, nl = bytes.indexOf(NL, start)) {
      const line = bytes.subarray(start, nl);
      if (line.length > maxLength) lines.push(tooLarge());
      else if (!isUtf8(line)) lines.push({ lineNo: ++lineNo, text: undefined, skip: 'not-json' });
      else lines.push(textLine(UTF8.decode(line)));
    }
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const first = bytes.indexOf(NL);
    if (first === -1) {
      if (pending !== undefined) pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      if (pending !== undefined && pending.length > maxLength) pending = undefined;
      continue;
    }
    const lines: CaptureLine[] = [];
    // The line begun in an earlier read ends here. Only it is joined: copying the whole read
    // onto it would cost more than all the rest.
    let start = 0;
    if (pending === undefined) lines.push(tooLarge());
    else if (pending.length > 0) split(Buffer.concat([pending, bytes.subarray(0, first + 1)]), lines);
    if (pending === undefined || pending.length > 0) start = first + 1;
    const end = bytes.lastIndexOf(NL) + 1;
    if (end > start) split(bytes.subarray(start, end), lines);
    pending = bytes.subarray(end);
    if (pending.length > maxLength) pending = undefined;
    yield lines;
  }
  if (pending === undefined) yield [tooLarge()];
  else if (pending.length > 0) {
    const lines: CaptureLine[] = [];
    split(Buffer.concat([pending, Buffer.from('\n')]), lines);
    yield lines;
  }
}

/** A capture line's message and its capture time; or why it is skipped, as for a frame. */
export function parseCaptureLine(text: string, allTypes: boolean, now = Date.now()): { message: Call | OtherMessage; receivedAt: number | undefined } | SkipKind {
  const message = classifyFrame(text, now, allTypes);
  if (typeof message === 'string') return message;
  const receivedAt = takeReceivedAt(message);
  // What windows and TTLs run on in a replay: the capture's time, else the call's own.
  const at = receivedAt ?? (message.kind === 'call' ? message.timestampMs : undefined);
  if (at !== undefined) message.receivedAt = at;
  return { message, receivedAt };
}

/** ISO-8601 with a time and a zone, as `--received-at` writes it: not any string Date.parse takes. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/;

/**
 * Takes a top-level `received_at` off a capture line (raw text and parsed value alike); returns its
 * time in epoch ms, or undefined when the line has none, or one that is not an ISO-8601 time (which
 * is then data, and stays).
 */
export function takeReceivedAt(message: Call | OtherMessage): number | undefined {
  const value = message.kind === 'call' ? message.message : message.value;
  const at = value.received_at;
  if (typeof at !== 'string' || !ISO_TIME.test(at)) return undefined;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) return undefined;
  const stripped = withoutTopLevelKey(message.raw, 'received_at');
  if (stripped !== undefined) {
    message.raw = stripped;
    delete value.received_at;
  }
  return ms;
}
