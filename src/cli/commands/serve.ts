import { usageError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { EMPTY_CONFIG, resolveLog, Settings, type Environment, type Flags } from '../../config/options.js';
import type { Ending } from '../run.js';
import { STOP_SIGNALS } from '../run.js';
import { startFeedServer, type FeedServer, type FeedServerOptions } from '../../server/feed-server.js';
import { resolveMetrics } from '../../config/metrics.js';
import { parseCount, parseDuration, parseNumber } from '../../config/units.js';

/**
 * serve's flags → the feed server's options. Only the syntax is read here; the ranges are checked
 * once, by the feed server itself, for the CLI and for library users alike.
 */
export function serveOptions(flags: Flags, environment: Environment): Omit<FeedServerOptions, 'logger'> {
  const s = new Settings(flags, EMPTY_CONFIG, environment.env);
  const number = (key: 'rate' | 'speed' | 'malformedRate'): number | undefined => {
    const v = s.get(key);
    return v && parseNumber(v.value, v.source, -Infinity);
  };
  const whole = (key: 'port' | 'seed' | 'dropEvery'): number | undefined => {
    const v = s.get(key);
    return v && parseCount(v.value, v.source, 0);
  };
  const replayFile = s.get('replay')?.value;
  if (replayFile === undefined && (flags.speed !== undefined || flags.loop === true)) {
    throw usageError('--speed and --loop go with --replay <file>');
  }
  if (replayFile === undefined && flags.retime === true) throw usageError('--retime goes with --replay <file>');
  const seed = whole('seed');
  const dropEvery = whole('dropEvery');
  const ping = s.get('pingInterval');
  return {
    host: s.get('host')?.value ?? '127.0.0.1',
    port: whole('port') ?? 8080,
    keys: s.list('key'),
    rate: number('rate') ?? 2,
    ...(seed !== undefined && { seed }),
    ...(replayFile !== undefined && { replay: { file: replayFile, speed: number('speed') ?? 1, loop: flags.loop === true, retime: flags.retime === true } }),
    ...(dropEvery !== undefined && { dropEvery }),
    malformedRate: number('malformedRate') ?? 0,
    ...(ping !== undefined && { pingIntervalMs: parseDuration(ping.value, ping.source) }),
  };
}

export default async function serveCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const options = serveOptions(flags, environment);
  const metricsAt = resolveMetrics(flags);
  const logger = await createLogger(resolveLog(flags, EMPTY_CONFIG, environment));
  let server: FeedServer | undefined;
  // prom-client is loaded only when asked for.
  const metrics = metricsAt && (await (await import('../metrics/serve-metrics.js')).startServeMetrics(metricsAt, () => server, logger));
  try {
    server = await startFeedServer({ ...options, logger });
    // A plain line, whatever the log format: scripts wait for it to know the port.
    process.stderr.write(`listening on ${server.url}\n`);
    if (server.seed !== undefined) logger.info(`synthetic feed at ${options.rate} calls/s, seed ${server.seed} (--seed ${server.seed} repeats it)`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      for (const sig of STOP_SIGNALS) process.once(sig, () => resolve(sig));
    });
    await server.close();
    return { signal };
  } finally {
    await metrics?.close();
  }
}
