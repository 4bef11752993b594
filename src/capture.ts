import fs from 'node:fs';
import { classifyFrame, type Call, type OtherMessage, type SkipKind } from './calls.js';
import { usageError } from './errors.js';
import { withoutTopLevelKey } from './json-text.js';

/**
 * Captures are files of `tail -f ndjson` lines, perhaps with `--received-at`, which appends a
 * top-level "received_at" as the last key. Reading one back (replay, serve --replay) goes through
 * here: lines split with bounded memory, the annotation taken off again textually, so the rest of
 * the line stays byte-exact (integers beyond 2^53 included).
 */

/**
 * Opens a capture for reading, synchronously so a missing file or a directory is a usage error
 * (named after `label`: `replay`, `--replay`) before anything is written or listened on.
 */
export function openCapture(file: string, label: string): fs.ReadStream {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw usageError(`${label}: cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (fs.fstatSync(fd).isDirectory()) {
    fs.closeSync(fd);
    throw usageError(`${label}: '${file}' is a directory, not a capture file`);
  }
  return fs.createReadStream('', { fd, highWaterMark: 256 * 1024 });
}

export interface CaptureLine {
  lineNo: number;
  /** The line without its line break (and without a BOM on line 1); undefined when too long. */
  text: string | undefined;
}

/** The lines of a capture, one at a time: for a reader that paces lines itself (serve --replay). */
export async function* captureLines(input: AsyncIterable<Buffer | string>, maxLength: number): AsyncGenerator<CaptureLine> {
  for await (const lines of captureChunks(input, maxLength)) yield* lines;
}

/**
 * The lines of a capture, as many as each read of the input completes: a live pipe's lines go on
 * as they arrive, a file's in large batches. A line longer than `maxLength` is not kept in memory:
 * it is reported with `text` undefined (the caller counts it as too large) and skipped to its end.
 */
export async function* captureChunks(input: AsyncIterable<Buffer | string>, maxLength: number): AsyncGenerator<CaptureLine[]> {
  const decoder = new TextDecoder();
  let pending = '';
  let lineNo = 0;
  let tooLong = false;
  const line = (text: string): CaptureLine => {
    lineNo++;
    if (tooLong || text.length > maxLength) {
      tooLong = false;
      return { lineNo, text: undefined };
    }
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    return { lineNo, text: lineNo === 1 && text.startsWith('\uFEFF') ? text.slice(1, end) : text.slice(0, end) };
  };
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines: CaptureLine[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const whole = pending + text.slice(start, nl);
      pending = '';
      start = nl + 1;
      lines.push(line(whole));
    }
    if (lines.length > 0) yield lines;
    pending += text.slice(start);
    if (pending.length > maxLength) {
      tooLong = true;
      pending = '';
    }
  }
  pending += decoder.decode();
  if (pending !== '' || tooLong) yield [line(pending)];
}

/**
 * A capture line's message and its capture time (its `received_at`, which is taken off the line);
 * or why it is skipped, as for a frame. The message's own `receivedAt` is then that time, else its
 * `data.timestamp`, else `now`: what windows and TTLs run on in a replay.
 */
export function parseCaptureLine(text: string, allTypes: boolean, now = Date.now()): { message: Call | OtherMessage; receivedAt: number | undefined } | SkipKind {
  const message = classifyFrame(text, now, allTypes);
  if (typeof message === 'string') return message;
  const receivedAt = takeReceivedAt(message);
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
