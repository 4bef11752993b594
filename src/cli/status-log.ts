import { SKIP_DESCRIPTIONS, WARN_KINDS, type SkipKind } from '../wire/calls.js';
import type { Logger } from '../log.js';
import { sanitize } from '../render/sanitize.js';
import type { Status, StatusListener } from '../stream/status.js';
import type { NatsStatus } from '../nats/connect.js';
import type { FilterSpec, NonePassed } from '../stages/filter.js';

/** How often one kind of warning may be repeated: a feed that sends garbage all day gets a steady
 * trickle of warnings, not a flood. */
const WARN_EVERY_MS = 1000;

/** A gate that lets each key through at most once per `everyMs`. */
export function rateLimit<K>(everyMs: number, now: () => number = Date.now): (key: K) => boolean {
  const last = new Map<K, number>();
  return (key) => {
    const t = now();
    if (t - (last.get(key) ?? -Infinity) < everyMs) return false;
    last.set(key, t);
    return true;
  };
}

/**
 * A ready line (`demo feed on ws://...`, as serve's `listening on ws://...`): what a person or a
 * script waits for. As nats-server's `Listening for client connections on ...`, it is plain text
 * in any log format: on a terminal it is an info line like the others; into a pipe, where the
 * other lines are JSON for a log collector, it is one plain line (a JSON reader skips lines that do
 * not start with `{`, e.g. `jq -R 'fromjson?'`). Shown at the info level only, as the line it replaces.
 */
export function announce(logger: Logger, pretty: boolean, text: string, stderr: { write(s: string): unknown } = process.stderr): void {
  if (pretty) logger.info(text);
  else if (logger.isLevelEnabled('info')) stderr.write(`${text}\n`);
}

/**
 * The CLI's wording of the reader's statuses. Text that came from a server (a close reason) is
 * bound for a terminal: it goes through the sanitizer first.
 */
export function logStatuses(logger: Logger): StatusListener {
  const mayWarn = rateLimit<SkipKind>(WARN_EVERY_MS);
  return (status: Status) => {
    switch (status.type) {
      case 'connected':
        logger.info(`${status.reconnected ? 'reconnected to' : 'connected to'} ${status.url}`);
        return;
      case 'reconnecting':
        logger.warn(`${sanitize(status.reason)}; reconnecting in ${formatDelay(status.delayMs)}`);
        return;
      case 'skipped':
        if (!WARN_KINDS.has(status.kind) || !mayWarn(status.kind)) return;
        logger.warn(`skipped ${status.where ?? 'a frame'}: ${SKIP_DESCRIPTIONS[status.kind]} (${status.count} so far)`);
    }
  };
}

/**
 * The same wording for a NATS connection, named by its redacted URL (`display`). The client's own
 * reconnect attempts are debug: one warning says the link is down, one line that it is back.
 */
export function logNatsStatuses(logger: Logger, display: string): (status: NatsStatus) => void {
  const mayWarn = rateLimit<string>(WARN_EVERY_MS);
  return (status) => {
    switch (status.type) {
      case 'connected':
        logger.info(`${status.reconnect ? 'reconnected to' : 'connected to'} NATS at ${display} (server ${sanitize(status.server)})`);
        return;
      case 'disconnected':
        logger.warn(`disconnected from NATS at ${display} (server ${sanitize(status.server)}); reconnecting`);
        return;
      case 'reconnecting':
        if (status.delayMs > 0) logger.warn(`NATS at ${display}: ${sanitize(status.reason)}; reconnecting in ${formatDelay(status.delayMs)}`);
        else logger.debug(`NATS at ${display}: reconnect attempt ${status.attempt}`);
        return;
      case 'error':
        if (mayWarn('error')) logger.warn(`NATS at ${display}: ${sanitize(status.message)}`);
    }
  };
}

/** Runtime warnings of the NATS modules (retrying, too large, interrupted), at most one a second each. */
export function logNatsWarnings(logger: Logger): (text: string) => void {
  const mayWarn = rateLimit<string>(WARN_EVERY_MS);
  return (text) => {
    // The kind is the text before its first number or quote: one gate per kind of warning.
    const kind = /^[^0-9'(]*/.exec(text)![0];
    if (mayWarn(kind)) logger.warn(sanitize(text));
  };
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** The filter flags a spec uses, as the user typed them. */
export function filterFlags(spec: FilterSpec): string[] {
  const flags: string[] = [];
  if (spec.callers.length > 0) flags.push('--caller');
  if (spec.callerList !== undefined) flags.push('--caller-file');
  if (spec.excludeCallers.length > 0) flags.push('--exclude-caller');
  if (spec.platforms.length > 0) flags.push('--platform');
  if (spec.minMcap !== undefined) flags.push('--min-mcap');
  if (spec.maxMcap !== undefined) flags.push('--max-mcap');
  if (spec.tokens.length > 0) flags.push('--token');
  if (spec.symbols.length > 0) flags.push('--symbol');
  return flags;
}

/**
 * Why nothing is printed: `1000 calls, none passed the filters (--platform, --caller); callers seen
 * include: Alpha, Beta; platforms seen: telegram, discord`. Names come from the feed: sanitized.
 */
export function describeNonePassed(facts: NonePassed, spec: FilterSpec): string {
  const list = (values: string[]): string => (values.length > 0 ? values.map((v) => sanitize(v)).join(', ') : 'none');
  const calls = `${facts.calls} call${facts.calls === 1 ? '' : 's'}`;
  return `${calls}, none passed the filters (${filterFlags(spec).join(', ')}); callers seen include: ${list(facts.callers)}; platforms seen: ${list(facts.platforms)}`;
}
