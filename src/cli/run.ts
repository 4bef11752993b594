import { outputError, RexiLiveError } from '../errors.js';
import type { Logger } from '../log.js';
import { pump, type Pipeline, type PumpCounts } from '../pipeline/pump.js';
import type { Source } from '../pipeline/source.js';
import { formatUptime } from '../config/units.js';
import { watchStopSignals } from './stop-signals.js';

/** How a command ended: normally, or stopped by a signal it should now end by itself. */
export interface Ending {
  signal?: NodeJS.Signals;
}

export { STOP_SIGNALS } from './stop-signals.js';

/**
 * Runs a source through the pipeline until it ends, --count or --duration is reached, a signal
 * arrives, the reader of stdout goes away, or an error the user must fix. Whatever ends it, the
 * lines already rendered are flushed whole, files are fsynced, then stages save their state, and the
 * summary is printed.
 */
export async function run(
  source: Source,
  pipeline: Pipeline,
  logger: Logger,
  durationMs: number | undefined,
  counts: PumpCounts = { output: 0 },
): Promise<Ending> {
  const startedAt = Date.now();
  const signals = watchStopSignals((sig) => {
    // Said out loud: a stop that waits on a slow reader of stdout must not look ignored.
    logger.info(`${sig}: stopping after the lines already read are written (${sig} again to quit at once)`);
    source.stop();
  });
  const durationTimer = durationMs !== undefined ? setTimeout(() => source.stop(), durationMs) : undefined;

  let error: RexiLiveError | undefined;
  const keep = (err: unknown): void => {
    if (!(err instanceof RexiLiveError)) throw err;
    error ??= err;
  };
  try {
    if ((await pump(source, pipeline, counts)) === 'output-error') {
      error = pipeline.outputs.find((o) => o.error)?.error ?? outputError('output failed');
    }
  } catch (err) {
    keep(err);
  } finally {
    clearTimeout(durationTimer);
    source.stop();
    // After the last written(): what was read and never written goes back at once (a durable
    // consumer redelivers it to the next reader), and the source's connection is closed.
    await source.close?.().catch(keep);
    // Outputs first: a stage's saved state (dedupe keys) must not get ahead of the lines on disk.
    for (const output of pipeline.outputs) await output.close().catch(keep);
    for (const stage of pipeline.stages) await stage.close?.().catch(keep);
  }
  error ??= pipeline.outputs.find((o) => o.error)?.error;
  logger.info(summary(source, pipeline, counts.output, Date.now() - startedAt));
  signals.remove();
  // Thrown after the summary, so the error is the last line the user sees.
  if (error) throw error;
  return signals.stopped !== undefined ? { signal: signals.stopped } : {};
}

/** `received 1200, output 310, filtered 880, skipped 10 (not-json 4, binary 6), reconnects 2, up 3m12s` */
export function summary(source: Pick<Source, 'counts' | 'summary'>, pipeline: Pick<Pipeline, 'stages' | 'outputs'>, output: number, upMs: number): string {
  const { received, skipped } = source.counts;
  const kinds = Object.entries(skipped).filter(([, n]) => n > 0);
  const total = kinds.reduce((sum, [, n]) => sum + n, 0);
  const detail = kinds.length > 0 ? ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  const parts = [`received ${received}`, `output ${output}`];
  for (const stage of pipeline.stages) parts.push(stage.summary?.() ?? '');
  parts.push(`skipped ${total}${detail}`, source.summary?.() ?? '');
  for (const out of pipeline.outputs) parts.push(out.summary?.() ?? '');
  parts.push(`up ${formatUptime(upMs)}`);
  return parts.filter((p) => p !== '').join(', ');
}
