import { createHash } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { outputError, type RexiLiveError } from '../errors.js';
import type { NatsConnectOptions, NatsLink } from '../nats/connect.js';
import type { Batch, Message } from '../wire/message.js';
import type { Output, OutputTally } from '../pipeline/output.js';
import { ensurePublishStream, withJetStream, type CreateStreamOptions } from '../nats/stream-setup.js';
import { captureSubject, subjectFor } from '../nats/subjects.js';
import { backoffDelay, type BackoffPolicy } from '../stream/policy.js';

/**
 * `--publish`: every message of a batch goes to JetStream, body byte-exact, with a message id
 * made from the call's identity so two publishers (or a retry) store each call once. At most
 * `window` publishes wait for their acknowledgement; a full window makes the output `behind`,
 * which pauses the source. An unacknowledged publish is retried with the same id until the
 * stream acknowledges it: across reconnects and leader elections, nothing dropped or doubled.
 */

export const DEFAULT_PUBLISH_WINDOW = 256;
export const MSG_ID_HEADER = 'Nats-Msg-Id';
export const RECEIVED_AT_HEADER = 'Rexi-Received-At';
const MSG_ID_PREFIX = 'rexi1-';

/** `rexi1-` + base64url(sha256(identity)): the same call gets the same id on every publisher. */
export function messageId(identity: string): string {
  return MSG_ID_PREFIX + createHash('sha256').update(identity).digest('base64url');
}

export interface NatsPublishConfig {
  link: NatsLink;
  /** The subject template, `{platform}` allowed (validated by the caller). */
  subject: string;
  /** The identity of a message: the call identity, or a signal's own. */
  identity: (msg: Message) => string;
  window?: number;
  /** How long one attempt waits for its acknowledgement before it is sent again. */
  ackTimeoutMs?: number;
  /** Waits between attempts of one publish (full jitter). */
  retry?: { minMs: number; maxMs: number };
  onWarning?: (text: string) => void;
  /** close() closes the connection too (default true). */
  ownsLink?: boolean;
  random?: () => number;
}

interface Job {
  subject: string;
  body: Uint8Array;
  id: string;
  receivedAt: string;
}

type Verdict = 'retry' | 'too-large' | { fatal: string };

/** Bytes the two headers take on the wire (NATS/1.0 line, two fields, blank line). */
function headerBytes(id: string, receivedAt: string): number {
  return 'NATS/1.0\r\n'.length + MSG_ID_HEADER.length + 2 + id.length + 2 + RECEIVED_AT_HEADER.length + 2 + receivedAt.length + 2 + 2;
}

/** JetStream API codes that mean the message itself is over a limit of the stream. */
const MESSAGE_TOO_LARGE = 10054;

function judge(e: unknown): Verdict {
  const err = e as Error & { code?: unknown };
  // The client wraps a permission violation in a RequestError, like a timeout: look inside.
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c.name === 'PermissionViolationError' || /permissions violation/i.test(c.message)) return { fatal: `not allowed to publish: ${c.message}` };
  }
  switch (err?.name) {
    case 'TimeoutError':
    case 'RequestError':
    case 'NoRespondersError':
    // No responder: during a leader election there is none for a moment; a stream that does
    // not exist was ruled out at start-up.
    case 'JetStreamNotEnabled':
    case 'ConnectionError':
    case 'JetStreamError':
      return 'retry';
    case 'PermissionViolationError':
      return { fatal: `not allowed to publish: ${err.message}` };
    case 'InvalidArgumentError':
      if (/max_payload/.test(err.message)) return 'too-large';
      return { fatal: err.message };
    case 'JetStreamApiError':
      if (err.code === MESSAGE_TOO_LARGE) return 'too-large';
      // 10008: the JetStream system is briefly unavailable (a cluster electing its leader).
      if (err.code === 10008) return 'retry';
      return { fatal: `the stream refused a publish: ${err.message}` };
    default:
      return { fatal: err instanceof Error ? err.message : String(e) };
  }
}

export class NatsPublishOutput implements Output {
  readonly gone = false;
  private readonly js: JetStreamClient;
  private readonly link: NatsLink;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly retryPolicy: BackoffPolicy;
  private readonly subjectOf: (msg: Message) => string;
  private readonly identity: (msg: Message) => string;
  private readonly onWarning: (text: string) => void;
  private readonly ownsLink: boolean;
  private readonly random: () => number;
  private readonly queue: Job[] = [];
  private inflight = 0;
  private published = 0;
  private duplicates = 0;
  private tooLarge = 0;
  private failure: RexiLiveError | undefined;
  private retrying = false;
  private closing = false;
  private waiters: Array<() => void> = [];

  constructor(config: NatsPublishConfig) {
    this.link = config.link;
    this.js = jetstream(config.link.nc);
    this.window = Math.max(1, config.window ?? DEFAULT_PUBLISH_WINDOW);
    this.ackTimeoutMs = config.ackTimeoutMs ?? 5_000;
    this.retryPolicy = { minMs: config.retry?.minMs ?? 250, maxMs: config.retry?.maxMs ?? 5_000, maxRetries: Infinity };
    this.subjectOf = subjectFor(config.subject);
    this.identity = config.identity;
    this.onWarning = config.onWarning ?? (() => undefined);
    this.ownsLink = config.ownsLink ?? true;
    this.random = config.random ?? Math.random;
    void this.link.failed.then((err) => {
      if (err !== undefined && !this.closing) this.fail(err);
    });
  }

  get behind(): boolean {
    return this.failure === undefined && this.inflight + this.queue.length >= this.window;
  }

  get error(): RexiLiveError | undefined {
    return this.failure;
  }

  write(batch: Batch): void {
    if (this.failure !== undefined) return;
    const max = this.link.nc.info?.max_payload ?? Infinity;
    for (const msg of batch) {
      // A call's own bytes, unchanged; a signal's line, or another object's text.
      const body = msg.kind === 'call' ? msg.bytes : Buffer.from(msg.raw, 'utf8');
      const id = messageId(this.identity(msg));
      const receivedAt = new Date(msg.receivedAt).toISOString();
      const subject = this.subjectOf(msg);
      if (body.length + headerBytes(id, receivedAt) > max) {
        this.skipTooLarge(subject, body.length, max);
        continue;
      }
      this.queue.push({ subject, body, id, receivedAt });
    }
    this.pump();
  }

  ready(): Promise<void> {
    if (!this.behind) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Resolves once every publish taken so far is acknowledged (or the output failed): what a durable
   * reader upstream waits for before it acknowledges its own messages.
   */
  async sync(): Promise<void> {
    while (this.failure === undefined && this.inflight + this.queue.length > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until every publish taken is acknowledged (or the output failed), then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    await this.sync();
    if (this.ownsLink) await this.link.close();
  }

  summary(): string {
    const large = this.tooLarge > 0 ? `, too large ${this.tooLarge}` : '';
    return `published ${this.published} (duplicates ${this.duplicates}${large})`;
  }

  tally(): OutputTally {
    return { published: this.published, duplicates: this.duplicates, pending: this.inflight + this.queue.length };
  }

  /** Counters, for tests and the bench. */
  get counts(): { published: number; duplicates: number; tooLarge: number; inflight: number; queued: number } {
    return { published: this.published, duplicates: this.duplicates, tooLarge: this.tooLarge, inflight: this.inflight, queued: this.queue.length };
  }

  private skipTooLarge(subject: string, bytes: number, max: number): void {
    this.tooLarge++;
    this.onWarning(`skipped a message of ${bytes} bytes for ${subject}: over the NATS server's max payload (${max} bytes with headers)`);
  }

  private pump(): void {
    while (this.failure === undefined && this.inflight < this.window && this.queue.length > 0) {
      this.inflight++;
      void this.send(this.queue.shift()!);
    }
  }

  private settle(): void {
    if (this.behind) return;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private fail(err: RexiLiveError): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.queue.length = 0;
    this.settle();
  }

  private async send(job: Job): Promise<void> {
    const h = headers();
    h.set(RECEIVED_AT_HEADER, job.receivedAt);
    try {
      for (let attempt = 0; this.failure === undefined; attempt++) {
        // While disconnected the client would only buffer more copies of the same message.
        if (!this.link.connected) await this.link.whenConnected();
        if (this.link.nc.isClosed()) {
          this.fail(this.failure ?? outputError(`the NATS connection to ${this.link.display} closed with publishes unacknowledged`));
          return;
        }
        try {
          const ack = await this.js.publish(job.subject, job.body, { msgID: job.id, headers: h, timeout: this.ackTimeoutMs });
          this.published++;
          if (ack.duplicate) this.duplicates++;
          this.retrying = false;
          return;
        } catch (e) {
          const verdict = judge(e);
          if (verdict === 'too-large') {
            this.skipTooLarge(job.subject, job.body.length, this.link.nc.info?.max_payload ?? 0);
            return;
          }
          if (verdict !== 'retry') {
            this.fail(outputError(`NATS publish to ${job.subject} on ${this.link.display} failed for good: ${verdict.fatal}`));
            return;
          }
          if (!this.retrying) {
            this.retrying = true;
            this.onWarning(`a publish to ${job.subject} was not acknowledged (${(e as Error).message}): retrying with the same message id`);
          }
          await new Promise((r) => setTimeout(r, backoffDelay(this.retryPolicy, Math.min(attempt, 8), this.random)));
        }
      }
    } finally {
      this.inflight--;
      this.pump();
      this.settle();
    }
  }
}

export interface OpenPublisherOptions extends Omit<NatsPublishConfig, 'link' | 'ownsLink'>, Omit<NatsConnectOptions, 'target'> {
  target: NatsConnectOptions['target'];
  /** --create-stream (with --stream, --replicas, --retention); undefined: the stream must exist. */
  createStream?: CreateStreamOptions;
  /** How long a JetStream API without responder is waited for at start (a cluster electing). */
  jetStreamWaitMs?: number;
}

export interface OpenedPublisher {
  output: NatsPublishOutput;
  stream: string;
  /** Things to tell the user once (flags ignored for an existing stream). */
  warnings: string[];
}

/**
 * Connects, finds (or creates) the stream that captures the subject, and returns the output.
 * Exit codes through typed errors: 2 no stream / no JetStream, 3 credentials, 4 unreachable.
 */
export async function openNatsPublisher(o: OpenPublisherOptions): Promise<OpenedPublisher> {
  return withJetStream(o, async (link, jsm) => {
    const { stream, warnings } = await ensurePublishStream(jsm, captureSubject(o.subject), link.display, o.createStream);
    return { output: new NatsPublishOutput({ ...o, link, ownsLink: true }), stream, warnings };
  });
}
