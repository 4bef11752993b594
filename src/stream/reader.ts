import { isUtf8 } from 'node:buffer';
import { classifyFrame, type Message, type SkipKind } from '../calls.js';
import { authError, gaveUpError, usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { connectionWasGood, decide, type BackoffPolicy, type ConnectionEnd } from './policy.js';
import type { Stats } from './stats.js';
import { WarnLimiter } from './warn-limiter.js';

/**
 * The reader loop: one endless stream of messages across reconnects, so the rest of the program is
 * `for await (const batch of reader)`. It yields batches, the messages of one socket read, because
 * one await and one write per read (not per message) is what keeps up with a burst.
 */

export interface Batch {
  messages: Message[];
  /** Epoch ms at which the read arrived; shared by its messages. */
  receivedAt: number;
  /** Per-message times where they differ (a replayed capture); receivedAt otherwise. */
  times?: number[];
}

export interface ReaderOptions {
  connection: ConnectionOptions;
  policy: BackoffPolicy;
  allTypes: boolean;
  /** Whether anything downstream reads messages' values (filters, human formats). */
  keepValues: boolean;
  /** The URL with the key redacted, for logs. */
  display: string;
  /** Where the URL came from (`--url`, `REXI_BASE_URL`, ...): what to fix when nothing serves it. */
  urlSource: string;
  /** What to fix when the key is rejected: `REXI_API_KEY`, `--api-key-file`, ... */
  keyHint: string;
  /** The proxy in use, as it may be shown (`HTTPS_PROXY (http://***@proxy:3128)`); undefined for none. */
  proxyHint?: string | undefined;
  random?: () => number;
}

/**
 * Queued frame text past which the socket is paused, and below which it is resumed. Counted in
 * characters, not messages, so a feed of large messages is bounded as tightly as one of small.
 */
const PAUSE_AT = 1 << 16;
const RESUME_AT = 1 << 14;

export class Reader implements AsyncIterable<Batch> {
  private stopped = false;
  private connection: Connection | undefined;
  private wakeSleep: (() => void) | undefined;
  private readonly warn: WarnLimiter;

  constructor(
    private readonly options: ReaderOptions,
    private readonly stats: Stats,
    private readonly log: Logger,
  ) {
    this.warn = new WarnLimiter(stats, log);
  }

  /** Stops reading: closes the socket with 1000 (frames still in flight are not read); batches
   * already queued are still yielded. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connection?.close({ kind: 'stopped' }, 1000);
    this.wakeSleep?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const { policy, display } = this.options;
    const random = this.options.random ?? Math.random;
    let failures = 0;
    let connectedBefore = false;
    try {
      while (!this.stopped) {
        this.log.debug(`connecting to ${display}`);
        const session = new Session(this.options, this.stats, {
          skip: (kind) => this.warn.skipped(kind),
          opened: () => this.log.info(`${this.stats.reconnects === 0 ? 'connected to' : 'reconnected to'} ${display}`),
        });
        this.connection = session.connection;
        for (let batch = await session.next(); batch; batch = await session.next()) yield batch;
        const end = session.end!;
        if (this.stopped) return;
        const upMs = session.connection.openedAt === undefined ? undefined : Date.now() - session.connection.openedAt;
        const good = connectionWasGood(policy, upMs, session.delivered);
        if (good) failures = 0;
        if (end.kind === 'too-large') {
          this.stats.received++;
          this.warn.skipped('too-large');
        }
        const verdict = decide(end, policy, failures, random, Date.now(), connectedBefore);
        connectedBefore ||= session.connection.openedAt !== undefined;
        if (verdict.action === 'stop') return;
        if (verdict.action === 'auth-rejected') {
          throw authError(`authentication rejected: ${verdict.why}; check ${this.options.keyHint}`);
        }
        if (verdict.action === 'proxy-refused') {
          throw authError(`the proxy refused the connection (${verdict.why}): check the proxy and its credentials in ${this.options.proxyHint ?? 'HTTPS_PROXY / HTTP_PROXY'}`);
        }
        if (verdict.action === 'wrong-endpoint') {
          const flags = /^--(base-)?url$/.test(this.options.urlSource) ? '' : ' (or --url / --base-url)';
          throw usageError(`no live-calls stream at ${display}: ${verdict.why}; check ${this.options.urlSource}${flags}`);
        }
        if (verdict.action === 'give-up') {
          const attempts = failures + 1;
          throw gaveUpError(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${verdict.why}`);
        }
        if (!good) failures++;
        this.log.warn(`${verdict.why}; reconnecting in ${formatDelay(verdict.delayMs)}`);
        await this.sleep(verdict.delayMs);
        if (!this.stopped) this.stats.reconnects++;
      }
    } finally {
      this.connection?.close({ kind: 'stopped' }, 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }
}

/**
 * One connection's frames, queued in batches between the socket and the consumer. The queue is
 * what turns a slow consumer into a paused socket instead of growing memory.
 */
class Session {
  readonly connection: Connection;
  end: ConnectionEnd | undefined;
  /** Messages that passed classification: proof that the connection worked. */
  delivered = 0;
  private readonly queue: { batch: Batch; size: number }[] = [];
  private queued = 0;
  private currentSize = 0;
  private paused = false;
  private current: Message[] | undefined;
  private waiter: ((batch: Batch | undefined) => void) | undefined;

  constructor(
    private readonly options: ReaderOptions,
    private readonly stats: Stats,
    private readonly hooks: { skip: (kind: SkipKind) => void; opened: () => void },
  ) {
    this.connection = new Connection(options.connection, {
      onOpen: () => hooks.opened(),
      onFrame: (data, isBinary) => this.frame(data, isBinary),
      onEnd: (end) => {
        this.flush();
        this.end = end;
        this.wake();
      },
    });
  }

  next(): Promise<Batch | undefined> {
    const batch = this.take();
    if (batch || this.end) return Promise.resolve(batch);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private frame(data: Buffer, isBinary: boolean): void {
    this.stats.received++;
    if (isBinary) return this.hooks.skip('binary');
    // Text that is not UTF-8 cannot be JSON: one bad frame is skipped, the connection lives on.
    if (!isUtf8(data)) return this.hooks.skip('not-json');
    const raw = data.toString();
    const result = classifyFrame(raw, this.options.allTypes, raw.length === data.length, this.options.keepValues);
    if (typeof result === 'string') return this.hooks.skip(result);
    this.delivered++;
    this.currentSize += result.raw.length;
    if (this.current === undefined) {
      this.current = [];
      // ws emits every frame of one socket read synchronously: the microtask runs after the last.
      queueMicrotask(this.flush);
    }
    this.current.push(result);
  }

  private readonly flush = (): void => {
    const messages = this.current;
    if (messages === undefined) return;
    const size = this.currentSize;
    this.current = undefined;
    this.currentSize = 0;
    this.queue.push({ batch: { messages, receivedAt: Date.now() }, size });
    this.queued += size;
    if (!this.paused && this.queued >= PAUSE_AT) {
      this.paused = true;
      this.connection.pause();
    }
    this.wake();
  };

  private take(): Batch | undefined {
    const entry = this.queue.shift();
    if (entry === undefined) return undefined;
    this.queued -= entry.size;
    if (this.paused && this.queued <= RESUME_AT) {
      this.paused = false;
      this.connection.resume();
    }
    return entry.batch;
  }

  private wake(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    const batch = this.take();
    if (batch === undefined && this.end === undefined) return;
    this.waiter = undefined;
    waiter(batch);
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}
