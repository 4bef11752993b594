import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { usageError } from '../errors.js';
import { CONSUMER_NOT_FOUND, errorCode, NANOS_PER_MS, STREAM_NOT_FOUND } from '../nats/api-errors.js';
import type { StartPosition } from '../nats/start-position.js';
import { CLI_NATS_TERMS, type NatsTerms } from '../nats/url.js';

/**
 * The consumer a JetStream source pulls from: a durable (acknowledged, shared across runs) or an
 * ephemeral one kept by hand (made again after any failure, right after the last sequence seen).
 * Setting it up, checking an existing durable, and recovering after a failed pull live here; the
 * pulling itself is the source's.
 */

export interface ConsumerSpec {
  jsm: JetStreamManager;
  js: JetStreamClient;
  stream: string;
  /** The subject filter; undefined when it covers the whole stream. */
  filter: string | undefined;
  durable: string | undefined;
  /** A new durable's ack wait. */
  ackWaitMs: number;
  /** How errors name the options (flags by default). */
  terms?: NatsTerms;
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

export class JetStreamConsumer {
  private consumer: Consumer | undefined;
  private name: string | undefined;

  constructor(private readonly spec: ConsumerSpec) {}

  /**
   * Takes the existing durable (checked to read the same subject, with acknowledgements) or makes
   * the consumer at `start`. `positionGiven`: a start the user asked for, which an existing
   * durable ignores with a warning.
   */
  async open(start: StartPosition, positionGiven: boolean): Promise<{ info: ConsumerInfo; warnings: string[] }> {
    const { jsm, stream, durable, filter } = this.spec;
    const option = (this.spec.terms ?? CLI_NATS_TERMS)('durable');
    const warnings: string[] = [];
    if (durable === undefined) return { info: await this.createEphemeral(start), warnings };
    const existing = await jsm.consumers.info(stream, durable).catch((e: unknown) => {
      if (errorCode(e) === CONSUMER_NOT_FOUND) return undefined;
      throw e;
    });
    if (existing === undefined) return { info: await this.createDurable(start), warnings };
    const theirs = existing.config.filter_subject ?? '';
    if (theirs !== (filter ?? '')) {
      throw usageError(`${option} ${durable} reads '${theirs || '(the whole stream)'}' of stream ${stream}, not '${filter ?? '(the whole stream)'}': use another ${option} name`);
    }
    if (existing.config.ack_policy !== AckPolicy.Explicit) {
      throw usageError(`${option} ${durable}: consumer of stream ${stream} was not made for acknowledgements: use another name`);
    }
    if (positionGiven) warnings.push(`${option} ${durable} exists: it resumes where it left off, --since/--start-seq ignored`);
    this.consumer = this.spec.js.consumers.getConsumerFromInfo(existing);
    this.name = existing.name;
    return { info: existing, warnings };
  }

  fetch(options: { max_messages: number; expires: number }): Promise<ConsumerMessages> {
    return this.consumer!.fetch(options);
  }

  info(): Promise<ConsumerInfo> {
    return this.consumer!.info();
  }

  /**
   * After a failed pull: the durable is still there (or made again after `cursor`); an ephemeral
   * one is made again after `cursor`. A stream that is gone is waited for: the next pull fails
   * again and brings the source back here.
   */
  async recover(cursor: number, warn: (text: string) => void): Promise<void> {
    const { jsm, stream, durable } = this.spec;
    const resume: StartPosition = { kind: 'seq', seq: cursor + 1 };
    try {
      if (durable !== undefined) {
        try {
          await jsm.consumers.info(stream, durable);
        } catch (e) {
          if (errorCode(e) !== CONSUMER_NOT_FOUND) throw e;
          warn(`durable ${durable} disappeared from stream ${stream}: made again, after sequence ${cursor}`);
          await this.createDurable(resume);
        }
      } else {
        await this.createEphemeral(resume);
      }
    } catch (e) {
      if (errorCode(e) === STREAM_NOT_FOUND) warn(`stream ${stream} is gone: waiting for it`);
    }
  }

  /** An ephemeral consumer is ours to delete at the end; a durable stays for the next run. */
  async release(): Promise<void> {
    if (this.spec.durable === undefined && this.name !== undefined) await this.spec.jsm.consumers.delete(this.spec.stream, this.name).catch(() => undefined);
  }

  private async createDurable(start: StartPosition): Promise<ConsumerInfo> {
    const { jsm, stream, durable, filter } = this.spec;
    const config: Partial<ConsumerConfig> = {
      durable_name: durable!,
      ack_policy: AckPolicy.Explicit,
      ack_wait: this.spec.ackWaitMs * NANOS_PER_MS,
      replay_policy: ReplayPolicy.Instant,
      ...positionConfig(start),
      ...(filter !== undefined ? { filter_subject: filter } : {}),
    };
    let ci: ConsumerInfo;
    try {
      ci = await jsm.consumers.add(stream, config);
    } catch (e) {
      // Two readers creating the same durable at once: take the one that won.
      ci = await jsm.consumers.info(stream, durable!).catch(() => {
        throw e;
      });
    }
    this.consumer = this.spec.js.consumers.getConsumerFromInfo(ci);
    this.name = ci.name;
    return ci;
  }

  private async createEphemeral(start: StartPosition): Promise<ConsumerInfo> {
    const { jsm, stream, filter } = this.spec;
    const config: Partial<ConsumerConfig> = {
      ack_policy: AckPolicy.None,
      replay_policy: ReplayPolicy.Instant,
      // Long enough to outlast a paused pipeline; if it still goes, a new one resumes after the
      // cursor.
      inactive_threshold: 5 * 60_000 * NANOS_PER_MS,
      mem_storage: true,
      num_replicas: 1,
      ...positionConfig(start),
      ...(filter !== undefined ? { filter_subject: filter } : {}),
    };
    const ci = await jsm.consumers.add(stream, config);
    const old = this.name;
    this.consumer = this.spec.js.consumers.getConsumerFromInfo(ci);
    this.name = ci.name;
    if (old !== undefined) void jsm.consumers.delete(stream, old).catch(() => undefined);
    return ci;
  }
}
