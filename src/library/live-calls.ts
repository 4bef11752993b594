/**
 * liveCalls() and websocketUrl(): the library over the service, on the reader loop and stages the CLI
 * runs. liveCalls() on a nats:// URL reads JetStream instead (jetstream-calls.ts).
 */
import type { Agent } from 'node:http';
import type { AuthMode } from '../choices.js';
import { LIBRARY_TERMS, resolveLiveCalls } from '../config/library.js';
import { resolveTarget } from '../config/connection.js';
import { LibrarySettings } from '../config/settings.js';
import { usageError } from '../errors.js';
import { applyStages, stagesWritten } from '../pipeline/stages.js';
import { createCallStages } from '../stages/call-stages.js';
import type { DedupeKind } from '../stages/identity.js';
import { Reader } from '../stream/reader.js';
import type { StatusListener } from '../stream/status.js';
import type { LiveCall as Call } from '../wire/calls.js';
import type { SignalMessage as MultiCallSignal } from '../wire/message.js';
import { jetStreamCalls, type NatsReadLibraryOptions } from './jetstream-calls.js';

/** Where to connect and how to present the key: the same rules as the CLI's --url / --base-url. */
export interface EndpointOptions {
  /** The full endpoint URL, `wss://host/solana/monitor/livecalls`. */
  url?: string;
  /** The service's base URL: `/solana/monitor/livecalls` is appended, http→ws, https→wss. */
  baseUrl?: string;
  apiKey?: string;
  /** How the key is sent: `?api_key=` (default), `X-API-Key`, or `Authorization: Bearer`. */
  auth?: AuthMode;
  /** Allow the key over plain ws:// to a host that is not loopback. */
  insecure?: boolean;
}

/**
 * `url` may also be `nats://[user:pass@|token@]host[:port][,host:port...]/<subject>` (`tls://` for
 * TLS): the calls are then read from a JetStream stream that `rexi-live --publish` fills, with the
 * NATS options below; `apiKey`, `auth`, `agent`, `pongTimeoutMs` and `idleTimeoutMs` do not apply.
 */
interface CallOptions extends EndpointOptions, NatsReadLibraryOptions {
  /** Only calls by these callers (name or id, case-insensitive). */
  caller?: string[];
  excludeCaller?: string[];
  /** Only these platforms: telegram, discord, twitter, ... */
  platform?: string[];
  token?: string[];
  symbol?: string[];
  /** Inclusive bounds on the market cap, in dollars; a call without one fails any bound. */
  minMcap?: number;
  maxMcap?: number;
  /**
   * Drop a call whose key was already yielded within `dedupeTtlMs`: `call` (token + caller +
   * data.timestamp: the same call delivered again), `caller` (one call per caller per token) or
   * `token` (only the first call of each token). Signals are never deduped.
   */
  dedupe?: DedupeKind;
  /** The same as `dedupe: 'token'`. */
  firstCall?: boolean;
  /** How long a dedupe key is remembered, from its first sighting (default 86400000: 24 h). */
  dedupeTtlMs?: number;
  /** Most dedupe keys, and most multi-call tokens and calls, held; the least recently seen go first (default 100000). */
  stateMax?: number;
  /** Bound on TCP + TLS + upgrade (default 10000). */
  connectTimeoutMs?: number;
  /** Backoff between reconnects, full jitter (defaults 1000 and 30000). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Retries after failed attempts in a row before GaveUpError (default Infinity). */
  maxRetries?: number;
  /** Heartbeat (defaults 15000 and 10000; pingIntervalMs 0 turns it off). */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Reconnect when no message arrives this long (default 0: off). */
  idleTimeoutMs?: number;
  /** A larger frame closes the socket (1009) and reconnects (default 1 MiB). */
  maxMessageSize?: number;
  /** Ends the iteration, closing the connection with 1000. */
  signal?: AbortSignal;
  onStatus?: StatusListener;
  /** An HTTP agent to connect through, such as an HTTPS proxy agent. */
  agent?: Agent;
}

/** Calls only: an options object of this type never yields signals. */
export interface LiveCallsOptions extends CallOptions {
  minCallers?: undefined;
}

/** With `minCallers`: MULTI_CALL signals too (and the calls with `withCalls`). */
export interface MultiCallOptions extends CallOptions {
  /**
   * Yield a MULTI_CALL signal (`kind: 'signal'`) when this many distinct callers (2 or more) have
   * called one token within `windowMs`. The calls are then counted, not yielded, unless `withCalls`.
   * Counting sees the calls that passed the filters, before `dedupe`.
   */
  minCallers: number;
  /** The sliding window of `minCallers` (default 600000: 10 min). */
  windowMs?: number;
  /** After a signal, no new signal for that token for this long (default: `windowMs`; 0 allowed). */
  cooldownMs?: number;
  /** With `minCallers`: yield the calls too, each signal right after the call that triggered it. */
  withCalls?: boolean;
}

/** The URL `tail` connects to, key included: the service's `get_websocket_url()`. */
export function websocketUrl(options: EndpointOptions): string {
  if (options === null || typeof options !== 'object') throw usageError('options must be an object');
  const { url, baseUrl, apiKey, auth, insecure } = options;
  return resolveTarget(new LibrarySettings({ url, baseUrl, apiKey, auth, insecure }), { terms: LIBRARY_TERMS }).endpoint.url;
}

/**
 * The live calls as an endless async iterable across reconnects. Bad options throw a
 * RexiLiveError (`REXI_BAD_OPTION`) at once, before anything connects; a rejected key throws
 * AuthRejectedError from the loop, exhausted retries GaveUpError. A consumer that does not pull
 * pauses the socket; leaving the loop (break, return, throw) or aborting `signal` closes it.
 *
 * Without `minCallers` it yields calls only. With it, it yields MULTI_CALL signals (`kind:
 * 'signal'`), and with `withCalls` the calls as well: tell them apart by `kind`. Windows, TTLs and
 * cooldowns run on each call's `receivedAt`; the state lives in memory, bounded by `stateMax`.
 */
export function liveCalls(options: MultiCallOptions): AsyncIterable<Call | MultiCallSignal>;
export function liveCalls(options: LiveCallsOptions): AsyncIterable<Call>;
/** Options whose `minCallers` is known only at run time (a union, `number | undefined`): calls or signals. */
export function liveCalls(options: LiveCallsOptions | MultiCallOptions | (Omit<MultiCallOptions, 'minCallers'> & { minCallers?: number | undefined })): AsyncIterable<Call | MultiCallSignal>;
export function liveCalls(options: LiveCallsOptions | MultiCallOptions | (Omit<MultiCallOptions, 'minCallers'> & { minCallers?: number | undefined })): AsyncIterable<Call | MultiCallSignal> {
  const plan = resolveLiveCalls(options);
  const { signal, onStatus } = options;
  if (plan.source.kind === 'jetstream') {
    const read = plan.source.read;
    return { [Symbol.asyncIterator]: () => jetStreamCalls({ read, stream: plan.stream, stages: plan.stages, signal, onStatus }) };
  }
  const { target } = plan.source;
  return {
    async *[Symbol.asyncIterator]() {
      // Per iteration: two loops over one iterable do not share windows or keys.
      const stages = createCallStages(plan.stages);
      const reader = new Reader({
        connection: { ...plan.stream, url: target.endpoint.url, headers: target.endpoint.headers, agent: options.agent },
        policy: plan.stream.policy,
        allTypes: false,
        display: target.endpoint.display,
        ...(onStatus !== undefined && { onStatus }),
      });
      if (signal?.aborted) return;
      const stop = (): void => reader.stop();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const read of reader) {
          const batch = applyStages(stages, read);
          for (const message of batch) {
            // Aborted in the loop's body: not one call more from the same read.
            if (signal?.aborted) return;
            if (message.kind !== 'other') yield message as Call | MultiCallSignal;
          }
          // Yielded is the library's "written": dedupe remembers a key only now.
          stagesWritten(stages, batch);
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        reader.stop();
      }
    },
  };
}

