import type { Logger } from '../log.js';
import type { Environment, NatsReadOptions, TailOptions } from '../config/options.js';
import { buildPipeline, type PipelineIo, type Stdout } from './build-pipeline.js';
import type { Source } from '../pipeline/source.js';
import { run, type Ending } from './run.js';
import { openNatsSource, openPublishOutput, withNatsHint } from './nats-run.js';

/**
 * What tail, demo and replay share once their source is chosen, with nothing of any one source in
 * it: a replay of a file never loads the WebSocket client, a tail of the service never NATS's.
 */

export interface Io {
  logger: Logger;
  stdout: Stdout;
  environment: Environment;
}

/** tail --url nats://... and replay nats://...: a JetStream stream, through the same pipeline. */
export async function runNatsRead(options: TailOptions, read: NatsReadOptions, mode: 'tail' | 'replay', io: Io): Promise<Ending> {
  // A replay of history ages state by the calls' own times, as a capture's replay does.
  const clock = mode === 'replay' ? 'capture' : 'wall';
  return runPipeline(options, io, clock, () => openNatsSource({ read, mode, stream: options.stream }, io.logger), (err) => err);
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
  openSource: () => Source | Promise<Source>,
  hint: (err: unknown) => unknown,
): Promise<Ending> {
  const { logger } = io;
  for (const warning of options.warnings) logger.warn(warning);
  const { publish } = options;
  const publisher = publish !== undefined ? { tee: publish.tee, open: () => openPublishOutput(publish, options.stream, logger) } : undefined;
  const pipeline = await buildPipeline({ ...options, publisher }, { stdout: io.stdout, stderr: process.stderr, env: io.environment.env, warn: (m) => logger.warn(m), clock });
  let source: Source;
  try {
    source = await openSource();
  } catch (err) {
    await Promise.all(pipeline.outputs.map((o) => o.close().catch(() => undefined)));
    for (const stage of pipeline.stages) await stage.close?.().catch(() => undefined);
    throw err;
  }
  try {
    return await run(source, pipeline, logger, options.output.durationMs);
  } catch (err) {
    // A NATS error that surfaces in the run (credentials revoked at a reconnect) gets its hint too.
    throw withNatsHint(hint(err));
  }
}
