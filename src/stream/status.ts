import type { SkipKind } from '../wire/calls.js';

/**
 * What the reader loop reports as it goes, as data: the library hands these to `onStatus`, the CLI
 * turns them into log lines. The core itself never logs.
 */
export type Status =
  /** A connection is up; `reconnected` when it is not the run's first. */
  | { type: 'connected'; url: string; reconnected: boolean }
  /** A connection ended or failed; the next attempt follows after `delayMs`. `attempt` counts the
   * attempts in a row that this wait is before: 1 after the first failure, reset by a good one. */
  | { type: 'reconnecting'; reason: string; cause: ReconnectCause; delayMs: number; attempt: number }
  /** A frame (or capture line) was skipped; `where` names it for a capture (`line 12`). */
  | { type: 'skipped'; kind: SkipKind; count: number; where?: string };

/**
 * Why a connection ended, as a fixed word: what metric labels and readiness say, where `reason`
 * may quote the server.
 */
export type ReconnectCause = 'pong_timeout' | 'idle_timeout' | 'closed' | 'unreachable' | 'http_error' | 'proxy_error' | 'too_large'
  /** A NATS link was lost (the client says no more than that). */
  | 'nats_disconnected';

export type StatusListener = (status: Status) => void;
