/**
 * liveCalls() and websocketUrl(): the library over the service, on the reader loop and stages the CLI
 * runs. liveCalls() on a nats:// URL reads JetStream instead (jetstream-calls.ts).
 */
import type { Agent } from 'node:http';
import type { Call } from '../wire/calls.js';
import { AUTH_CHOICES, type AuthMode } from '../choices.js';
import { buildEndpoint } from '../stream/endpoint.js';
import { usageError } from '../errors.js';
import type { Message, SignalMessage as MultiCallSignal } from '../wire/message.js';
import type { Stage } from '../pipeline/stage.js';
import { natsCalls, natsCallsPlan, type NatsReadLibraryOptions } from './jetstream-calls.js';
import { isNatsUrl } from '../nats/url.js';
import { DEFAULT_STATE_MAX } from '../stages/bounded-map.js';
import { createFilterStage, validateFilterSpec, type FilterSpec } from '../stages/filter.js';
import { DEDUPE_KINDS, type DedupeKind } from '../stages/identity.js';
import type { SignalOptions } from '../config/signals.js';
import { createSignalStages } from '../stages/signal-stages.js';
import { Reader } from '../stream/reader.js';
import type { StatusListener } from '../stream/status.js';


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
export interface LiveCallsOptions extends EndpointOptions, NatsReadLibraryOptions {
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
  /**
   * Yield a MULTI_CALL signal (`kind: 'signal'`) when this many distinct callers (2 or more) have
   * called one token within `windowMs`. The calls are then counted, not yielded, unless `withCalls`.
   * Counting sees the calls that passed the filters, before `dedupe`.
   */
  minCallers?: number;
  /** The sliding window of `minCallers` (default 600000: 10 min). */
  windowMs?: number;
  /** After a signal, no new signal for that token for this long (default: `windowMs`; 0 allowed). */
  cooldownMs?: number;
  /** With `minCallers`: yield the calls too, each signal right after the call that triggered it. */
  withCalls?: boolean;
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

/** The URL `tail` connects to, key included: the service's `get_websocket_url()`. */
export function websocketUrl(options: EndpointOptions): string {
  return endpointOf(options).url;
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
export function liveCalls(options: LiveCallsOptions & { minCallers?: undefined }): AsyncIterable<Call>;
export function liveCalls(options: LiveCallsOptions): AsyncIterable<Call | MultiCallSignal>;
export function liveCalls(options: LiveCallsOptions): AsyncIterable<Call | MultiCallSignal> {
  if (options !== null && typeof options === 'object' && typeof options.url === 'string' && isNatsUrl(options.url)) return jetStreamCalls(options, options.url);
  const endpoint = endpointOf(options);
  for (const key of NATS_ONLY) if (options[key] !== undefined) throw usageError(`${key} goes with a nats:// url`);
  const filter = filterSpecOf(options);
  const signals = signalOptionsOf(options);
  const tuning = tuningOf(options);
  return {
    async *[Symbol.asyncIterator]() {
      // Per iteration: two loops over one iterable do not share windows or keys.
      const stages: Stage[] = [createFilterStage(filter), ...createSignalStages(signals)];
      const reader = new Reader({
        connection: { ...tuning.connection, url: endpoint.url, headers: endpoint.headers, agent: options.agent },
        policy: tuning.policy,
        allTypes: false,
        display: endpoint.display,
        ...(options.onStatus !== undefined && { onStatus: options.onStatus }),
      });
      const { signal } = options;
      if (signal?.aborted) return;
      const stop = (): void => reader.stop();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const read of reader) {
          let batch: Message[] = read;
          for (let s = 0; s < stages.length && batch.length > 0; s++) batch = stages[s]!.transform(batch);
          for (const message of batch) if (message.kind !== 'other') yield message;
          // Yielded is the library's "written": dedupe remembers a key only now.
          for (const stage of stages) stage.written?.(batch);
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        reader.stop();
      }
    },
  };
}

const NATS_ONLY = ['stream', 'durable', 'since', 'startSeq', 'natsCreds', 'natsNkey', 'natsCa', 'natsCert', 'natsKey'] as const;

/** liveCalls() on a nats:// URL: every option checked now, the client loaded on the first pull. */
function jetStreamCalls(options: LiveCallsOptions, url: string): AsyncIterable<Call | MultiCallSignal> {
  if (options.baseUrl !== undefined) throw usageError('url and baseUrl are both set: use one');
  const plan = natsCallsPlan(url, options);
  const filter = filterSpecOf(options);
  const signals = signalOptionsOf(options);
  const { policy, connection } = tuningOf(options);
  return {
    [Symbol.asyncIterator]: () =>
      natsCalls({
        plan,
        policy,
        connectTimeoutMs: connection.connectTimeoutMs,
        pingIntervalMs: connection.pingIntervalMs,
        maxMessageSize: connection.maxMessageSize,
        // Per iteration, as over the service: two loops do not share windows or keys.
        stages: () => [createFilterStage(filter), ...createSignalStages(signals)],
        signal: options.signal,
        onStatus: options.onStatus,
      }),
  };
}

function endpointOf(options: EndpointOptions) {
  if (options === null || typeof options !== 'object') throw usageError('options must be an object');
  const str = (name: 'url' | 'baseUrl' | 'apiKey') => {
    const v = options[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw usageError(`${name} must be a non-empty string`);
    return { value: v, source: name };
  };
  const url = str('url');
  const baseUrl = str('baseUrl');
  if (url && baseUrl) throw usageError('url and baseUrl are both set: use one');
  if (!url && !baseUrl) throw usageError('no endpoint: set url or baseUrl');
  const auth = options.auth ?? 'query';
  if (!(AUTH_CHOICES as readonly string[]).includes(auth)) throw usageError(`auth: '${String(auth)}' is not one of query, header, bearer`);
  const apiKey = str('apiKey');
  return buildEndpoint({ ...(url && { url }), ...(baseUrl && { baseUrl }), ...(apiKey && { apiKey }), auth, insecure: options.insecure === true });
}

function filterSpecOf(options: LiveCallsOptions): FilterSpec {
  const list = (name: 'caller' | 'excludeCaller' | 'platform' | 'token' | 'symbol'): string[] => {
    const v = options[name];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '')) throw usageError(`${name} must be an array of non-empty strings`);
    return v;
  };
  const amount = (name: 'minMcap' | 'maxMcap'): number | undefined => {
    const v = options[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) throw usageError(`${name} must be a number of dollars`);
    return v;
  };
  const spec: FilterSpec = { callers: list('caller'), excludeCallers: list('excludeCaller'), platforms: list('platform'), tokens: list('token'), symbols: list('symbol') };
  const minMcap = amount('minMcap');
  const maxMcap = amount('maxMcap');
  if (minMcap !== undefined) spec.minMcap = minMcap;
  if (maxMcap !== undefined) spec.maxMcap = maxMcap;
  if (minMcap !== undefined && maxMcap !== undefined && minMcap > maxMcap) throw usageError(`minMcap ${minMcap} is above maxMcap ${maxMcap}`);
  validateFilterSpec(spec);
  return spec;
}

/** The dedupe and multi-call options, checked as the CLI checks its flags. */
function signalOptionsOf(options: LiveCallsOptions): Pick<SignalOptions, 'dedupe' | 'multiCall'> & { stateMax: number } {
  const whole = (name: 'stateMax' | 'minCallers', min: number): number | undefined => {
    const v = options[name];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min)) throw usageError(`${name} must be a whole number of at least ${min}`);
    return v;
  };
  const millis = (name: 'dedupeTtlMs' | 'windowMs' | 'cooldownMs', above: boolean): number | undefined => {
    const v = options[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && (above ? v > 0 : v >= 0))) {
      throw usageError(`${name} must be a number of milliseconds ${above ? 'above' : 'of at least'} 0`);
    }
    return v;
  };
  const bool = (name: 'firstCall' | 'withCalls'): boolean => {
    const v = options[name];
    if (v !== undefined && typeof v !== 'boolean') throw usageError(`${name} must be true or false`);
    return v === true;
  };

  let kind = options.dedupe;
  if (kind !== undefined && !DEDUPE_KINDS.includes(kind)) throw usageError(`dedupe: '${String(kind)}' is not one of ${DEDUPE_KINDS.join(', ')}`);
  if (bool('firstCall')) {
    if (kind !== undefined && kind !== 'token') throw usageError(`firstCall is dedupe 'token': it cannot go with dedupe '${kind}'`);
    kind = 'token';
  }
  const ttlMs = millis('dedupeTtlMs', true) ?? 24 * 3_600_000;
  const stateMax = whole('stateMax', 1) ?? DEFAULT_STATE_MAX;
  const minCallers = whole('minCallers', 2);
  const withCalls = bool('withCalls');
  if (withCalls && minCallers === undefined) throw usageError('withCalls goes with minCallers');
  const windowMs = millis('windowMs', true) ?? 10 * 60_000;
  const cooldownMs = millis('cooldownMs', false) ?? windowMs;
  return {
    stateMax,
    dedupe: kind === undefined ? undefined : { kind, ttlMs },
    multiCall: minCallers === undefined ? undefined : { minCallers, windowMs, windowText: formatWindow(windowMs), cooldownMs, withCalls },
  };
}

/** A signal's `window` as --window would be written: `10m`, `90s`, `1h`, `1500ms`. */
function formatWindow(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

type Millis = 'connectTimeoutMs' | 'backoffMinMs' | 'backoffMaxMs' | 'pingIntervalMs' | 'pongTimeoutMs' | 'idleTimeoutMs' | 'maxMessageSize';

function tuningOf(options: LiveCallsOptions) {
  const ms = (name: Millis, fallback: number, min = 0): number => {
    const v = options[name];
    if (v === undefined) return fallback;
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= 2 ** 31 - 1)) throw usageError(`${name} must be a number of at least ${min}`);
    return v;
  };
  const minMs = ms('backoffMinMs', 1000, 1);
  const maxMs = ms('backoffMaxMs', 30_000, 1);
  if (minMs > maxMs) throw usageError(`backoffMinMs (${minMs}) is above backoffMaxMs (${maxMs})`);
  const { maxRetries = Infinity } = options;
  if (!(maxRetries === Infinity || (Number.isSafeInteger(maxRetries) && maxRetries >= 0))) throw usageError('maxRetries must be a whole number of at least 0, or Infinity');
  return {
    policy: { minMs, maxMs, maxRetries },
    connection: {
      connectTimeoutMs: ms('connectTimeoutMs', 10_000, 1),
      pingIntervalMs: ms('pingIntervalMs', 15_000),
      pongTimeoutMs: ms('pongTimeoutMs', 10_000, 1),
      idleTimeoutMs: ms('idleTimeoutMs', 0),
      maxMessageSize: ms('maxMessageSize', 1024 * 1024, 1),
      compress: false,
    },
  };
}
