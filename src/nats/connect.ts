import fs from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
  type Authenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { AuthRejectedError, GaveUpError, usageError, type RexiLiveError } from '../errors.js';
import { backoffDelay, type BackoffPolicy } from '../stream/policy.js';
import { redactNatsUrls, type NatsTarget } from './url.js';

/**
 * One NATS connection for a run. The first connect follows the reader loop's policy (the
 * client's own `waitOnFirstConnect` ignores any attempt limit, so the loop is here); once
 * connected, the client reconnects forever. Credentials rejected: no retry, exit 3.
 */

export type NatsStatus =
  | { type: 'connected'; server: string; reconnect: boolean }
  | { type: 'reconnecting'; reason: string; delayMs: number; attempt: number }
  | { type: 'disconnected'; server: string }
  | { type: 'error'; message: string };

export interface NatsConnectOptions {
  target: NatsTarget;
  /** First-connect policy: --backoff-min, --backoff-max, --max-retries / --no-retry. */
  policy: BackoffPolicy;
  /** Bounds each TCP + TLS + handshake (--connect-timeout). */
  connectTimeoutMs?: number;
  /** How often the client pings the server; two unanswered pings mean a dead link. */
  pingIntervalMs?: number;
  onStatus?: (status: NatsStatus) => void;
  /** Ends the first-connect loop early (a signal during start-up). */
  signal?: AbortSignal;
  random?: () => number;
}

export interface NatsLink {
  readonly nc: NatsConnection;
  /** The URL as it may be shown. */
  readonly display: string;
  readonly connected: boolean;
  /** Reconnects since the first connect. */
  readonly reconnects: number;
  /** Resolves at once when connected, else at the next reconnect (or when closed). */
  whenConnected(): Promise<void>;
  /** Resolves when the connection is closed for good: with the error that closed it, if any. */
  readonly failed: Promise<RexiLiveError | undefined>;
  /** Flushes what is buffered (acknowledgements) and closes. */
  close(): Promise<void>;
}

function readFile(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw usageError(`${flag}: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function authenticatorFor(target: NatsTarget): Authenticator | undefined {
  const a = target.auth;
  switch (a.kind) {
    case 'none':
      return undefined;
    case 'user':
      return usernamePasswordAuthenticator(a.user, a.pass);
    case 'token':
      return tokenAuthenticator(a.token);
    case 'creds': {
      const creds = readFile(a.file, a.source);
      const text = creds.toString('utf8');
      if (!/-----BEGIN NATS USER JWT-----/.test(text) || !/-----BEGIN USER NKEY SEED-----/.test(text)) {
        throw usageError(`${a.source}: '${a.file}' is not a NATS credentials file (a user JWT and its nkey seed)`);
      }
      return credsAuthenticator(new Uint8Array(creds));
    }
    case 'nkey': {
      const seed = readFile(a.file, a.source).toString('utf8').trim();
      if (!/^S[A-Z2-7]{50,}$/.test(seed)) throw usageError(`${a.source}: '${a.file}' does not hold an nkey seed (a line starting with S)`);
      return nkeyAuthenticator(new TextEncoder().encode(seed));
    }
  }
}

/**
 * The client's options for a target. Credentials and TLS are set explicitly: the client takes
 * neither from a URL. Files are read here, so an unreadable one is a usage error (exit 2).
 */
export function connectOptions(target: NatsTarget, extra: Partial<NodeConnectionOptions> = {}): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: target.servers,
    name: 'rexi-live',
    maxReconnectAttempts: -1,
    waitOnFirstConnect: false,
    // Every request (each publish) otherwise makes two Errors up front for their stack traces; they
    // live until the acknowledgement, and a catch-up after an outage promoted them by the megabyte.
    noAsyncTraces: true,
    ...extra,
  };
  const authenticator = authenticatorFor(target);
  if (authenticator) options.authenticator = authenticator;
  if (target.tls) {
    const tls: NonNullable<NodeConnectionOptions['tls']> = {};
    if (target.tlsFiles.ca !== undefined) tls.ca = readFile(target.tlsFiles.ca, target.terms('natsCa')).toString('utf8');
    if (target.tlsFiles.cert !== undefined) tls.cert = readFile(target.tlsFiles.cert, target.terms('natsCert')).toString('utf8');
    if (target.tlsFiles.key !== undefined) tls.key = readFile(target.tlsFiles.key, target.terms('natsKey')).toString('utf8');
    options.tls = tls;
  }
  // Over plain nats://, servers gossiped by the cluster must not receive credentials the user
  // only meant for the hosts in the URL.
  if (target.auth.kind !== 'none' && !target.tls) options.ignoreClusterUpdates = true;
  return options;
}

/** How a failed connect attempt ended, as far as retrying goes. */
export type AttemptEnd = { kind: 'auth'; message: string } | { kind: 'tls'; message: string } | { kind: 'unreachable'; message: string };

const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_OSSL)/;

function errorChain(e: unknown): Error[] {
  const chain: Error[] = [];
  let cur: unknown = e;
  while (cur instanceof Error && chain.length < 5) {
    chain.push(cur);
    cur = cur.cause;
  }
  return chain;
}

/** A socket error's code in words: the client wraps it in an error that says the same, once is enough. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
};

/**
 * The chain of messages, each said once: `connection refused (127.0.0.1:4999)`, not
 * `connection refused: connect ECONNREFUSED 127.0.0.1:4999`.
 */
function describeChain(chain: readonly Error[]): string {
  const parts: string[] = [];
  for (const err of chain) {
    const { code, address, port, hostname } = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
    const words = typeof code === 'string' ? SYSTEM_ERRORS[code] : undefined;
    if (words !== undefined) {
      // What the wrapping errors said is this error in other words: they go.
      while (parts.length > 0 && parts[parts.length - 1]!.toLowerCase() === words) parts.pop();
      const where = address !== undefined ? `${address}${port !== undefined ? `:${port}` : ''}` : hostname;
      parts.push(where !== undefined ? `${words} (${where})` : words);
      break;
    }
    if (err.message && !parts.includes(err.message)) parts.push(err.message);
  }
  return parts.join(': ');
}

export function classifyConnectError(e: unknown): AttemptEnd {
  const chain = errorChain(e);
  const message = redactNatsUrls(describeChain(chain) || String(e));
  for (const err of chain) {
    if (err.name === 'AuthorizationError' || err.name === 'UserAuthenticationExpiredError') return { kind: 'auth', message };
    const code = (err as NodeJS.ErrnoException).code;
    if ((typeof code === 'string' && TLS_CODE.test(code)) || /\btls\b|ssl|certificate/i.test(err.message)) return { kind: 'tls', message };
  }
  return { kind: 'unreachable', message };
}

/**
 * What the server said, and which credentials it said it to. What to fix (variables, flags) is the
 * caller's to add: the CLI and the library name their settings differently.
 */
function rejected(target: NatsTarget, why: string): AuthRejectedError {
  const message = target.auth.kind === 'none'
    ? `NATS at ${target.display} requires credentials (${why})`
    : `NATS at ${target.display} rejected the credentials from ${target.auth.source} (${why})`;
  return new AuthRejectedError(message, 'nats');
}

/** Gave up on the first connect; `tls` when the attempts failed in the TLS handshake (CA, client certificate). */
export class NatsGaveUpError extends GaveUpError {
  constructor(
    message: string,
    attempts: number,
    readonly tls: boolean,
  ) {
    super(message, attempts);
    this.name = 'GaveUpError';
  }
}

/**
 * An attempt that a signal ends at once (Ctrl-C while a server does not answer), rather than after
 * --connect-timeout; a connection it then makes anyway is closed.
 */
function abortable(attempt: Promise<NatsConnection>, signal: AbortSignal | undefined): Promise<NatsConnection> {
  if (signal === undefined) return attempt;
  if (signal.aborted) {
    void attempt.then((nc) => nc.close(), () => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      void attempt.then((nc) => nc.close(), () => undefined);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    attempt.then(
      (nc) => {
        signal.removeEventListener('abort', onAbort);
        resolve(nc);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Connects, retrying as the policy allows. Throws a usage error for unreadable files, an auth
 * error (exit 3) for rejected credentials, a gave-up error (exit 4) once retries are exhausted.
 */
export async function connectNats(o: NatsConnectOptions): Promise<NatsLink> {
  const random = o.random ?? Math.random;
  const { target, policy } = o;
  // Reconnects after the first connect use the same backoff; the count restarts once back.
  let reconnectFailures = 0;
  const options = connectOptions(target, {
    timeout: o.connectTimeoutMs ?? 10_000,
    ...(o.pingIntervalMs !== undefined ? { pingInterval: o.pingIntervalMs, maxPingOut: 2 } : {}),
    reconnectDelayHandler: () => backoffDelay(policy, reconnectFailures++, random),
  });

  let nc: NatsConnection | undefined;
  for (let failures = 0; ; failures++) {
    try {
      nc = await abortable(connect(options), o.signal);
      break;
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      const end = classifyConnectError(e);
      if (end.kind === 'auth') throw rejected(target, end.message);
      // A server that refuses a client certificate often just drops the link after the
      // handshake: over TLS, anything but a refused or unresolvable address gets the hint too.
      const tlsSuspect = end.kind === 'tls' || (target.tls && !/refused|host not found|host lookup failed|ENOTFOUND|EAI_AGAIN/i.test(end.message));
      const why = tlsSuspect ? `TLS failed (${end.message})` : end.message;
      if (failures >= policy.maxRetries) {
        throw new NatsGaveUpError(`gave up connecting to NATS at ${target.display} after ${failures + 1} attempt${failures === 0 ? '' : 's'}: ${why}`, failures + 1, tlsSuspect);
      }
      const delayMs = backoffDelay(policy, failures, random);
      o.onStatus?.({ type: 'reconnecting', reason: why, delayMs, attempt: failures + 1 });
      await sleep(delayMs, o.signal);
    }
  }
  return watch(nc, target, o.onStatus, () => (reconnectFailures = 0));
}

function watch(nc: NatsConnection, target: NatsTarget, onStatus: NatsConnectOptions['onStatus'], resetBackoff: () => void): NatsLink {
  let connected = true;
  let reconnects = 0;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  onStatus?.({ type: 'connected', server: nc.getServer(), reconnect: false });
  let lastError: RexiLiveError | undefined;
  void (async () => {
    let attempt = 0;
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          connected = false;
          attempt = 0;
          onStatus?.({ type: 'disconnected', server: s.server });
          break;
        case 'reconnecting':
          onStatus?.({ type: 'reconnecting', reason: 'connection lost', delayMs: 0, attempt: ++attempt });
          break;
        case 'reconnect':
          connected = true;
          reconnects++;
          resetBackoff();
          onStatus?.({ type: 'connected', server: s.server, reconnect: true });
          wake();
          break;
        case 'error': {
          const end = classifyConnectError(s.error);
          if (end.kind === 'auth') lastError = rejected(target, end.message);
          onStatus?.({ type: 'error', message: end.message });
          break;
        }
        default:
          break;
      }
    }
  })();
  const failed = nc.closed().then((err) => {
    connected = false;
    wake();
    if (err === undefined) return lastError;
    const end = classifyConnectError(err);
    return end.kind === 'auth' ? rejected(target, end.message) : new GaveUpError(`NATS connection to ${target.display} closed: ${end.message}`, 1);
  });
  return {
    nc,
    display: target.display,
    get connected() {
      return connected && !nc.isClosed();
    },
    get reconnects() {
      return reconnects;
    },
    whenConnected() {
      if ((connected && !nc.isClosed()) || nc.isClosed()) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    failed,
    async close() {
      if (nc.isClosed()) return;
      // A flush first: acknowledgements sent a moment ago reach the server before the close.
      if (connected) await Promise.race([nc.flush().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      await nc.close();
    },
  };
}
