import { isUtf8 } from 'node:buffer';
import { classifyBytes, type Call, type OtherMessage, type SkipKind } from '../wire/calls.js';
import { AuthRejectedError, GaveUpError, WrongEndpointError } from '../errors.js';
import type { Batch } from '../wire/message.js';
import { newSourceCounts, type Source } from '../pipeline/source.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { causeOf, connectionWasGood, decide, type BackoffPolicy, type ConnectionEnd } from './policy.js';
import type { ReconnectCause, StatusListener } from './status.js';

/**
 * The reader loop: one endless stream of messages across reconnects, so the rest of the program is
 * `for await (const batch of reader)`. It yields batches, the messages of one socket read, because
 * one await and one write per read (not per message) is what keeps up with a burst. It reports
 * what happens as statuses and throws typed errors; wording and exit codes are the caller's.
 */

export interface ReaderOptions {
  connection: ConnectionOptions;
  policy: BackoffPolicy;
  allTypes: boolean;
  /** The URL with the key redacted, for statuses. */
  display: string;
  onStatus?: StatusListener;
  random?: () => number;
}

/**
 * Queued frame bytes past which the socket is paused, and below which it is resumed. Counted in
 * bytes, not messages, so a feed of large messages is bounded as tightly as one of small.
 */
const PAUSE_AT = 1 << 16;
const RESUME_AT = 1 << 14;

export class Reader implements Source {
  readonly counts = newSourceCounts();
  reconnects = 0;
  private readonly reconnectsBy: Partial<Record<ReconnectCause, number>> = {};
  private stopped = false;
  private connection: Connection | undefined;
  private wakeSleep: (() => void) | undefined;
  private readonly onStatus: StatusListener;

  constructor(private readonly options: ReaderOptions) {
    this.onStatus = options.onStatus ?? (() => undefined);
  }

  /** Stops reading: closes the socket with 1000 (frames still in flight are not read); batches
   * already queued are still yielded. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connection?.close({ kind: 'stopped' }, 1000);
    this.wakeSleep?.();
  }

  summary(): string {
    return `reconnects ${this.reconnects}`;
  }

  reconnectCounts(): Readonly<Record<string, number>> {
    return this.reconnectsBy;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const { policy, display } = this.options;
    const random = this.options.random ?? Math.random;
    let failures = 0;
    let connectedBefore = false;
    try {
      while (!this.stopped) {
        const session = new Session(this.options, this.counts, {
          skip: (kind) => this.skipped(kind),
          opened: () => this.onStatus({ type: 'connected', url: display, reconnected: this.reconnects > 0 }),
        });
        this.connection = session.connection;
        for (let batch = await session.next(); batch; batch = await session.next()) yield batch;
        const end = session.end!;
        if (this.stopped) return;
        const upMs = session.connection.openedAt === undefined ? undefined : Date.now() - session.connection.openedAt;
        const good = connectionWasGood(policy, upMs, session.delivered);
        if (good) failures = 0;
        if (end.kind === 'too-large') {
          this.counts.received++;
          this.skipped('too-large');
        }
        const verdict = decide(end, policy, failures, random, Date.now(), connectedBefore);
        connectedBefore ||= session.connection.openedAt !== undefined;
        if (verdict.action === 'stop') return;
        if (verdict.action === 'auth-rejected') throw new AuthRejectedError(`authentication rejected: ${verdict.why}`);
        if (verdict.action === 'proxy-refused') throw new AuthRejectedError(`the proxy refused the connection (${verdict.why})`, 'proxy');
        if (verdict.action === 'wrong-endpoint') throw new WrongEndpointError(`no live-calls stream at ${display}: ${verdict.why}`);
        if (verdict.action === 'give-up') {
          const attempts = failures + 1;
          throw new GaveUpError(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${verdict.why}`, attempts);
        }
        if (!good) failures++;
        // Not 'stopped': that ending returned above.
        const cause = causeOf(end as Exclude<ConnectionEnd, { kind: 'stopped' }>);
        this.onStatus({ type: 'reconnecting', reason: verdict.why, cause, delayMs: verdict.delayMs, attempt: failures + 1 });
        await this.sleep(verdict.delayMs);
        if (!this.stopped) {
          this.reconnects++;
          this.reconnectsBy[cause] = (this.reconnectsBy[cause] ?? 0) + 1;
        }
      }
    } finally {
      this.connection?.close({ kind: 'stopped' }, 1000);
    }
  }

  private skipped(kind: SkipKind): void {
    this.counts.skipped[kind]++;
    this.onStatus({ type: 'skipped', kind, count: this.counts.skipped[kind] });
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
  private current: (Call | OtherMessage)[] | undefined;
  /** The arrival time of the socket read being collected: one clock read per read. */
  private currentAt = 0;
  private waiter: ((batch: Batch | undefined) => void) | undefined;

  constructor(
    private readonly options: ReaderOptions,
    private readonly counts: { received: number },
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
    this.counts.received++;
    if (isBinary) return this.hooks.skip('binary');
    // Text that is not UTF-8 cannot be JSON: one bad frame is skipped, the connection lives on.
    if (!isUtf8(data)) return this.hooks.skip('not-json');
    if (this.current === undefined) {
      this.current = [];
      this.currentAt = Date.now();
      // ws emits every frame of one socket read synchronously: the microtask runs after the last.
      queueMicrotask(this.flush);
    }
    const result = classifyBytes(data, this.currentAt, this.options.allTypes);
    if (typeof result === 'string') return this.hooks.skip(result);
    this.delivered++;
    this.currentSize += data.length;
    this.current.push(result);
  }

  private readonly flush = (): void => {
    const messages = this.current;
    if (messages === undefined) return;
    const size = this.currentSize;
    this.current = undefined;
    this.currentSize = 0;
    if (messages.length === 0) return;
    this.queue.push({ batch: messages, size });
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
