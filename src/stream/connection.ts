import type { Agent, ClientRequest } from 'node:http';
import WebSocket from 'ws';
import type { ConnectionEnd } from './policy.js';

/**
 * One WebSocket connection: open it, watch it, report how it ended. It knows nothing of retries
 * (reader.ts composes it with the policy), of frames' contents, or of where lines go.
 */

/** How a connection is watched and bounded: the options a user tunes (options.ts). */
export interface ConnectionTuning {
  connectTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** 0 turns the idle watchdog off. */
  idleTimeoutMs: number;
  maxMessageSize: number;
  compress: boolean;
}

export interface ConnectionOptions extends ConnectionTuning {
  url: string;
  headers: Record<string, string>;
  agent: Agent | undefined;
}

export interface ConnectionEvents {
  onOpen(): void;
  onFrame(data: Buffer, isBinary: boolean): void;
  /** Called exactly once, after the socket is gone. */
  onEnd(end: ConnectionEnd): void;
}

/** How long a closing handshake may take before the socket is simply destroyed. */
const CLOSE_GRACE_MS = 1000;
/** The idle watchdog checks this many times per --idle-timeout: precise to a tenth of it. */
const IDLE_TICKS = 10;

export class Connection {
  private readonly ws: WebSocket;
  private ending: ConnectionEnd | undefined;
  private paused = false;
  /** Closed from our side: frames still arriving during the close are not read. */
  private closing = false;
  /** Set by any frame or pong; cleared when a ping goes out. */
  private heard = true;
  /** Set by any frame; cleared by each idle tick. */
  private gotFrame = false;
  private quietTicks = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private pongTimer: NodeJS.Timeout | undefined;
  openedAt: number | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.ws = new WebSocket(options.url, {
      headers: options.headers,
      // ws has no default: without it a server that never answers the upgrade hangs us forever.
      handshakeTimeout: options.connectTimeoutMs,
      maxPayload: options.maxMessageSize,
      perMessageDeflate: options.compress,
      // A redirect would carry the key (query or header) to wherever it points.
      followRedirects: false,
      // Frames are checked in the reader, which skips a bad one; ws would close the connection.
      skipUTF8Validation: true,
      // Every frame of one socket read is emitted in one go: the reader batches on that.
      allowSynchronousEvents: true,
      agent: options.agent,
    });
    // ws's own timeout is per socket inactivity; this one bounds the whole TCP+TLS+upgrade.
    const connectTimer = setTimeout(() => this.end({ kind: 'unreachable', message: 'connect timeout (--connect-timeout)' }), options.connectTimeoutMs);
    this.ws.on('open', () => {
      clearTimeout(connectTimer);
      this.openedAt = Date.now();
      this.startWatchdogs();
      events.onOpen();
    });
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.closing) return;
      this.heard = true;
      this.gotFrame = true;
      events.onFrame(data, isBinary);
    });
    this.ws.on('pong', () => {
      this.heard = true;
    });
    // https-proxy-agent replays a proxy's refusal of CONNECT as if it were the server's answer to
    // the upgrade; its 'proxyConnect' event (on the agent, with the request) tells the two apart.
    let proxyAnswer: { req: ClientRequest; status: number } | undefined;
    const onProxyConnect = (connect: { statusCode?: number }, req: ClientRequest): void => {
      proxyAnswer = { req, status: connect.statusCode ?? 0 };
    };
    options.agent?.on('proxyConnect', onProxyConnect);
    this.ws.on('unexpected-response', (req, res) => {
      const retryAfter = res.headers['retry-after'];
      if (proxyAnswer?.req === req && proxyAnswer.status !== 200) this.ending ??= { kind: 'proxy', status: proxyAnswer.status };
      this.ending ??= {
        kind: 'http',
        status: res.statusCode ?? 0,
        ...(retryAfter !== undefined && { retryAfter: String(retryAfter) }),
        ...(res.headers.location !== undefined && { location: res.headers.location }),
      };
      res.resume();
      // With this listener ws leaves the handshake to us: abort it, which emits 'close'.
      this.ws.terminate();
    });
    // ws emits 'error' and then 'close': the ending is decided from 'close' alone, once.
    this.ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.ending ??= { kind: 'too-large' };
      else if (this.openedAt === undefined) this.ending ??= { kind: 'unreachable', message: describeNetworkError(err) };
      // ws sent a close frame (1009, 1007, ...); do not wait 30 s for the peer to answer it.
      setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      clearTimeout(connectTimer);
      options.agent?.off('proxyConnect', onProxyConnect);
      this.stopWatchdogs();
      events.onEnd(this.ending ?? { kind: 'closed', code, reason: reason.toString() });
    });
  }

  /** Stops reading from the socket; TCP flow control then slows the sender. */
  pause(): void {
    this.paused = true;
    this.ws.pause();
  }

  resume(): void {
    this.paused = false;
    // Pongs were not read while paused: give the link a fresh chance instead of a false alarm.
    this.heard = true;
    this.quietTicks = 0;
    this.ws.resume();
  }

  /** Ends the connection from our side: a close frame when open, then the socket goes. */
  close(end: ConnectionEnd, code = 1000): void {
    this.ending ??= end;
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(code);
      setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
    } else {
      this.ws.terminate();
    }
  }

  private end(end: ConnectionEnd): void {
    this.ending ??= end;
    this.ws.terminate();
  }

  private startWatchdogs(): void {
    const { pingIntervalMs, pongTimeoutMs, idleTimeoutMs } = this.options;
    if (pingIntervalMs > 0) {
      this.timers.push(
        setInterval(() => {
          if (this.paused || this.pongTimer) return;
          this.heard = false;
          this.ws.ping();
          this.pongTimer = setTimeout(() => {
            this.pongTimer = undefined;
            if (!this.heard && !this.paused) this.end({ kind: 'heartbeat' });
          }, pongTimeoutMs);
        }, pingIntervalMs),
      );
    }
    if (idleTimeoutMs > 0) {
      this.timers.push(
        setInterval(() => {
          if (this.paused || this.gotFrame) {
            this.gotFrame = false;
            this.quietTicks = 0;
          } else if (++this.quietTicks >= IDLE_TICKS) {
            this.end({ kind: 'idle' });
          }
        }, idleTimeoutMs / IDLE_TICKS),
      );
    }
  }

  private stopWatchdogs(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }
}

function describeNetworkError(err: Error & { code?: string }): string {
  // ws's own wording ("Opening handshake has timed out") is clear; errno codes get a hint.
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listening)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code})`;
    case 'ECONNRESET':
      return 'connection reset during the handshake';
    default:
      return err.message;
  }
}
