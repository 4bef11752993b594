import { redactUrl } from './endpoint.js';
import type { ReconnectCause } from './status.js';

/**
 * The reader loop's decisions as pure functions of what happened: how long to wait before the
 * next attempt, and whether an ending is worth another attempt at all. No timers, no sockets:
 * the clock and the random source are passed in, so tests need no sleeps.
 */

/** How one connection attempt ended, as the connection saw it. */
export type ConnectionEnd =
  /** The upgrade was answered with another status than 101. */
  | { kind: 'http'; status: number; retryAfter?: string; location?: string }
  /** The proxy answered CONNECT with another status than 200. */
  | { kind: 'proxy'; status: number }
  /** The socket closed after the upgrade: a close frame, or 1006 for an abrupt end. */
  | { kind: 'closed'; code: number; reason: string }
  /** No TCP/TLS/upgrade within --connect-timeout, or a network error before the upgrade. */
  | { kind: 'unreachable'; message: string }
  /** No pong or data within --pong-timeout of a ping: a half-open link. */
  | { kind: 'heartbeat' }
  /** No message for --idle-timeout. */
  | { kind: 'idle' }
  /** A frame over --max-message-size. */
  | { kind: 'too-large' }
  /** We closed it (count, duration, signal, stdout gone). */
  | { kind: 'stopped' };

export type Verdict =
  | { action: 'retry'; delayMs: number; why: string }
  | { action: 'auth-rejected'; why: string }
  /** The proxy will not tunnel for us (its credentials or its rules): retrying cannot help. */
  | { action: 'proxy-refused'; why: string }
  /** Nothing serves the stream at that URL (404, a redirect) and nothing ever did this run. */
  | { action: 'wrong-endpoint'; why: string }
  | { action: 'give-up'; why: string }
  | { action: 'stop' };

/** Close codes the service uses to reject a key (1008 policy violation, 4001/4003 app codes). */
export const AUTH_CLOSE_CODES: ReadonlySet<number> = new Set([1008, 4001, 4003]);
const AUTH_STATUSES: ReadonlySet<number> = new Set([401, 403]);
/** A proxy that wants credentials (407, or 401 from some) or forbids the tunnel (403). */
const PROXY_REFUSED_STATUSES: ReadonlySet<number> = new Set([401, 403, 407]);
const BUSY_STATUSES: ReadonlySet<number> = new Set([429, 503]);
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** The longest `Retry-After` honoured. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
  /** Retries allowed after failed attempts in a row; Infinity by default. */
  maxRetries: number;
}

/**
 * Exponential backoff with full jitter: the n-th retry in a row (n from 0) waits a uniformly
 * random time between min and min·2^(n+1), capped at max. Jitter spreads a crowd of clients that
 * lost the service at the same moment.
 */
export function backoffDelay(policy: BackoffPolicy, failuresInARow: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(failuresInARow + 1, 40));
  return Math.round(policy.minMs + random() * Math.max(0, ceiling - policy.minMs));
}

/** The backoff resets once a connection proved itself: it delivered a message or stayed up long. */
export function connectionWasGood(policy: BackoffPolicy, upMs: number | undefined, messages: number): boolean {
  return messages > 0 || (upMs !== undefined && upMs >= policy.maxMs);
}

/** The three HTTP-date forms a recipient must accept: IMF-fixdate, RFC 850, asctime (which is GMT). */
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;
const RFC850_DATE = /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d\d-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d\d \d\d:\d\d:\d\d GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

/**
 * `Retry-After` as delta-seconds (digits only) or an HTTP date, in ms from `now` (0 for a date in
 * the past); undefined when absent or anything else. Date.parse alone would take `-5`, `1.5` or
 * `+3` for dates in 2001, and a bogus header must fall back to the ordinary backoff.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  let at: number;
  if (IMF_FIXDATE.test(s) || RFC850_DATE.test(s)) at = Date.parse(s);
  else if (ASCTIME_DATE.test(s)) at = Date.parse(`${s} GMT`);
  else return undefined;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const CAUSES: Record<Exclude<ConnectionEnd['kind'], 'stopped'>, ReconnectCause> = {
  http: 'http_error',
  proxy: 'proxy_error',
  closed: 'closed',
  unreachable: 'unreachable',
  heartbeat: 'pong_timeout',
  idle: 'idle_timeout',
  'too-large': 'too_large',
};

/** The fixed word for an ending that leads to a reconnect. */
export function causeOf(end: Exclude<ConnectionEnd, { kind: 'stopped' }>): ReconnectCause {
  return CAUSES[end.kind];
}

export function describeEnd(end: ConnectionEnd): string {
  switch (end.kind) {
    case 'http':
      if (!REDIRECT_STATUSES.has(end.status)) return `the server answered HTTP ${end.status}`;
      // The target is the server's text and may carry a key; whoever prints it sanitizes it.
      return `the server answered HTTP ${end.status}, a redirect${end.location ? ` to ${redactUrl(end.location)}` : ''} (not followed)`;
    case 'proxy':
      return `the proxy answered HTTP ${end.status} to CONNECT`;
    case 'closed':
      // The reason is the server's own text: whoever prints it sanitizes it.
      return `the server closed the connection (${end.code}${end.reason ? ` ${end.reason}` : ''})`;
    case 'unreachable':
      return end.message;
    case 'heartbeat':
      return 'no pong or data within --pong-timeout (a dead link)';
    case 'idle':
      return 'no message within --idle-timeout';
    case 'too-large':
      return 'a frame over --max-message-size (closed with 1009)';
    case 'stopped':
      return 'stopped';
  }
}

/**
 * What to do after a connection ended. `failuresInARow` counts the failed attempts before this
 * one; the caller resets it when connectionWasGood(). `connectedBefore`: an upgrade of this run
 * has succeeded, so a 404 or a redirect is the service's passing state, not a wrong URL.
 */
export function decide(
  end: ConnectionEnd,
  policy: BackoffPolicy,
  failuresInARow: number,
  random: () => number,
  now: number,
  connectedBefore = false,
): Verdict {
  if (end.kind === 'stopped') return { action: 'stop' };
  const why = describeEnd(end);
  if (end.kind === 'http' && AUTH_STATUSES.has(end.status)) return { action: 'auth-rejected', why };
  if (end.kind === 'proxy' && PROXY_REFUSED_STATUSES.has(end.status)) return { action: 'proxy-refused', why };
  if (end.kind === 'http' && !connectedBefore && (end.status === 404 || REDIRECT_STATUSES.has(end.status))) {
    return { action: 'wrong-endpoint', why };
  }
  if (end.kind === 'closed' && AUTH_CLOSE_CODES.has(end.code)) return { action: 'auth-rejected', why };
  if (failuresInARow >= policy.maxRetries) return { action: 'give-up', why };
  const backoff = backoffDelay(policy, failuresInARow, random);
  if (end.kind === 'http' && BUSY_STATUSES.has(end.status)) {
    const wait = parseRetryAfter(end.retryAfter, now);
    // The server said when; a bound keeps a bogus header from parking the client for days, and
    // --backoff-min keeps `0` or a date in the past from making it hammer the server.
    if (wait !== undefined) return { action: 'retry', delayMs: Math.max(policy.minMs, Math.min(wait, MAX_RETRY_AFTER_MS)), why: `${why}, Retry-After` };
  }
  return { action: 'retry', delayMs: backoff, why };
}
