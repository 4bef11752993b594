import type { Outcome } from '../cli.js';
import type { Logger } from '../log.js';
import type { ConnectTarget, Environment, TailOptions } from '../options.js';
import { createPipeline, type Stdout } from '../pipeline.js';
import { describeProxy } from '../proxy.js';
import { run } from '../run.js';
import { Reader } from '../stream/reader.js';
import { newStats } from '../stream/stats.js';

export interface Io {
  logger: Logger;
  stdout: Stdout;
  environment: Environment;
}

/** tail (and demo): the reader loop on the endpoint, through the pipeline. */
export async function runTail(options: TailOptions, target: ConnectTarget, io: Io): Promise<Outcome> {
  const { logger } = io;
  for (const warning of options.warnings) logger.warn(warning);
  const agent = target.proxy ? await proxyAgent(target.proxy.url, logger) : undefined;
  const pipeline = await createPipeline(options.output, options.filter, io.stdout, io.environment.env);
  const stats = newStats(Date.now());
  const { policy, allTypes, ...tuning } = options.stream;
  const reader = new Reader(
    {
      connection: { ...tuning, url: target.endpoint.url, headers: target.endpoint.headers, agent },
      policy,
      allTypes,
      keepValues: pipeline.readsValues,
      display: target.endpoint.display,
      urlSource: target.endpoint.urlSource,
      keyHint: target.keyHint,
      proxyHint: target.proxy && describeProxy(target.proxy),
    },
    stats,
    logger,
  );
  return run(reader, pipeline, stats, logger, options.output.durationMs);
}

async function proxyAgent(proxy: string, logger: Logger) {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const { redactUrl } = await import('../endpoint.js');
  logger.debug(`connecting through the proxy ${redactUrl(proxy)}`);
  return new HttpsProxyAgent(proxy);
}
