import type { Call } from '../wire/calls.js';
import { usageError } from '../errors.js';
import type { Message, SignalMessage } from '../wire/message.js';
import type { Stage } from '../pipeline/stage.js';
import type { BackoffPolicy } from '../stream/policy.js';
import type { Status, StatusListener } from '../stream/status.js';
import type { StartPosition } from '../sources/jetstream.js';
import { DEFAULT_READ_SUBJECT } from '../nats/subjects.js';
import { parseNatsUrl, validateNatsName, validateSubject, type NatsFlags, type NatsTarget } from '../nats/url.js';
import type { NatsStatus } from '../nats/connect.js';

/**
 * liveCalls() over a JetStream stream: the same typed calls, filters, statuses and stopping as
 * over the service. Everything is checked when liveCalls() is called; the NATS client is loaded
 * only when the iteration starts.
 */

export interface NatsReadLibraryOptions {
  /** The stream to read when the subject alone does not find it. */
  stream?: string;
  /** A durable consumer: a call is acknowledged once the loop asked for the next one. */
  durable?: string;
  /** Start with calls stored since then (a Date or epoch ms); default: new calls only. */
  since?: Date | number;
  /** Start at this stream sequence. */
  startSeq?: number;
  /** Credential and TLS files: a creds file, an nkey seed, a CA, a client certificate and its key. */
  natsCreds?: string;
  natsNkey?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
}

export interface NatsCallsPlan {
  target: NatsTarget;
  streamName: string | undefined;
  durable: string | undefined;
  start: StartPosition | undefined;
}

/** Checks the NATS options of liveCalls(): a RexiLiveError (REXI_BAD_OPTION) before anything connects. */
export function natsCallsPlan(url: string, options: NatsReadLibraryOptions & { insecure?: boolean }): NatsCallsPlan {
  const file = (name: keyof NatsFlags): string | undefined => {
    const v = options[name];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw usageError(`${name} must be a non-empty string (a file path)`);
    return v;
  };
  const flags: NatsFlags = {};
  for (const name of ['natsCreds', 'natsNkey', 'natsCa', 'natsCert', 'natsKey'] as const) {
    const v = file(name);
    if (v !== undefined) flags[name] = v;
  }
  const target = parseNatsUrl({ url, source: 'url', defaultSubject: DEFAULT_READ_SUBJECT, flags, insecure: options.insecure === true });
  validateSubject(target.subject, 'read', 'url');
  const name = (key: 'stream' | 'durable'): string | undefined => {
    const v = options[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw usageError(`${key} must be a string`);
    validateNatsName(v, key);
    return v;
  };
  const { since, startSeq } = options;
  if (since !== undefined && startSeq !== undefined) throw usageError('since and startSeq are both set: use one start position');
  let start: StartPosition | undefined;
  if (since !== undefined) {
    const atMs = since instanceof Date ? since.getTime() : since;
    if (typeof atMs !== 'number' || !Number.isFinite(atMs)) throw usageError('since must be a Date or a number of epoch milliseconds');
    start = { kind: 'since', atMs };
  } else if (startSeq !== undefined) {
    if (!(Number.isSafeInteger(startSeq) && startSeq >= 1)) throw usageError('startSeq must be a whole number of at least 1');
    start = { kind: 'seq', seq: startSeq };
  }
  return { target, streamName: name('stream'), durable: name('durable'), start };
}

export interface NatsCallsRun {
  plan: NatsCallsPlan;
  policy: BackoffPolicy;
  connectTimeoutMs: number;
  pingIntervalMs: number;
  maxMessageSize: number;
  /** The library's stages (filters, multi-call, dedupe), made for each iteration. */
  stages: () => Stage[];
  signal: AbortSignal | undefined;
  onStatus: StatusListener | undefined;
}

/** The library's statuses: a NATS link is up, or is being reconnected. */
function statusOf(display: string, status: NatsStatus): Status | undefined {
  switch (status.type) {
    case 'connected':
      return { type: 'connected', url: display, reconnected: status.reconnect };
    case 'reconnecting':
      return { type: 'reconnecting', reason: status.reason, cause: 'nats_disconnected', delayMs: status.delayMs, attempt: status.attempt };
    default:
      return undefined;
  }
}

/**
 * The calls of the stream (and the signals the stages make of them), one at a time. Nothing is read
 * ahead of the consumer but one pull, so a slow loop holds the stream. A durable acknowledges a
 * call once the loop asks for what comes after it; leaving the loop hands back the rest (and the
 * call it left on), and closes the connection. Signals a publisher stored are not calls: skipped.
 */
export async function* natsCalls(run: NatsCallsRun): AsyncGenerator<Call | SignalMessage> {
  const { plan, signal, onStatus } = run;
  if (signal?.aborted) return;
  const [{ openJetStreamSource }, { storedMessageFactory }] = await Promise.all([import('../sources/jetstream.js'), import('../sources/jetstream-messages.js')]);
  const display = plan.target.display;
  const opening = openJetStreamSource({
    target: plan.target,
    subject: plan.target.subject,
    policy: run.policy,
    connectTimeoutMs: run.connectTimeoutMs,
    ...(run.pingIntervalMs > 0 && { pingIntervalMs: run.pingIntervalMs }),
    mode: 'tail',
    ...(plan.streamName !== undefined && { streamName: plan.streamName }),
    ...(plan.start !== undefined && { start: plan.start }),
    ...(plan.durable !== undefined && { durable: plan.durable }),
    toMessage: storedMessageFactory({ allTypes: false, maxMessageSize: run.maxMessageSize }),
    ...(signal !== undefined && { signal }),
    ...(onStatus !== undefined && {
      onStatus: (s: NatsStatus) => {
        const status = statusOf(display, s);
        if (status !== undefined) onStatus(status);
      },
      onSkipped: onStatus,
    }),
  });
  let source: Awaited<typeof opening>['source'];
  try {
    ({ source } = await opening);
  } catch (err) {
    // Aborted while waiting to retry the first connect: the end the caller asked for.
    if (signal?.aborted) return;
    throw err;
  }
  if (signal?.aborted) {
    await source.close();
    return;
  }
  const stop = (): void => source.stop();
  signal?.addEventListener('abort', stop, { once: true });
  const stages = run.stages();
  let read: Message[] | undefined;
  let done = 0;
  try {
    for await (const batch of source) {
      read = batch;
      // One message at a time through the stages, so the loop's position in the read is known.
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        done = i;
        if (m.kind !== 'call') continue;
        let out: Message[] = [m];
        for (let s = 0; s < stages.length && out.length > 0; s++) out = stages[s]!.transform(out);
        for (const message of out) if (message.kind !== 'other') yield message;
        // Yielded is the library's "written": dedupe remembers a key only now.
        for (const stage of stages) stage.written?.(out);
      }
      source.written(batch);
      read = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    // Left in the middle of a batch: what came before the call it left on was handled.
    if (read !== undefined) source.written(read, done);
    await source.close();
  }
}
