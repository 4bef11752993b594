import { jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg, type StreamInfo } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import type { RexiLiveError } from '../errors.js';
import { describeError } from '../nats/api-errors.js';
import type { NatsConnectOptions, NatsLink } from '../nats/connect.js';
import type { StartPosition } from '../nats/start-position.js';
import { findReadStream, withJetStream } from '../nats/stream-setup.js';
import type { NatsTerms } from '../nats/url.js';
import { subjectCovers } from '../nats/subjects.js';
import { RECEIVED_AT_HEADER } from '../outputs/nats-publish.js';
import { newSourceCounts, type Source } from '../pipeline/source.js';
import { backoffDelay, type BackoffPolicy } from '../stream/policy.js';
import type { StatusListener } from '../stream/status.js';
import type { SkipKind } from '../wire/calls.js';
import type { Batch, Message } from '../wire/message.js';
import { AckBook } from './jetstream-acks.js';
import { JetStreamConsumer } from './jetstream-consumer.js';

/**
 * Batches read from a JetStream stream. Messages come by `fetch()`, one pull at a time, and a
 * pull is read to its end, or ended by draining its subscription (see endPull): dropping one in the
 * middle would strand the messages the server already sent (a durable then gets them only after its
 * ack wait, out of order).
 *
 * Without `durable`, a consumer with no acknowledgements is kept by hand: after any failure a new
 * one starts right after the last stream sequence seen, so a reconnect or server restart loses
 * and doubles nothing. With `durable`, each message is acknowledged only once the pipeline says
 * its batch was written; redeliveries of what was already taken are recognised by sequence.
 */


/** Longest a stop waits for the server to confirm a durable's pull is ended before dropping it. */
const END_PULL_LIMIT_MS = 1_000;

/** The subscription a nats.js 3 pull reads from: public on its implementation, not in its types. */
function pullSubscription(iter: ConsumerMessages): Subscription | undefined {
  const sub = (iter as { sub?: Partial<Subscription> }).sub;
  return typeof sub?.drain === 'function' && typeof sub.isClosed === 'function' ? (sub as Subscription) : undefined;
}

/** Turns a stored body into a message, or says why it is skipped (counted by the source). */
export type MessageFactory = (bytes: Uint8Array, receivedAt: number, subject: string) => Message | SkipKind;

export interface JetStreamSourceConfig {
  link: NatsLink;
  jsm: JetStreamManager;
  stream: StreamInfo;
  /** The subject read, wildcards allowed. */
  subject: string;
  /** `tail` reads on forever; `replay` ends at the last message stored when it started. */
  mode: 'tail' | 'replay';
  /** Where a new consumer starts: tail defaults to new messages, replay to all. */
  start?: StartPosition;
  durable?: string;
  toMessage: MessageFactory;
  /** Most messages per pull (and per batch). */
  batchSize?: number;
  /** How long one pull waits for messages (a stop does not wait for it: see endPull). */
  expiresMs?: number;
  /** A new durable's ack wait; messages held longer are kept alive with progress acks. */
  ackWaitMs?: number;
  /** Waits between attempts after a failed pull (full jitter). */
  retry?: { minMs: number; maxMs: number };
  onWarning?: (text: string) => void;
  /** A stored message that is not a call was skipped (statuses of kind 'skipped'). */
  onSkipped?: StatusListener;
  /** How errors name the options (flags by default). */
  terms?: NatsTerms;
  /** close() closes the connection too (default true). */
  ownsLink?: boolean;
  random?: () => number;
}

export class JetStreamSource implements Source {
  readonly counts = newSourceCounts();
  private readonly link: NatsLink;
  private readonly streamName: string;
  private readonly durable: string | undefined;
  private readonly consumer: JetStreamConsumer;
  /** Durable only: the acknowledgement bookkeeping. */
  private readonly acks: AckBook | undefined;
  private readonly replay: boolean;
  private readonly toMessage: MessageFactory;
  private readonly batchSize: number;
  private readonly expiresMs: number;
  private readonly ackWaitMs: number;
  private readonly retryPolicy: BackoffPolicy;
  private readonly onWarning: (text: string) => void;
  private readonly onSkipped: StatusListener | undefined;
  private readonly ownsLink: boolean;
  private readonly random: () => number;
  private readonly startPosition: StartPosition;

  /** Highest stream sequence taken in; a replacement consumer starts after it. */
  private cursor = 0;
  /** Replay: the stream's last sequence when the run started. */
  private endSeq = Infinity;
  private ended = false;
  private stopping = false;
  private failure: RexiLiveError | undefined;
  private interrupted = false;

  /** Fetched, not yet made into a batch. */
  private readonly queue: JsMsg[] = [];
  private fetchDone = false;
  private wake: (() => void) | undefined;
  private drained: (() => void) | undefined;
  private pump: Promise<void> | undefined;
  private iter: ConsumerMessages | undefined;
  /** A durable's pull was ended before it ran out (endPull): the server still lists it as waiting. */
  private pullCut = false;
  /** Resolves at stop(): waits for a reconnect or a retry end with it. */
  private readonly stopped: Promise<void>;
  private onStop!: () => void;

  private keepAlive: NodeJS.Timeout | undefined;

  private constructor(config: JetStreamSourceConfig) {
    this.stopped = new Promise((resolve) => (this.onStop = resolve));
    this.link = config.link;
    this.streamName = config.stream.config.name;
    // A filter that covers every subject of the stream is left out: the server may refuse a
    // filter wider than the stream's subjects (rexi.calls.> on a stream of rexi.calls.*).
    const covered = config.stream.config.subjects?.length
      ? config.stream.config.subjects.every((s) => subjectCovers(config.subject, s))
      : false;
    this.durable = config.durable;
    this.acks = config.durable === undefined ? undefined : new AckBook();
    this.replay = config.mode === 'replay';
    this.startPosition = config.start ?? { kind: this.replay ? 'all' : 'new' };
    this.toMessage = config.toMessage;
    this.batchSize = Math.max(1, config.batchSize ?? 256);
    this.expiresMs = Math.max(1000, config.expiresMs ?? 2_000);
    this.ackWaitMs = config.ackWaitMs ?? 30_000;
    this.consumer = new JetStreamConsumer({
      jsm: config.jsm,
      js: jetstream(config.link.nc),
      stream: this.streamName,
      filter: covered ? undefined : config.subject,
      durable: config.durable,
      ackWaitMs: this.ackWaitMs,
      ...(config.terms !== undefined && { terms: config.terms }),
    });
    this.retryPolicy = { minMs: config.retry?.minMs ?? 250, maxMs: config.retry?.maxMs ?? 5_000, maxRetries: Infinity };
    this.onWarning = config.onWarning ?? (() => undefined);
    this.onSkipped = config.onSkipped;
    this.ownsLink = config.ownsLink ?? true;
    this.random = config.random ?? Math.random;
    if (this.replay) this.endSeq = config.stream.state.last_seq;
  }

  /** Sets up the consumer; returns the source and what to tell the user once. */
  static async open(config: JetStreamSourceConfig): Promise<{ source: JetStreamSource; warnings: string[] }> {
    const source = new JetStreamSource(config);
    const warnings = await source.setUp(config.start !== undefined);
    return { source, warnings };
  }

  get stream(): string {
    return this.streamName;
  }

  /** A durable acknowledges only lines made durable: -o is fsynced before written(). */
  get wantsDurable(): boolean {
    return this.durable !== undefined;
  }

  summary(): string {
    return `reconnects ${this.link.reconnects}`;
  }

  reconnectCounts(): Readonly<Record<string, number>> {
    return { nats_disconnected: this.link.reconnects };
  }

  private async setUp(positionGiven: boolean): Promise<string[]> {
    if (this.replay && this.endSeq === 0) {
      this.ended = true;
      return [];
    }
    const { info, warnings } = await this.consumer.open(this.startPosition, positionGiven);
    if (this.durable !== undefined) {
      this.keepAlive = setInterval(() => this.sendProgress(), Math.max(500, Math.floor(this.ackWaitMs / 3)));
      this.keepAlive.unref();
    }
    this.cursor = info.delivered.stream_seq;
    // A durable's messages an earlier run handed back wait as acknowledgements pending.
    if (this.replay && info.num_pending === 0 && info.num_ack_pending === 0) this.ended = true;
    return warnings;
  }

  /** Stop reading: nothing more is yielded; what was fetched and not written is handed back at close(). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.onStop();
    this.drained?.();
    if (this.iter !== undefined) this.endPull(this.iter);
    this.wake?.();
  }

  /**
   * Ends the pull in progress without waiting up to `expiresMs` for it to run out. Without
   * acknowledgements nothing is stranded: it just stops. A durable's pull cannot be cancelled
   * (nats-server 2.9 has no such request), but the server delivers nothing to a pull whose reply
   * subject lost its subscriber; draining the subscription unsubscribes and waits one round trip,
   * so whatever the server sent before it saw the unsubscribe still arrives, and is handed back (a
   * nak: redelivered at once) instead of waiting out the ack wait. Should the drain not complete (a
   * link gone silent), the pull is dropped after END_PULL_LIMIT_MS: a message in flight to it then
   * comes back after the durable's ack wait. close() then makes the server forget the pull before
   * it hands anything back (see forgetCutPull).
   */
  private endPull(iter: ConsumerMessages): void {
    const sub = this.durable === undefined ? undefined : pullSubscription(iter);
    if (sub === undefined || sub.isClosed() || !this.link.connected || this.link.nc.isClosed()) {
      iter.stop();
      return;
    }
    this.pullCut = true;
    const limit = setTimeout(() => iter.stop(), END_PULL_LIMIT_MS);
    limit.unref();
    // nats.js ends the iteration once a drained subscription closes; stop() makes sure of it.
    void sub
      .drain()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(limit);
        iter.stop();
      });
  }

  /**
   * The batch (the very array this source yielded) was written: acknowledge its messages. With
   * `count`, only its first `count` messages were (a --count reached mid-batch): the rest stay
   * unacknowledged and are handed back at close().
   */
  written(batch: Batch, count = batch.length): void {
    this.acks?.written(batch, count);
  }

  /**
   * After the last write: hands back what was yielded and never written (a durable redelivers
   * it at once to the next reader), flushes acknowledgements, closes the connection.
   */
  async close(): Promise<void> {
    this.stop();
    await this.pump;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.handBack(this.queue.splice(0));
    await this.forgetCutPull();
    this.acks?.refuseAll();
    if (!this.link.nc.isClosed() && this.link.connected) await this.consumer.release();
    if (this.ownsLink) await this.link.close();
  }

  /**
   * A pull ended by endPull stays in the server's list of waiting pulls until it expires; nats-server
   * 2.9 hands the first message refused (nak) to such a pull, finds no one listening, and drops it
   * from its redelivery queue: it came back only after the ack wait (30 s), after the messages behind
   * it. A consumer info request makes the server drop the pulls no one listens to any more, so it
   * goes first.
   */
  private async forgetCutPull(): Promise<void> {
    if (!this.pullCut || this.acks === undefined || !this.link.connected || this.link.nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.consumer.info().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, END_PULL_LIMIT_MS)))]);
    clearTimeout(timer);
  }

  /** Counters and position, for tests. */
  get position(): { cursor: number; held: number; queued: number } {
    return { cursor: this.cursor, held: this.acks?.heldCount ?? 0, queued: this.queue.length };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    this.pump ??= this.fetchLoop();
    try {
      for (;;) {
        while (this.queue.length === 0 && !this.fetchDoneForGood() && !this.stopping) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.stopping || (this.queue.length === 0 && this.fetchDoneForGood())) return;
        const batch = this.take();
        if (batch.length > 0) yield batch;
      }
    } finally {
      this.stop();
      await this.pump;
      this.handBack(this.queue.splice(0));
    }
  }

  private fetchDoneForGood(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /** Makes a batch of what was fetched: sequences checked, bodies turned into messages. */
  private take(): Batch {
    const msgs = this.queue.splice(0, this.batchSize);
    if (this.queue.length === 0) this.drained?.();
    const batch: Batch = [];
    const seqs: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      if (this.ended) {
        this.handBack(msgs.slice(i));
        break;
      }
      if (!this.admit(m)) continue;
      this.counts.received++;
      const msg = this.toMessage(m.data, this.receivedAt(m), m.subject);
      if (this.durable !== undefined) seqs.push(m.seq);
      if (typeof msg === 'string') this.skipped(msg, m.seq);
      else {
        batch.push(msg);
        ends.push(seqs.length);
      }
    }
    // Nothing to write (every body skipped): nothing to wait for either.
    this.acks?.took(batch, seqs, ends);
    if (this.ended) this.wake?.();
    return batch;
  }

  private skipped(kind: SkipKind, seq: number): void {
    const count = ++this.counts.skipped[kind];
    this.onSkipped?.({ type: 'skipped', kind, count, where: `stream ${this.streamName} sequence ${seq}` });
  }

  /** Whether a fetched message is new to this run; records it. */
  private admit(m: JsMsg): boolean {
    const seq = m.seq;
    if (seq > this.endSeq) {
      this.ended = true;
      this.handBack([m]);
      return false;
    }
    if (this.acks !== undefined) {
      if (!this.acks.admit(m)) return false;
    } else if (seq <= this.cursor) {
      return false;
    }
    if (seq > this.cursor) this.cursor = seq;
    // Without acknowledgements nothing comes back later: nothing pending after this one is the end.
    if (this.replay && (seq >= this.endSeq || (this.durable === undefined && m.info.pending === 0))) this.ended = true;
    return true;
  }

  private receivedAt(m: JsMsg): number {
    const h = m.headers?.get(RECEIVED_AT_HEADER);
    if (h) {
      const t = Date.parse(h);
      if (!Number.isNaN(t)) return t;
    }
    return m.time.getTime();
  }

  /** Fetched but not to be written: a durable hands it back to the stream at close(). */
  private handBack(msgs: JsMsg[]): void {
    this.acks?.handBack(msgs);
  }

  /** Durable: keeps the ack wait from running out on messages a slow pipeline still holds. */
  private sendProgress(): void {
    if (this.link.connected) this.acks?.progress(this.queue);
  }

  private async fetchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping && !this.ended && this.failure === undefined) {
      // One pull at a time, and the next only once the last is taken: memory stays bounded by
      // the batch size however slow the pipeline is.
      while (this.queue.length > 0 && !this.stopping) {
        await new Promise<void>((resolve) => (this.drained = resolve));
        this.drained = undefined;
      }
      if (this.stopping) break;
      try {
        if (!this.link.connected) await Promise.race([this.link.whenConnected(), this.stopped]);
        if (this.stopping) break;
        if (this.link.nc.isClosed()) {
          await this.closedUnderUs();
          break;
        }
        const iter = await this.consumer.fetch({ max_messages: this.batchSize, expires: this.expiresMs });
        this.iter = iter;
        if (this.stopping) this.endPull(iter);
        for await (const m of iter) {
          if (this.stopping) {
            this.handBack([m]);
            continue;
          }
          this.queue.push(m);
          this.wake?.();
        }
        this.iter = undefined;
        failures = 0;
        if (this.interrupted) this.interrupted = false;
        if (this.replay && this.queue.length === 0 && !this.ended) await this.checkReplayEnd();
      } catch (e) {
        this.iter = undefined;
        if (this.stopping) break;
        if (this.link.nc.isClosed()) {
          await this.closedUnderUs();
          break;
        }
        if (!this.interrupted) {
          this.interrupted = true;
          this.onWarning(`reading stream ${this.streamName} was interrupted (${describeError(e)}): resuming after sequence ${this.cursor}`);
        }
        await this.sleep(backoffDelay(this.retryPolicy, Math.min(failures++, 8), this.random));
        await this.recover();
      }
    }
    this.wake?.();
  }

  /** The connection closed: for good with its error (rejected credentials), else the end. */
  private async closedUnderUs(): Promise<void> {
    const err = await this.link.failed;
    if (err !== undefined) this.failure = err;
    else this.ended = true;
  }

  /** A replay whose pull came back empty ends once nothing is left before its end. */
  private async checkReplayEnd(): Promise<void> {
    try {
      const ci = await this.consumer.info();
      const nothingNew = ci.num_pending === 0 || ci.delivered.stream_seq >= this.endSeq;
      // Handed back by an earlier run and not redelivered yet: still to come, unless this run holds them.
      const nothingBack = ci.num_ack_pending <= (this.acks?.heldCount ?? 0);
      if (nothingNew && nothingBack) this.ended = true;
    } catch {
      // asked again after the next pull
    }
  }

  /** After a failed pull: a consumer to pull from again, resuming after the cursor. */
  /** A wait between attempts that a stop cuts short (its timer would otherwise hold the process). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      void this.stopped.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private async recover(): Promise<void> {
    if (this.stopping) return;
    if (!this.link.connected) await Promise.race([this.link.whenConnected(), this.stopped]);
    if (this.stopping) return;
    // The cursor starts as the consumer's own position (its delivered sequence), so resuming after
    // it is right even when nothing was read yet.
    await this.consumer.recover(this.cursor, this.onWarning);
  }
}

export interface OpenSourceOptions extends Omit<JetStreamSourceConfig, 'link' | 'jsm' | 'stream' | 'ownsLink'>, Omit<NatsConnectOptions, 'target'> {
  target: NatsConnectOptions['target'];
  /** --stream; otherwise the one stream the subject finds. */
  streamName?: string;
  jetStreamWaitMs?: number;
}

export interface OpenedSource {
  source: JetStreamSource;
  stream: string;
  warnings: string[];
}

/** Connects, finds the stream, sets up the consumer. Exit codes through typed errors (2, 3, 4). */
export async function openJetStreamSource(o: OpenSourceOptions): Promise<OpenedSource> {
  return withJetStream(o, async (link, jsm) => {
    const stream = await findReadStream(jsm, o.subject, link.display, o.streamName, o.target.terms);
    const { source, warnings } = await JetStreamSource.open({ ...o, link, jsm, stream, ownsLink: true, terms: o.target.terms });
    return { source, stream: source.stream, warnings };
  });
}
