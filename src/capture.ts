import type { Message } from './calls.js';

/**
 * Captures are files of `tail -f ndjson` lines, perhaps with `--received-at`, which appends a
 * top-level "received_at" as the last key. Reading one back (replay, serve --replay) takes that
 * annotation off again, textually, so the rest of the line stays byte-exact.
 */

const TRAILING_RECEIVED_AT = /,\s*"received_at"\s*:\s*"(?:[^"\\]|\\.)*"\s*\}\s*$/;

/**
 * Removes a trailing `received_at` from a parsed capture line; returns its time in epoch ms, or
 * undefined when the line has none (or one that is not a date, which is then left in place).
 */
export function takeReceivedAt(message: Message): number | undefined {
  const at = message.value.received_at;
  if (typeof at !== 'string') return undefined;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) return undefined;
  const stripped = message.raw.replace(TRAILING_RECEIVED_AT, '}');
  if (stripped !== message.raw) {
    message.raw = stripped;
    delete message.value.received_at;
  }
  return ms;
}
