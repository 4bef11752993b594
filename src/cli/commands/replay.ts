import { captureInput, openCaptureFile } from '../../sources/capture-input.js';
import { createLogger } from '../../log.js';
import { isNatsUrl } from '../../nats/url.js';
import { resolveNats, resolveTail, type Environment, type Flags } from '../../config/options.js';
import { buildPipeline } from '../build-pipeline.js';
import { run, type Ending } from '../run.js';
import { CaptureSource } from '../../sources/capture.js';
import { logStatuses } from '../status-log.js';
import { checkNatsFiles } from '../nats-run.js';
import { runNatsRead } from '../run-pipeline.js';
import { ONE_SHOT_MAX_RETRIES } from '../../config/one-shot.js';
import { resolveCallerFile } from '../../config/caller-file.js';

/**
 * replay: a capture rendered with the same filters, stages and formats as tail, and the same ways
 * to end (--count, --duration, signals, a closed stdout). A line's time is its `received_at` when it
 * has one (what --received-at writes back), else its `data.timestamp`. A nats:// argument replays
 * what a JetStream stream holds, up to its last message when the replay started.
 */
export default async function replayCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const file = String(flags.file);
  const options = resolveTail(flags, environment, isNatsUrl(file) ? { maxRetries: ONE_SHOT_MAX_RETRIES } : {});
  // A replay is one pass: the list is read once, not followed.
  const callerFile = resolveCallerFile(flags, options.config);
  if (callerFile !== undefined) options.filter.callerList = callerFile.list;
  const { read } = resolveNats(flags, options.config, environment, 'replay', isNatsUrl(file) ? { value: file, source: 'replay', layer: 0 } : undefined);
  if (read !== undefined) {
    await checkNatsFiles([read.target]);
    const logger = await createLogger(options.log);
    return runNatsRead(options, read, 'replay', { logger, stdout: process.stdout, environment });
  }
  const input = file === '-' ? captureInput(process.stdin, 'replay -') : openCaptureFile(file, 'replay');
  const logger = await createLogger(options.log);
  for (const warning of options.warnings) logger.warn(warning);
  const pipeline = await buildPipeline(options, { stdout: process.stdout, stderr: process.stderr, env: environment.env, warn: (m) => logger.warn(m), info: (m) => logger.info(m), clock: 'capture' });
  const source = new CaptureSource(input, { allTypes: options.stream.allTypes, maxLength: options.stream.maxMessageSize, onStatus: logStatuses(logger) });
  return run(source, pipeline, logger, options.output.durationMs);
}
