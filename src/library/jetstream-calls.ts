import type { NatsReadOptions } from '../config/nats.js';
import type { StreamOptions } from '../config/connection.js';
import type { NatsStatus } from '../nats/connect.js';
import { applyStages, stagesWritten } from '../pipeline/stages.js';
import { createCallStages, type CallStagesSpec } from '../stages/call-stages.js';
import type { Status, StatusListener } from '../stream/status.js';
import type { LiveCall as Call } from '../wire/calls.js';
import type { Message, SignalMessage } from '../wire/message.js';

/**
 * liveCalls() over a JetStream stream: the same typed calls, filters, statuses and stopping as
 * over the service. Everything is checked when liveCalls() is called (config/library.ts); the NATS
 * client is loaded only when the iteration starts.
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

export interface JetStreamCallsRun {
  read: NatsReadOptions;
  stream: StreamOptions;
  /** What each iteration's stages are made of (filters, multi-call, dedupe). */
  stages: CallStagesSpec;
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
export async function* jetStreamCalls(run: JetStreamCallsRun): AsyncGenerator<Call | SignalMessage> {
  const { read: plan, stream, signal, onStatus } = run;
  if (signal?.aborted) return;
  const [{ openJetStreamSource }, { storedMessageFactory }] = await Promise.all([import('../sources/jetstream.js'), import('../sources/jetstream-messages.js')]);
  const display = plan.target.display;
  const opening = openJetStreamSource({
    target: plan.target,
    subject: plan.target.subject,
    policy: stream.policy,
    connectTimeoutMs: stream.connectTimeoutMs,
    ...(stream.pingIntervalMs > 0 && { pingIntervalMs: stream.pingIntervalMs }),
    mode: 'tail',
    ...(plan.streamName !== undefined && { streamName: plan.streamName }),
    ...(plan.start !== undefined && { start: plan.start }),
    ...(plan.durable !== undefined && { durable: plan.durable }),
    toMessage: storedMessageFactory({ allTypes: false, maxMessageSize: stream.maxMessageSize }),
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
  // Per iteration, as over the service: two loops do not share windows or keys.
  const stages = createCallStages(run.stages);
  let read: Message[] | undefined;
  let done = 0;
  try {
    for await (const batch of source) {
      read = batch;
      // One message at a time through the stages, so the loop's position in the read is known.
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        done = i;
        // Aborted in the loop's body: not one call more (the rest of the read goes back).
        if (signal?.aborted) return;
        if (m.kind !== 'call') continue;
        const out = applyStages(stages, [m]);
        for (const message of out) if (message.kind !== 'other') yield message;
        // Yielded is the library's "written": dedupe remembers a key only now.
        stagesWritten(stages, out);
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
