import { AuthRejectedError, WrongEndpointError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConnectTarget, Environment, NatsReadOptions, TailOptions } from '../options.js';
import { buildPipeline, type BuiltPipeline, type Stdout } from '../pipeline/build.js';
import type { Source } from '../pipeline/source.js';
import { describeProxy } from '../proxy.js';
import { run, type Ending } from '../run.js';
import { logStatuses } from '../status-log.js';
import { Reader } from '../stream/reader.js';
import { openNatsSource, openPublishOutput, withNatsHint } from './nats.js';

export interface Io {
  logger: Logger;
  stdout: Stdout;
  environment: Environment;
}

/** tail (and demo): the reader loop on the endpoint, through the pipeline. */
export async function runTail(options: TailOptions, target: ConnectTarget, io: Io): Promise<Ending> {
  const { logger } = io;
  const agent = target.proxy ? await proxyAgent(target.proxy.url, logger) : undefined;
  const { policy, allTypes, ...tuning } = options.stream;
  const open = (pipeline: BuiltPipeline): Source => {
    logger.debug(`connecting to ${target.endpoint.display}`);
    return new Reader({
      connection: { ...tuning, url: target.endpoint.url, headers: target.endpoint.headers, agent },
      policy,
      allTypes,
      keepValues: pipeline.readsValues,
      display: target.endpoint.display,
      onStatus: logStatuses(logger),
    });
  };
  return runPipeline(options, io, open, (err) => withHint(err, target));
}

/** tail --url nats://... and replay nats://...: a JetStream stream, through the same pipeline. */
export async function runNatsRead(options: TailOptions, read: NatsReadOptions, mode: 'tail' | 'replay', io: Io): Promise<Ending> {
  return runPipeline(options, io, (pipeline) => openNatsSource({ read, mode, stream: options.stream, keepValues: pipeline.readsValues }, io.logger), (err) => err);
}

/**
 * The part every command shares: warnings once, the pipeline (the -o file first, then --publish),
 * the source, the run. A source that cannot be opened closes what the pipeline opened. Errors get
 * the hint of whatever failed: the service's, or NATS's.
 */
export async function runPipeline(options: TailOptions, io: Io, openSource: (pipeline: BuiltPipeline) => Source | Promise<Source>, hint: (err: unknown) => unknown): Promise<Ending> {
  const { logger } = io;
  for (const warning of options.warnings) logger.warn(warning);
  const { publish } = options;
  const publisher = publish !== undefined ? { tee: publish.tee, open: () => openPublishOutput(publish, options.stream, logger) } : undefined;
  const pipeline = await buildPipeline({ ...options, publisher }, io.stdout, io.environment.env);
  let source: Source;
  try {
    source = await openSource(pipeline);
  } catch (err) {
    await Promise.all(pipeline.outputs.map((o) => o.close().catch(() => undefined)));
    throw err;
  }
  try {
    return await run(source, pipeline, logger, options.output.durationMs);
  } catch (err) {
    // A NATS error that surfaces in the run (credentials revoked at a reconnect) gets its hint too.
    throw withNatsHint(hint(err));
  }
}

/** The reader says what the server answered; what to fix is the CLI's to say. */
function withHint(err: unknown, target: ConnectTarget): unknown {
  if (err instanceof AuthRejectedError) {
    if (err.by === 'nats') return err;
    if (err.by === 'proxy') {
      const proxy = target.proxy ? describeProxy(target.proxy) : 'HTTPS_PROXY / HTTP_PROXY';
      return new AuthRejectedError(`${err.message}: check the proxy and its credentials in ${proxy}`, 'proxy');
    }
    return new AuthRejectedError(`${err.message}; check ${target.keyHint}`, err.by);
  }
  if (err instanceof WrongEndpointError) {
    const { urlSource } = target.endpoint;
    const flags = /^--(base-)?url$/.test(urlSource) ? '' : ' (or --url / --base-url)';
    return new WrongEndpointError(`${err.message}; check ${urlSource}${flags}`);
  }
  return err;
}

async function proxyAgent(proxy: string, logger: Logger) {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const { redactUrl } = await import('../endpoint.js');
  logger.debug(`connecting through the proxy ${redactUrl(proxy)}`);
  return new HttpsProxyAgent(proxy);
}
