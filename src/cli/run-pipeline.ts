import type { Logger } from '../log.js';
import type { Environment, NatsReadOptions, TailOptions } from '../config/options.js';
import { buildPipeline, type PipelineIo, type Stdout } from './build-pipeline.js';
import type { Source } from '../pipeline/source.js';
import { run, summary, type Ending } from './run.js';
import { watchStopSignals, type StopWatch } from './stop-signals.js';
import type { RunWatch } from './run-watch.js';
import type { MetricsAddress } from '../config/metrics.js';
import { newSourceCounts } from '../pipeline/source.js';
import type { Pipeline, PumpCounts } from '../pipeline/pump.js';
import { openNatsSource, openPublishOutput, withNatsHint } from './nats-run.js';

/**
 * What tail, demo and replay share once their source is chosen, with nothing of any one source in
 * it: a replay of a file never loads the WebSocket client, a tail of the service never NATS's.
 */

export interface Io {
  logger: Logger;
  stdout: Stdout;
  environment: Environment;
  /** --metrics: what the run's links and outputs do, for /metrics and /readyz. */
  watch?: RunWatch | undefined;
}

/**
 * Runs `body` with --metrics listening when asked for (bound first: a port in use is a usage error
 * before anything connects), closed once the run is over. prom-client is loaded only then.
 */
export async function withMetrics(
  address: MetricsAddress | undefined,
  stallAfterMs: number,
  logger: Logger,
  body: (watch: RunWatch | undefined) => Promise<Ending>,
): Promise<Ending> {
  if (address === undefined) return body(undefined);
  const { startRunMetrics } = await import('./metrics/run-metrics.js');
  const metrics = await startRunMetrics(address, stallAfterMs, logger);
  try {
    return await body(metrics.watch);
  } finally {
    await metrics.close();
  }
}

/** tail --url nats://... and replay nats://...: a JetStream stream, through the same pipeline. */
export async function runNatsRead(options: TailOptions, read: NatsReadOptions, mode: 'tail' | 'replay', io: Io): Promise<Ending> {
  // A replay of history ages state by the calls' own times, as a capture's replay does.
  const clock = mode === 'replay' ? 'capture' : 'wall';
  return runPipeline(options, io, clock, (signal) => openNatsSource({ read, mode, stream: options.stream, signal }, io.logger, io.watch), (err) => err);
}

/**
 * The part every command shares: warnings once, the pipeline (the -o file first, then --publish),
 * the source, the run. A source that cannot be opened closes what the pipeline opened. Errors get
 * the hint of whatever failed: the service's, or NATS's.
 */
export async function runPipeline(
  options: TailOptions,
  io: Io,
  clock: PipelineIo['clock'],
  openSource: (signal: AbortSignal) => Source | Promise<Source>,
  hint: (err: unknown) => unknown,
): Promise<Ending> {
  const { logger } = io;
  for (const warning of options.warnings) logger.warn(warning);
  const startedAt = Date.now();
  // A NATS connect loop (the publisher's, the stream's) runs before run() watches for signals:
  // Ctrl-C or SIGTERM there ends it at once, with the summary, as it does the WebSocket's.
  const opening = watchSignals(logger);
  const { publish } = options;
  const publisher = publish !== undefined ? { tee: publish.tee, open: () => openPublishOutput(publish, options.stream, logger, io.watch, opening.signal) } : undefined;
  let pipeline: Pipeline | undefined;
  let source: Source | undefined;
  try {
    pipeline = await buildPipeline({ ...options, publisher }, { stdout: io.stdout, stderr: process.stderr, env: io.environment.env, warn: (m) => logger.warn(m), info: (m) => logger.info(m), clock });
    source = await openSource(opening.signal);
  } catch (err) {
    if (opening.stopped === undefined) {
      opening.remove();
      await closeAll(pipeline);
      throw err;
    }
  }
  opening.remove();
  if (opening.stopped !== undefined) {
    // Stopped while connecting: what opened is closed, the summary says what (little) happened.
    if (source !== undefined) {
      source.stop();
      await source.close?.().catch(() => undefined);
    }
    await closeAll(pipeline);
    logger.info(summary(source ?? { counts: newSourceCounts() }, pipeline ?? { stages: [], outputs: [] }, 0, Date.now() - startedAt));
    return { signal: opening.stopped };
  }
  // The summary's own counts: --metrics reads these same numbers.
  const counts: PumpCounts = { output: 0 };
  io.watch?.attach({ source: source!, pipeline: pipeline!, counts });
  try {
    return await run(source!, pipeline!, logger, options.output.durationMs, counts);
  } catch (err) {
    // A NATS error that surfaces in the run (credentials revoked at a reconnect) gets its hint too.
    throw withNatsHint(hint(err));
  } finally {
    io.watch?.detach();
  }
}

async function closeAll(pipeline: Pipeline | undefined): Promise<void> {
  if (pipeline === undefined) return;
  await Promise.all(pipeline.outputs.map((o) => o.close().catch(() => undefined)));
  for (const stage of pipeline.stages) await stage.close?.().catch(() => undefined);
}

/** The stop signals while a run is being opened: the first aborts it, a second ends the process. */
function watchSignals(logger: Logger): StopWatch & { signal: AbortSignal } {
  const controller = new AbortController();
  const watch = watchStopSignals((sig) => {
    logger.info(`${sig}: stopping`);
    controller.abort(new Error(`stopped by ${sig}`));
  });
  return Object.assign(watch, { signal: controller.signal });
}
