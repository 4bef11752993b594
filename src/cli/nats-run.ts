import { PUBLISHER_OLD_GROWTH_PERCENT, smallHeap } from './heap-settings.js';
import { AuthRejectedError, GaveUpError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Message } from '../wire/message.js';
import type { NatsReadOptions, PublishOptions, StreamOptions } from '../config/options.js';
import type { NatsTarget } from '../nats/url.js';
import type { Output } from '../pipeline/output.js';
import type { Source } from '../pipeline/source.js';
import { callKey } from '../stages/identity.js';
import { logNatsStatuses, logNatsWarnings, logStatuses } from './status-log.js';
import { alsoTo, type RunWatch } from './run-watch.js';

/**
 * The CLI's side of NATS: opening the publisher and the JetStream source with the CLI's wording of
 * their statuses and warnings, and the hints that name what a user of the CLI fixes. The NATS
 * client is imported here, lazily: a run that names no NATS URL never loads it.
 */

const CREDENTIAL_HINT = 'check NATS_USER/NATS_PASSWORD, NATS_CREDS or NATS_NKEY (or user:pass@ in the URL)';
const TLS_HINT = 'check --nats-ca (NATS_CA) and --nats-cert/--nats-key (NATS_CERT, NATS_KEY)';

/** The connection's own settings, shared by the publisher and the source. */
function connectSettings(stream: StreamOptions) {
  return {
    policy: stream.policy,
    connectTimeoutMs: stream.connectTimeoutMs,
    // 0 turns the service's heartbeats off; NATS keeps the client's own pings then.
    ...(stream.pingIntervalMs > 0 && { pingIntervalMs: stream.pingIntervalMs }),
  };
}

/**
 * Reads every credential and TLS file of the run's NATS targets, so a missing or malformed one is
 * a usage error before anything connects (not after the first of two connections).
 */
export async function checkNatsFiles(targets: ReadonlyArray<NatsTarget | undefined>): Promise<void> {
  if (targets.every((t) => t === undefined)) return;
  const { connectOptions } = await import('../nats/connect.js');
  for (const target of targets) if (target !== undefined) connectOptions(target);
}

/** A call is token + caller + data.timestamp; a signal has its own; another JSON object is its text. */
function identityOf(message: Message): string {
  if (message.kind === 'call') return callKey(message);
  if (message.kind === 'signal') return message.identity;
  return message.raw;
}

export async function openPublishOutput(publish: PublishOptions, stream: StreamOptions, logger: Logger, watch?: RunWatch, signal?: AbortSignal): Promise<Output> {
  const { openNatsPublisher } = await import('../outputs/nats-publish.js');
  smallHeap(PUBLISHER_OLD_GROWTH_PERCENT);
  const { target } = publish;
  logger.debug(`connecting to NATS at ${target.display} to publish`);
  try {
    const opened = await openNatsPublisher({
      target,
      subject: target.subject,
      ...connectSettings(stream),
      identity: identityOf,
      window: publish.window,
      ...(publish.createStream !== undefined && { createStream: publish.createStream }),
      ...(signal !== undefined && { signal }),
      onStatus: alsoTo(logNatsStatuses(logger, target.display), watch?.natsLink('publish')),
      onWarning: logNatsWarnings(logger),
    });
    for (const warning of opened.warnings) logger.warn(warning);
    logger.info(`publishing to stream ${opened.stream} on ${target.display} (subject ${target.subject})`);
    return opened.output;
  } catch (err) {
    throw withNatsHint(err);
  }
}

export interface NatsSourceOptions {
  read: NatsReadOptions;
  mode: 'tail' | 'replay';
  stream: StreamOptions;
  /** Ends the connect loop at once (a stop signal while connecting). */
  signal?: AbortSignal;
}

export async function openNatsSource(o: NatsSourceOptions, logger: Logger, watch?: RunWatch): Promise<Source> {
  const [{ openJetStreamSource }, { storedMessageFactory }] = await Promise.all([import('../sources/jetstream.js'), import('../sources/jetstream-messages.js')]);
  const { target, streamName, start, durable } = o.read;
  logger.debug(`connecting to NATS at ${target.display} to read`);
  try {
    const opened = await openJetStreamSource({
      target,
      subject: target.subject,
      ...connectSettings(o.stream),
      mode: o.mode,
      ...(streamName !== undefined && { streamName }),
      ...(start !== undefined && { start }),
      ...(durable !== undefined && { durable }),
      ...(o.signal !== undefined && { signal: o.signal }),
      toMessage: storedMessageFactory({ allTypes: o.stream.allTypes, maxMessageSize: o.stream.maxMessageSize }),
      onStatus: alsoTo(logNatsStatuses(logger, target.display), watch?.natsLink('nats-source')),
      onWarning: logNatsWarnings(logger),
      onSkipped: logStatuses(logger),
    });
    for (const warning of opened.warnings) logger.warn(warning);
    const how = durable !== undefined ? ` as durable ${durable}` : '';
    logger.info(`reading stream ${opened.stream} on ${target.display} (subject ${target.subject})${how}`);
    return opened.source;
  } catch (err) {
    throw withNatsHint(err);
  }
}

/** The modules say what the server answered; what to fix is the CLI's to say. */
export function withNatsHint(err: unknown): unknown {
  if (err instanceof AuthRejectedError && err.by === 'nats') return new AuthRejectedError(`${err.message}; ${CREDENTIAL_HINT}`, 'nats');
  if (err instanceof GaveUpError && (err as GaveUpError & { tls?: boolean }).tls === true) {
    return new GaveUpError(`${err.message}; ${TLS_HINT}`, err.attempts);
  }
  return err;
}
