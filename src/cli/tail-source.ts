import type { Agent } from 'node:http';
import { AuthRejectedError, WrongEndpointError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConnectTarget, StreamOptions, TailOptions } from '../config/options.js';
import type { Source } from '../pipeline/source.js';
import { describeProxy } from '../stream/proxy.js';
import type { Ending } from './run.js';
import { logStatuses } from './status-log.js';
import type { StatusListener } from '../stream/status.js';
import { alsoTo } from './run-watch.js';
import { Reader } from '../stream/reader.js';
import { runPipeline, type Io } from './run-pipeline.js';

export type { Io } from './run-pipeline.js';

/** tail (and demo): the reader loop on the endpoint, through the pipeline. */
export async function runTail(options: TailOptions, target: ConnectTarget, io: Io): Promise<Ending> {
  const { logger } = io;
  const agent = target.proxy ? await proxyAgent(target.proxy.url, logger) : undefined;
  const open = (): Source => readerFor(options.stream, target, agent, logger, alsoTo(logStatuses(logger), io.watch?.serviceLink()));
  return runPipeline(options, io, 'wall', open, (err) => withHint(err, target));
}

/** The reader loop on the endpoint for top, its statuses to `onStatus` (the board's link state). */
export async function openReader(stream: StreamOptions, target: ConnectTarget, logger: Logger, onStatus: StatusListener): Promise<Source> {
  const agent = target.proxy ? await proxyAgent(target.proxy.url, logger) : undefined;
  return readerFor(stream, target, agent, logger, onStatus);
}

/** A reader loop on the endpoint (each connection through `agent` when a proxy is set). */
function readerFor(stream: StreamOptions, target: ConnectTarget, agent: Agent | undefined, logger: Logger, onStatus: StatusListener): Reader {
  const { policy, allTypes, ...tuning } = stream;
  logger.debug(`connecting to ${target.endpoint.display}`);
  return new Reader({
    connection: { ...tuning, url: target.endpoint.url, headers: target.endpoint.headers, agent },
    policy,
    allTypes,
    display: target.endpoint.display,
    onStatus,
  });
}

/** The reader says what the server answered; what to fix is the CLI's to say. */
export function withHint(err: unknown, target: ConnectTarget): unknown {
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

export async function proxyAgent(proxy: string, logger: Logger) {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const { redactUrl } = await import('../stream/endpoint.js');
  logger.debug(`connecting through the proxy ${redactUrl(proxy)}`);
  return new HttpsProxyAgent(proxy);
}
