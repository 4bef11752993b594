import { classifyFrame, type Call, type OtherMessage, type SkipKind } from './calls.js';
import { withoutTopLevelKey } from './json-text.js';

/**
 * Captures are files of `tail -f ndjson` lines, perhaps with `--received-at`, which appends a
 * top-level "received_at" as the last key. capture-bytes.ts reads them as bytes; a line it finds
 * unusual (a received_at elsewhere, whitespace beyond ASCII) comes here as text and is parsed,
 * the annotation taken off again textually, so the rest of the line stays byte-exact (integers
 * beyond 2^53 included). So does a stored JetStream call that names one.
 */

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
