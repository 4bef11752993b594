import { randomBytes } from 'node:crypto';
import { buildEndpoint } from '../../stream/endpoint.js';
import { createLogger } from '../../log.js';
import { resolveAuth, resolveNats, resolveTail, type Environment, type Flags } from '../../config/options.js';
import type { Ending } from '../run.js';
import { startFeedServer } from '../../server/feed-server.js';
import { serveOptions } from './serve.js';
import { checkNatsFiles } from '../nats-run.js';
import { runTail } from '../tail-source.js';
import { withMetrics } from '../run-pipeline.js';
import { resolveMetrics } from '../../config/metrics.js';
import { announce } from '../status-log.js';
import { resolveCallerFile } from '../../config/caller-file.js';
import { followCallerFile } from '../caller-file-watch.js';

/**
 * demo: the embedded feed on a free loopback port, tailed in the same process with any tail option.
 * It goes through the same key check and the same reader loop as a real connection.
 */
export default async function demoCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const base = resolveTail(flags, environment);
  const callerFile = resolveCallerFile(flags, base.config);
  if (callerFile !== undefined) base.filter.callerList = callerFile.list;
  const { publish } = resolveNats(flags, base.config, environment, 'demo', undefined);
  const options = { ...base, publish };
  await checkNatsFiles([publish?.target]);
  const metrics = resolveMetrics(flags, base.config);
  // The feed takes only demo's --rate and --seed; its --ping-interval is the tail's.
  const feed = serveOptions({ rate: flags.rate, seed: flags.seed, port: '0' }, { ...environment, env: {} });
  const logger = await createLogger(options.log);
  const key = randomBytes(16).toString('hex');
  // The feed's own connect/disconnect lines are noise in a demo; its warnings and debug are not.
  const feedLevel = options.log.level === 'info' ? 'warn' : options.log.level;
  const server = await startFeedServer({ ...feed, host: '127.0.0.1', keys: [key], logger: logger.child({ feed: 'demo' }, { level: feedLevel }) });
  const stopFollowing = followCallerFile(callerFile, logger);
  try {
    const auth = resolveAuth(options.settings);
    const endpoint = buildEndpoint({ url: { value: server.url, source: 'demo' }, apiKey: { value: key, source: 'demo' }, auth, insecure: false });
    announce(logger, options.log.pretty, `demo feed on ${endpoint.display} (${feed.rate} calls/s); Ctrl-C to stop`);
    // The demo's feed is on loopback: never through the user's proxy.
    return await withMetrics(metrics, options.stream.pongTimeoutMs, logger, (watch) =>
      runTail(options, { endpoint, keyHint: 'the demo key', proxy: undefined }, { logger, stdout: process.stdout, environment, watch }),
    );
  } finally {
    stopFollowing();
    await server.close();
  }
}
