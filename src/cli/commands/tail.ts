import { createLogger } from '../../log.js';
import { natsSourceUrl, resolveNats, resolveTail, resolveTarget, type Environment, type Flags } from '../../config/options.js';
import type { Ending } from '../run.js';
import { checkNatsFiles } from '../nats-run.js';
import { runNatsRead, withMetrics } from '../run-pipeline.js';
import { resolveMetrics } from '../../config/metrics.js';
import { runTail } from '../tail-source.js';
import { resolveCallerFile } from '../../config/caller-file.js';
import { followCallerFile } from '../caller-file-watch.js';

/** tail: the service, or with --url nats://... a JetStream stream (no API key needed then). */
export default async function tailCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const base = resolveTail(flags, environment);
  const callerFile = resolveCallerFile(flags, base.config);
  if (callerFile !== undefined) base.filter.callerList = callerFile.list;
  const nats = resolveNats(flags, base.config, environment, 'tail', natsSourceUrl(base.settings));
  const options = { ...base, publish: nats.publish };
  const target = nats.read === undefined ? resolveTarget(base.settings, { env: environment.env }) : undefined;
  await checkNatsFiles([nats.publish?.target, nats.read?.target]);
  const metrics = resolveMetrics(flags, base.config);
  const logger = await createLogger(options.log);
  const stopFollowing = followCallerFile(callerFile, logger);
  try {
    return await withMetrics(metrics, options.stream.pongTimeoutMs, logger, (watch) => {
      const io = { logger, stdout: process.stdout, environment, watch };
      return target !== undefined ? runTail(options, target, io) : runNatsRead(options, nats.read!, 'tail', io);
    });
  } finally {
    stopFollowing();
  }
}
