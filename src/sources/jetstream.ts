import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  jetstream,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamInfo,
} from '@nats-io/jetstream';
import { usageError, type RexiLiveError } from '../errors.js';
import { connectNats, type NatsConnectOptions, type NatsLink } from '../nats/connect.js';
import type { Batch, Message } from '../wire/message.js';
import { newSourceCounts, type Source } from '../pipeline/source.js';
import { findReadStream, openManager } from '../nats/stream-setup.js';
import { subjectCovers } from '../nats/subjects.js';
import { RECEIVED_AT_HEADER } from '../outputs/nats-publish.js';
import { backoffDelay } from '../stream/policy.js';
import type { SkipKind } from '../wire/calls.js';
import type { StatusListener } from '../stream/status.js';

/**
 * Batches read from a JetStream stream. Messages come by `fetch()`, one pull at a time, and a
 * pull is always read to its end: leaving one in the middle would strand the messages the server
 * already sent (a durable then gets them only after its ack wait, out of order).
 *
 * Without `durable`, a consumer with no acknowledgements is kept by hand: after any failure a new
 * one starts right after the last stream sequence seen, so a reconnect or server restart loses
 * and doubles nothing. With `durable`, each message is acknowledged only once the pipeline says
 * its batch was written; redeliveries of what was already taken are recognised by sequence.
 */

export type StartPosition = { kind: 'new' } | { kind: 'all' } | { kind: 'since'; atMs: number } | { kind: 'seq'; seq: number };

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
  /** How long one pull waits for messages; a clean stop of a durable waits at most this long. */
  expiresMs?: number;
  /** A new durable's ack wait; messages held longer are kept alive with progress acks. */
  ackWaitMs?: number;
  /** Waits between attempts after a failed pull (full jitter). */
  retry?: { minMs: number; maxMs: number };
  onWarning?: (text: string) => void;
  /** A stored message that is not a call was skipped (statuses of kind 'skipped'). */
  onSkipped?: StatusListener;
  /** close() closes the connection too (default true). */
  ownsLink?: boolean;
  random?: () => number;
}

const NANOS_PER_MS = 1_000_000;
/** Sequences of acknowledged messages remembered, to recognise late redeliveries. */
const ACKED_MEMORY = 100_000;

const errorCode = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
};
const CONSUMER_NOT_FOUND = 10014;
const STREAM_NOT_FOUND = 10059;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function positionConfig(start: StartPosition): Partial<ConsumerConfig> {
  switch (start.kind) {
    case 'new':
      return { deliver_policy: DeliverPolicy.New };
    case 'all':
      return { deliver_policy: DeliverPolicy.All };
    case 'since':
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start.atMs).toISOString() };
    case 'seq':
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start.seq) };
  }
}

/** A set of numbers that forgets its oldest entries past a bound. */
class RecentSet {
  private readonly set = new Set<number>();
  private readonly order: number[] = [];
  private head = 0;
  constructor(private readonly max: number) {}
  has(n: number): boolean {
    return this.set.has(n);
  }
  add(n: number): void {
    if (this.set.has(n)) return;
    this.set.add(n);
    this.order.push(n);
    if (this.set.size > this.max) {
      this.set.delete(this.order[this.head++]!);
      if (this.head > this.max) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
  }
}

export class JetStreamSource implements Source {
  readonly counts = newSourceCounts();
  private readonly js: JetStreamClient;
  private readonly link: NatsLink;
  private readonly jsm: JetStreamManager;
  private readonly streamName: string;
  private readonly filter: string | undefined;
  private readonly durable: string | undefined;
  private readonly replay: boolean;
  private readonly toMessage: MessageFactory;
  private readonly batchSize: number;
  private readonly expiresMs: number;
  private readonly ackWaitMs: number;
  private readonly retryPolicy: { minMs: number; maxMs: number; maxRetries: number };
  private readonly onWarning: (text: string) => void;
  private readonly onSkipped: StatusListener | undefined;
  private readonly ownsLink: boolean;
  private readonly random: () => number;
  private readonly startPosition: StartPosition;

  private consumer: Consumer | undefined;
  private consumerName: string | undefined;
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

  /** Durable: taken in, not yet acknowledged (redeliveries of the same sequence join the entry). */
  private readonly held = new Map<number, JsMsg[]>();
  private readonly acked = new RecentSet(ACKED_MEMORY);
  /** Durable: the sequences a batch took in, and for each of its messages how many of them lead up to it. */
  private readonly batchSeqs = new WeakMap<Batch, { seqs: number[]; ends: number[] }>();
  /** Durable: fetched, never yielded; refused at close(). */
  private readonly returned: JsMsg[] = [];
  private keepAlive: NodeJS.Timeout | undefined;

  private constructor(config: JetStreamSourceConfig) {
    this.link = config.link;
    this.jsm = config.jsm;
    this.js = jetstream(config.link.nc);
    this.streamName = config.stream.config.name;
    // A filter that covers every subject of the stream is left out: the server may refuse a
    // filter wider than the stream's subjects (rexi.calls.> on a stream of rexi.calls.*).
    const covered = config.stream.config.subjects?.length
      ? config.stream.config.subjects.every((s) => subjectCovers(config.subject, s))
      : false;
    this.filter = covered ? undefined : config.subject;
    this.durable = config.durable;
    this.replay = config.mode === 'replay';
    this.startPosition = config.start ?? { kind: this.replay ? 'all' : 'new' };
    this.toMessage = config.toMessage;
    this.batchSize = Math.max(1, config.batchSize ?? 256);
    this.expiresMs = Math.max(1000, config.expiresMs ?? 2_000);
    this.ackWaitMs = config.ackWaitMs ?? 30_000;
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
    const warnings: string[] = [];
    if (this.replay && this.endSeq === 0) {
      this.ended = true;
      return warnings;
    }
    let ci: ConsumerInfo;
    if (this.durable !== undefined) {
      const existing = await this.jsm.consumers.info(this.streamName, this.durable).catch((e: unknown) => {
        if (errorCode(e) === CONSUMER_NOT_FOUND) return undefined;
        throw e;
      });
      if (existing) {
        const theirs = existing.config.filter_subject ?? '';
        if (theirs !== (this.filter ?? '')) {
          throw usageError(
            `--durable ${this.durable} reads '${theirs || '(the whole stream)'}' of stream ${this.streamName}, not '${this.filter ?? '(the whole stream)'}': use another --durable name`,
          );
        }
        if (existing.config.ack_policy !== AckPolicy.Explicit) {
          throw usageError(`--durable ${this.durable}: consumer of stream ${this.streamName} was not made for acknowledgements: use another name`);
        }
        if (positionGiven) warnings.push(`--durable ${this.durable} exists: it resumes where it left off, --since/--start-seq ignored`);
        ci = existing;
        this.consumer = this.js.consumers.getConsumerFromInfo(existing);
        this.consumerName = existing.name;
      } else {
        ci = await this.createDurable(this.startPosition);
      }
      this.keepAlive = setInterval(() => this.sendProgress(), Math.max(500, Math.floor(this.ackWaitMs / 3)));
      this.keepAlive.unref();
    } else {
      ci = await this.createEphemeral(this.startPosition);
    }
    this.cursor = ci.delivered.stream_seq;
    // A durable's messages an earlier run handed back wait as acknowledgements pending.
    if (this.replay && ci.num_pending === 0 && ci.num_ack_pending === 0) this.ended = true;
    return warnings;
  }

  private async createDurable(start: StartPosition): Promise<ConsumerInfo> {
    const config: Partial<ConsumerConfig> = {
      durable_name: this.durable!,
      ack_policy: AckPolicy.Explicit,
      ack_wait: this.ackWaitMs * NANOS_PER_MS,
      replay_policy: ReplayPolicy.Instant,
      ...positionConfig(start),
      ...(this.filter !== undefined ? { filter_subject: this.filter } : {}),
    };
    let ci: ConsumerInfo;
    try {
      ci = await this.jsm.consumers.add(this.streamName, config);
    } catch (e) {
      // Two readers creating the same durable at once: take the one that won.
      ci = await this.jsm.consumers.info(this.streamName, this.durable!).catch(() => {
        throw e;
      });
    }
    this.consumer = this.js.consumers.getConsumerFromInfo(ci);
    this.consumerName = ci.name;
    return ci;
  }

  private async createEphemeral(start: StartPosition): Promise<ConsumerInfo> {
    const config: Partial<ConsumerConfig> = {
      ack_policy: AckPolicy.None,
      replay_policy: ReplayPolicy.Instant,
      // Long enough to outlast a paused pipeline; if it still goes, a new one resumes after the
      // cursor.
      inactive_threshold: 5 * 60_000 * NANOS_PER_MS,
      mem_storage: true,
      num_replicas: 1,
      ...positionConfig(start),
      ...(this.filter !== undefined ? { filter_subject: this.filter } : {}),
    };
    const ci = await this.jsm.consumers.add(this.streamName, config);
    const old = this.consumerName;
    this.consumer = this.js.consumers.getConsumerFromInfo(ci);
    this.consumerName = ci.name;
    if (old !== undefined) void this.jsm.consumers.delete(this.streamName, old).catch(() => undefined);
    return ci;
  }

  /** Stop reading: nothing more is yielded; what was fetched and not written is handed back at close(). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.drained?.();
    // Without acknowledgements nothing is stranded: the pull can end at once.
    if (this.durable === undefined) this.iter?.stop();
    this.wake?.();
  }

  /**
   * The batch (the very array this source yielded) was written: acknowledge its messages. With
   * `count`, only its first `count` messages were (a --count reached mid-batch): the rest stay
   * unacknowledged and are handed back at close().
   */
  written(batch: Batch, count = batch.length): void {
    const taken = this.batchSeqs.get(batch);
    if (taken === undefined) return;
    this.batchSeqs.delete(batch);
    const { seqs, ends } = taken;
    this.ackSeqs(count >= batch.length ? seqs : seqs.slice(0, count > 0 ? ends[count - 1]! : 0));
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
    const back = [...this.returned.splice(0)];
    for (const copies of this.held.values()) back.push(...copies);
    this.held.clear();
    back.sort((a, b) => a.seq - b.seq);
    for (const m of back) m.nak();
    if (this.durable === undefined && this.consumerName !== undefined && !this.link.nc.isClosed() && this.link.connected) {
      await this.jsm.consumers.delete(this.streamName, this.consumerName).catch(() => undefined);
    }
    if (this.ownsLink) await this.link.close();
  }

  /** Counters and position, for tests. */
  get position(): { cursor: number; held: number; queued: number } {
    return { cursor: this.cursor, held: this.held.size, queued: this.queue.length };
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
    if (this.durable !== undefined) {
      // Nothing to write (every body skipped): nothing to wait for either.
      if (batch.length === 0) this.ackSeqs(seqs);
      else this.batchSeqs.set(batch, { seqs, ends });
    }
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
    if (this.durable !== undefined) {
      if (this.acked.has(seq)) {
        m.ack();
        return false;
      }
      const copies = this.held.get(seq);
      if (copies !== undefined) {
        copies.push(m);
        return false;
      }
      this.held.set(seq, [m]);
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

  private ackSeqs(seqs: number[]): void {
    for (const seq of seqs) {
      const copies = this.held.get(seq);
      if (copies !== undefined) for (const m of copies) m.ack();
      this.held.delete(seq);
      this.acked.add(seq);
    }
  }

  /**
   * Durable: messages fetched but not written go back to the stream for the next reader, at
   * close(). They are refused (nak) there all together, in stream order, because the server
   * redelivers them in the order it got the refusals.
   */
  private handBack(msgs: JsMsg[]): void {
    if (this.durable === undefined) return;
    for (const m of msgs) if (!this.held.has(m.seq) && !this.acked.has(m.seq)) this.returned.push(m);
  }

  /** Durable: keeps the ack wait from running out on messages a slow pipeline still holds. */
  private sendProgress(): void {
    if (!this.link.connected) return;
    for (const copies of this.held.values()) for (const m of copies) m.working();
    for (const m of this.queue) m.working();
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
        if (!this.link.connected) await this.link.whenConnected();
        if (this.link.nc.isClosed()) {
          await this.closedUnderUs();
          break;
        }
        const iter = await this.consumer!.fetch({ max_messages: this.batchSize, expires: this.expiresMs });
        this.iter = iter;
        if (this.stopping && this.durable === undefined) iter.stop();
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
          this.onWarning(`reading stream ${this.streamName} was interrupted (${describe(e)}): resuming after sequence ${this.cursor}`);
        }
        await new Promise((r) => setTimeout(r, backoffDelay(this.retryPolicy, Math.min(failures++, 8), this.random)));
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
      const ci = await this.consumer!.info();
      const nothingNew = ci.num_pending === 0 || ci.delivered.stream_seq >= this.endSeq;
      // Handed back by an earlier run and not redelivered yet: still to come, unless this run holds them.
      const nothingBack = ci.num_ack_pending <= this.held.size;
      if (nothingNew && nothingBack) this.ended = true;
    } catch {
      // asked again after the next pull
    }
  }

  /** After a failed pull: the durable is still there (or made again); else a new consumer. */
  private async recover(): Promise<void> {
    if (this.stopping) return;
    if (!this.link.connected) await this.link.whenConnected();
    // The cursor starts as the consumer's own position (its delivered sequence), so resuming after
    // it is right even when nothing was read yet.
    const resume: StartPosition = { kind: 'seq', seq: this.cursor + 1 };
    try {
      if (this.durable !== undefined) {
        try {
          await this.jsm.consumers.info(this.streamName, this.durable);
        } catch (e) {
          if (errorCode(e) !== CONSUMER_NOT_FOUND) throw e;
          this.onWarning(`durable ${this.durable} disappeared from stream ${this.streamName}: made again, after sequence ${this.cursor}`);
          await this.createDurable(resume);
        }
      } else {
        await this.createEphemeral(resume);
      }
    } catch (e) {
      if (errorCode(e) === STREAM_NOT_FOUND) this.onWarning(`stream ${this.streamName} is gone: waiting for it`);
      // The next pull fails again and brings us back here.
    }
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
  const link = await connectNats(o);
  try {
    const jsm = await openManager(link.nc, link.display, o.jetStreamWaitMs);
    const stream = await findReadStream(jsm, o.subject, link.display, o.streamName);
    const { source, warnings } = await JetStreamSource.open({ ...o, link, jsm, stream, ownsLink: true });
    return { source, stream: source.stream, warnings };
  } catch (e) {
    await link.close().catch(() => undefined);
    throw e;
  }
}
