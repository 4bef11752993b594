import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { DiscardPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { usageError } from '../errors.js';
import { connectNats, type NatsConnectOptions, type NatsLink } from './connect.js';
import { CLI_NATS_TERMS, type NatsTerms } from './url.js';
import { errorCode, errorName, JS_NO_RESPONDERS, NANOS_PER_MS, STREAM_NAME_IN_USE, STREAM_NOT_FOUND, SUBJECTS_OVERLAP } from './api-errors.js';

/**
 * Finding the stream that captures a subject, and creating one when asked. Publishing to a
 * subject no stream captures looks, from the client, exactly like a leader election (no
 * responder): so the stream is found up front, and a missing one is a configuration error.
 */

export const DEFAULT_STREAM = 'REXI_CALLS';
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface CreateStreamOptions {
  /** --stream; DEFAULT_STREAM when undefined. */
  name?: string;
  /** --replicas, undefined when not given (1). */
  replicas?: number;
  /** --retention in ms, undefined when not given (7 days). */
  retentionMs?: number;
  /** How long a cluster still forming (no peers to place replicas on yet) is waited for. */
  waitMs?: number;
}

/** A cluster just started has a leader before it knows all its peers; JetStream says so. */
const NO_PEERS = 10005;
const CLUSTER_NOT_AVAILABLE = 10008;

async function retryWhileForming<T>(until: number, f: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await f();
    } catch (e) {
      const code = errorCode(e);
      if ((code !== NO_PEERS && code !== CLUSTER_NOT_AVAILABLE) || Date.now() >= until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}


/**
 * A JetStream manager, retrying briefly while a cluster has no meta leader yet (the API then has
 * no responder, as on a server without JetStream); after that, exit 2.
 */
export async function openManager(nc: NatsConnection, display: string, waitMs = 5_000): Promise<JetStreamManager> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await jetstreamManager(nc);
    } catch (e) {
      const transient = errorName(e) === 'JetStreamNotEnabled' || errorName(e) === 'TimeoutError' || errorCode(e) === JS_NO_RESPONDERS;
      if (!transient) throw e;
      if (Date.now() >= until) {
        throw usageError(`JetStream is not enabled on NATS at ${display} (start nats-server with -js, or check the account)`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Connects and opens JetStream, then sets up what uses them (a publisher, a consumer); when that
 * set-up fails, the connection is closed before the error goes on.
 */
export async function withJetStream<T>(
  o: NatsConnectOptions & { jetStreamWaitMs?: number },
  setUp: (link: NatsLink, jsm: JetStreamManager) => Promise<T>,
): Promise<T> {
  const link = await connectNats(o);
  try {
    return await setUp(link, await openManager(link.nc, link.display, o.jetStreamWaitMs));
  } catch (e) {
    await link.close().catch(() => undefined);
    throw e;
  }
}

/** The streams that capture (overlap) a subject. */
export async function streamsFor(jsm: JetStreamManager, subject: string): Promise<string[]> {
  const names: string[] = [];
  for await (const n of jsm.streams.names(subject)) names.push(n);
  return names;
}

export interface StreamChoice {
  stream: string;
  warnings: string[];
}

/**
 * The stream a publisher writes to. With `create`, one is made when none captures the subject,
 * and an existing one is never changed. Two publishers creating it at once both end up using it.
 */
export async function ensurePublishStream(
  jsm: JetStreamManager,
  captures: string,
  display: string,
  create: CreateStreamOptions | undefined,
): Promise<StreamChoice> {
  const warnings: string[] = [];
  const found = async (): Promise<string | undefined> => (await streamsFor(jsm, captures))[0];
  let stream = await found();
  if (stream === undefined && create !== undefined) {
    const name = create.name ?? DEFAULT_STREAM;
    const until = Date.now() + (create.waitMs ?? 5_000);
    try {
      // Only fields server 2.9 accepts: no metadata, no compression; per-message TTLs are not
      // honoured there, so retention is the stream's max_age.
      const info = await retryWhileForming(until, () => jsm.streams.add({
        name,
        subjects: [captures],
        storage: StorageType.File,
        num_replicas: create.replicas ?? 1,
        max_age: (create.retentionMs ?? DEFAULT_RETENTION_MS) * NANOS_PER_MS,
        duplicate_window: DUPLICATE_WINDOW_MS * NANOS_PER_MS,
        discard: DiscardPolicy.Old,
      }));
      return { stream: info.config.name, warnings };
    } catch (e) {
      // Another publisher made it a moment ago (maybe with other settings): use that one.
      const code = errorCode(e);
      if (code !== STREAM_NAME_IN_USE && code !== SUBJECTS_OVERLAP) {
        throw usageError(`cannot create stream ${name} for '${captures}' on ${display}: ${(e as Error).message}`);
      }
      stream = await found();
      if (stream === undefined) {
        throw usageError(`cannot create stream ${name} for '${captures}' on ${display}: ${(e as Error).message} (choose another --stream)`);
      }
    }
  }
  if (stream === undefined) {
    throw usageError(`no JetStream stream on ${display} captures '${captures}': create one, or pass --create-stream`);
  }
  if (create !== undefined) {
    const ignored = [create.replicas !== undefined ? '--replicas' : '', create.retentionMs !== undefined ? '--retention' : ''].filter(Boolean);
    if (ignored.length > 0) warnings.push(`stream ${stream} already exists and is never changed: ${ignored.join(' and ')} ignored`);
    if (create.name !== undefined && create.name !== stream) warnings.push(`'${captures}' is captured by stream ${stream}, not --stream ${create.name}: publishing to ${stream}`);
  }
  return { stream, warnings };
}

/** The stream a reader reads: --stream when given, else the one stream the subject finds. */
export async function findReadStream(jsm: JetStreamManager, subject: string, display: string, name: string | undefined, terms: NatsTerms = CLI_NATS_TERMS): Promise<StreamInfo> {
  const option = terms('stream');
  if (name !== undefined) {
    try {
      return await jsm.streams.info(name);
    } catch (e) {
      if (errorCode(e) === STREAM_NOT_FOUND) throw usageError(`${option} ${name}: no such stream on ${display}`);
      throw e;
    }
  }
  const names = await streamsFor(jsm, subject);
  if (names.length === 0) throw usageError(`no JetStream stream on ${display} holds '${subject}': check the subject, or name it with ${option}`);
  if (names.length > 1) throw usageError(`'${subject}' is in several streams on ${display} (${names.join(', ')}): choose one with ${option}`);
  return jsm.streams.info(names[0]!);
}
