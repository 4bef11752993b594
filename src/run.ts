import type { Outcome } from './cli.js';
import { ExitCode, STOP_SIGNALS, UserError, outputError, type StopSignal } from './errors.js';
import type { Logger } from './log.js';
import { pump, type Pipeline } from './pipeline.js';
import type { Batch } from './stream/reader.js';
import { summary, type Stats } from './stream/stats.js';

/** Where batches come from (the reader loop, a capture): anything that can be told to stop. */
export interface Source extends AsyncIterable<Batch> {
  /** Stop reading: nothing more is read, batches already queued are still yielded, then it ends. */
  stop(): void;
}

/**
 * Runs a source through the pipeline until it ends, --count or --duration is reached, a signal
 * arrives, the reader of stdout goes away, or an error the user must fix. Whatever ends it, the
 * lines already rendered are flushed whole, a file is fsynced and the summary is printed.
 */
export async function run(source: Source, pipeline: Pipeline, stats: Stats, logger: Logger, durationMs: number | undefined): Promise<Outcome> {
  let signal: StopSignal | undefined;
  const onSignal = (sig: StopSignal): void => {
    if (signal !== undefined) {
      // A second signal: the user wants out now.
      removeSignalHandlers();
      process.kill(process.pid, sig);
      return;
    }
    signal = sig;
    // Said out loud: a stop that waits on a slow reader of stdout must not look ignored.
    logger.info(`${sig}: stopping after the lines already read are written (${sig} again to quit at once)`);
    source.stop();
  };
  const signals = Object.keys(STOP_SIGNALS) as StopSignal[];
  const removeSignalHandlers = (): void => {
    for (const sig of signals) process.off(sig, onSignal);
  };
  for (const sig of signals) process.on(sig, onSignal);
  const durationTimer = durationMs !== undefined ? setTimeout(() => source.stop(), durationMs) : undefined;

  let error: UserError | undefined;
  try {
    if ((await pump(source, pipeline, stats)) === 'output-error') error = pipeline.sink.error ?? outputError('output failed');
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    error = err;
  } finally {
    clearTimeout(durationTimer);
    source.stop();
    await pipeline.sink.close();
  }
  error ??= pipeline.sink.error;
  logger.info(summary(stats, Date.now()));
  removeSignalHandlers();
  // Thrown after the summary, so the error is the last line the user sees.
  if (error) throw error;
  if (signal !== undefined) return { exitCode: STOP_SIGNALS[signal], signal };
  return { exitCode: ExitCode.ok };
}
