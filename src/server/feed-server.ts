import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LIVECALLS_PATH } from '../stream/endpoint.js';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { createKeyCheck, presentedKey } from './auth.js';
import { createMalformedInjector, textFrame, type Frame } from './faults.js';
import { createCallGenerator } from './generator.js';
import { openReplay } from './replay.js';
import { retimeCall } from './retime.js';

/**
 * The local live-calls feed behind `rexi-live serve` and `demo`: the service's protocol on one
 * path, a broadcast timeline (synthetic calls or a replayed capture), heartbeats, bounded
 * per-client buffering and opt-in faults. Sources and faults live in their own modules; this one
 * only owns sockets and timers.
 */

/** The service's path (endpoint.ts): the feed speaks the same protocol at the same place. */
export const FEED_PATH = LIVECALLS_PATH;

export interface FeedServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Accepted API keys; empty accepts any non-empty key. */
  keys: string[];
  /** Synthetic calls per second (fractions allowed); ignored with `replay`; 0 sends none. */
  rate: number;
  /** Makes the synthetic feed reproducible; random when absent. */
  seed?: number;
  /** `retime`: each call gets the time it is sent as `data.timestamp` instead of the capture's. */
  replay?: { file: string; speed: number; loop: boolean; retime?: boolean };
  /** Fault injection: terminate each connection (no close frame) after n frames sent to it. */
  dropEvery?: number;
  /** Fault injection, 0..1: the share of frames replaced by malformed ones. */
  malformedRate?: number;
  /** Default 15000: clients that did not pong since the previous ping are terminated. */
  pingIntervalMs?: number;
  /** Default 1 MiB: a client with more than this queued is closed with 1013. */
  maxBufferedBytes?: number;
  logger: Logger;
}

export interface FeedServer {
  /** `ws://HOST:PORT/solana/monitor/livecalls`, IPv6 hosts bracketed. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The seed of the synthetic feed (pass it to --seed to repeat a run); undefined for a replay. */
  readonly seed: number | undefined;
  /** Clients currently connected. */
  readonly clients: number;
  /** Frames sent, to all clients together, since the start. */
  readonly sent: number;
  /** Stops the feed, closes clients with 1001 (terminating stragglers) and the listener. */
  close(): Promise<void>;
}

const DEFAULT_PING_INTERVAL_MS = 15_000;
const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long a closing client may take to finish the close handshake before it is cut. */
const SLOW_CLOSE_GRACE_MS = 2000;
const SHUTDOWN_GRACE_MS = 1000;
/** The synthetic feed's finest timer: high rates send several calls per tick instead. */
const MIN_TICK_MS = 10;
/** Clients send nothing but control frames; a large message is abuse. */
const MAX_CLIENT_PAYLOAD = 64 * 1024;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_TRY_AGAIN_LATER = 1013;

interface Client {
  readonly ws: WebSocket;
  readonly remote: string;
  /** Frames sent, for --drop-every. */
  sent: number;
  /** Answered the last ping. */
  alive: boolean;
  /** Being closed or dropped: gets no more frames. */
  leaving: boolean;
  killTimer: NodeJS.Timeout | undefined;
}

export async function startFeedServer(options: FeedServerOptions): Promise<FeedServer> {
  const { logger } = options;
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const dropEvery = options.dropEvery ?? 0;
  validate(options);

  // Opened before listening, so a bad --replay fails before anyone is told to connect.
  const replay = options.replay ? await openReplay({ ...options.replay, logger }) : undefined;
  const retime = options.replay?.retime === true;
  const generator = replay ? undefined : createCallGenerator(options.seed, { rate: options.rate });
  const malformed = createMalformedInjector(options.malformedRate ?? 0);
  const checkKey = createKeyCheck(options.keys);

  const clients = new Set<Client>();
  let sentTotal = 0;
  const sockets = new Set<Socket>();
  let shuttingDown = false;
  let onNoClients: (() => void) | undefined;

  const http = createServer(answerPlainRequest);
  const wss = new WebSocketServer({ noServer: true, clientTracking: true, perMessageDeflate: false, maxPayload: MAX_CLIENT_PAYLOAD });

  // Tracked so close() can cut handshakes in progress and silent peers, leaving no handle open.
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const remote = remoteOf(req);
    if (shuttingDown) return rejectUpgrade(socket, 503);
    const url = parseTarget(req);
    if (url?.pathname !== FEED_PATH) {
      logger.info({ remote, path: url?.pathname }, 'rejected connection: unknown path (404)');
      return rejectUpgrade(socket, 404);
    }
    // The key itself is never logged, not even a wrong one: it may be a real key sent to the wrong place.
    const auth = checkKey(presentedKey(req, url));
    if (!auth.ok) {
      logger.warn({ remote, reason: auth.reason }, `rejected connection: ${auth.reason} (401)`);
      return rejectUpgrade(socket, 401, { 'WWW-Authenticate': 'Bearer realm="livecalls"' });
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const client: Client = { ws, remote: remoteOf(req), sent: 0, alive: true, leaving: false, killTimer: undefined };
    clients.add(client);
    logger.info({ remote: client.remote, clients: clients.size }, 'client connected');
    ws.on('error', (err) => logger.debug({ remote: client.remote, err: err.message }, 'client socket error'));
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('close', (code) => {
      clients.delete(client);
      clearTimeout(client.killTimer);
      logger.info({ remote: client.remote, code, clients: clients.size }, 'client disconnected');
      if (clients.size === 0) onNoClients?.();
    });
    startReplay();
  });

  function broadcast(frame: Frame): void {
    for (const client of clients) {
      const { ws } = client;
      if (client.leaving || ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > maxBufferedBytes) {
        closeSlowClient(client);
        continue;
      }
      client.sent++;
      sentTotal++;
      if (dropEvery > 0 && client.sent >= dropEvery) {
        client.leaving = true;
        logger.info({ remote: client.remote, sent: client.sent }, 'dropping the connection (--drop-every)');
        // Cut once the last frame reached the kernel, so the client sees exactly n frames.
        ws.send(frame.data, { binary: frame.binary }, () => ws.terminate());
      } else {
        ws.send(frame.data, { binary: frame.binary });
      }
    }
  }

  function closeSlowClient(client: Client): void {
    client.leaving = true;
    logger.warn({ remote: client.remote, bufferedBytes: client.ws.bufferedAmount }, 'closing a slow client (1013)');
    client.ws.close(CLOSE_TRY_AGAIN_LATER, 'client too slow');
    // The close frame waits behind the backlog; a reader that stays stuck is cut.
    client.killTimer = setTimeout(() => client.ws.terminate(), SLOW_CLOSE_GRACE_MS);
  }

  const receiving = (): boolean => {
    for (const client of clients) if (!client.leaving) return true;
    return false;
  };

  /** Sends one message of the timeline, or the malformed frame that replaces it. */
  function emit(text: () => string): void {
    if (!receiving()) return;
    broadcast(malformed() ?? textFrame(text()));
  }

  // The synthetic timeline: a token bucket on a coarse timer, so 0.5/s and 5000/s are both exact
  // on average. While nobody listens, calls are not even generated, so a client of a seeded feed
  // always starts from the seed's first call.
  let tickTimer: NodeJS.Timeout | undefined;
  if (generator && options.rate > 0) {
    const rate = options.rate;
    const startedAt = performance.now();
    const maxBurst = Math.max(1, Math.ceil(rate)); // after a stall, catch up one second at most
    let counted = 0;
    tickTimer = setInterval(
      () => {
        // +0.5: a timer firing a hair early must not push a call into the next tick.
        const due = Math.floor(((performance.now() - startedAt) * rate) / 1000 + 0.5) - counted;
        if (due <= 0) return;
        counted += due;
        if (!receiving()) return;
        const nowMs = Date.now();
        const next = (): string => generator.next(nowMs);
        for (let i = Math.min(due, maxBurst); i > 0; i--) emit(next);
      },
      Math.max(MIN_TICK_MS, 1000 / rate),
    );
  }

  // A replay's timeline starts with the first client, so `serve --replay` then `tail` shows the
  // capture from its first line; from then on it runs whoever is connected, like the real feed.
  const replayAbort = new AbortController();
  let replayTask: Promise<void> | undefined;
  function startReplay(): void {
    if (!replay || replayTask) return;
    replayTask = (async () => {
      try {
        // Stamped as it is sent, not as it is read: the clock a looped capture must never go back on.
        const stamped = (text: string) => (): string => retimeCall(text, Date.now());
        for await (const text of replay.play(replayAbort.signal)) emit(retime ? stamped(text) : () => text);
        if (!replayAbort.signal.aborted) logger.info({ messages: replay.stats.messages, skipped: replay.stats.skipped }, 'replay finished');
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'replay stopped');
      }
    })();
  }

  const pingTimer = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        logger.info({ remote: client.remote }, 'terminating a client that did not answer the last ping');
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, pingIntervalMs);

  try {
    await listen(http, options.host, options.port);
  } catch (err) {
    clearInterval(tickTimer);
    clearInterval(pingTimer);
    wss.close();
    throw err;
  }
  http.on('error', (err) => logger.error({ err: err.message }, 'feed server error'));

  const address = http.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  const host = options.host;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}${FEED_PATH}`;
  logger.debug({ url, seed: generator?.seed, replay: options.replay?.file, rate: options.rate }, 'feed server ready');

  async function shutdown(): Promise<void> {
    shuttingDown = true;
    clearInterval(tickTimer);
    clearInterval(pingTimer);
    replayAbort.abort();
    const listenerClosed = new Promise<void>((resolve) => http.close(() => resolve()));

    if (clients.size > 0) {
      const allGone = new Promise<void>((resolve) => (onNoClients = resolve));
      for (const client of clients) {
        client.leaving = true;
        client.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
      }
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([allGone, new Promise<void>((resolve) => (grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
      clearTimeout(grace);
    }
    for (const client of clients) client.ws.terminate();
    for (const socket of sockets) socket.destroy();
    await listenerClosed;
    await replayTask;
    for (const client of clients) clearTimeout(client.killTimer);
    wss.close();
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    seed: generator?.seed,
    get clients() {
      return clients.size;
    },
    get sent() {
      return sentTotal;
    },
    close: () => (closing ??= shutdown()),
  };
}

/**
 * The one check of the feed's values, for `serve`, `demo` and library users alike: a bad value
 * would fail obscurely later. The names are serve's flags, which are also the option names.
 */
function validate(options: FeedServerOptions): void {
  const { port, rate, seed, replay, dropEvery, malformedRate, pingIntervalMs, maxBufferedBytes } = options;
  if (!(Number.isSafeInteger(port) && port >= 0 && port <= 65535)) throw usageError(`--port: '${port}' is not a port (0 to 65535)`);
  if (options.keys.some((k) => k === '')) throw usageError('--key: a key cannot be empty');
  if (!(rate >= 0 && rate <= 1_000_000)) throw usageError(`--rate: '${rate}' is not a number from 0 to 1000000`);
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) throw usageError(`--seed: '${seed}' is not a whole number`);
  if (replay !== undefined && !(replay.speed > 0 && Number.isFinite(replay.speed))) throw usageError(`--speed: '${replay.speed}' must be a number above 0`);
  if (dropEvery !== undefined && !(Number.isSafeInteger(dropEvery) && dropEvery >= 1)) {
    throw usageError(`--drop-every: '${dropEvery}' is not a whole number of at least 1`);
  }
  if (malformedRate !== undefined && !(malformedRate >= 0 && malformedRate <= 1)) {
    throw usageError(`--malformed-rate: '${malformedRate}' must be a number from 0 to 1`);
  }
  if (pingIntervalMs !== undefined && !(pingIntervalMs > 0)) throw usageError('--ping-interval must be above 0');
  if (maxBufferedBytes !== undefined && !(maxBufferedBytes > 0)) throw usageError(`maxBufferedBytes must be above 0, got ${maxBufferedBytes}`);
}

/** Plain HTTP (no upgrade): 426 on the feed path, as a WebSocket endpoint answers, 404 elsewhere. */
function answerPlainRequest(req: IncomingMessage, res: ServerResponse): void {
  const status = parseTarget(req)?.pathname === FEED_PATH ? 426 : 404;
  const body = `${STATUS_CODES[status]}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(status === 426 ? { Upgrade: 'websocket', Connection: 'Upgrade' } : {}),
  });
  res.end(body);
}

/** A complete HTTP response on a socket not yet upgraded, then the socket is closed. */
function rejectUpgrade(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  const body = `${STATUS_CODES[status]}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** The request target as a URL; undefined when it is not one (answered with 404). */
function parseTarget(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function remoteOf(req: IncomingMessage): string {
  const { remoteAddress, remotePort } = req.socket;
  return remoteAddress?.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

/** Listens, turning the errors a user can fix into usage errors that name the flag. */
function listen(http: ReturnType<typeof createServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') reject(usageError(`--port ${port}: ${host}:${port} is already in use`));
      else if (err.code === 'EACCES') reject(usageError(`--port ${port}: permission denied (ports below 1024 need privileges)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
        reject(usageError(`--host ${host}: cannot listen on this address (${err.code})`));
      } else reject(err);
    };
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      resolve();
    });
  });
}
