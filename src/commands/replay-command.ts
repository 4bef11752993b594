import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { classifyFrame, type Message } from '../calls.js';
import { takeReceivedAt } from '../capture.js';
import type { Outcome } from '../cli.js';
import { ExitCode, outputError, usageError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { resolveTail, type Environment, type Flags } from '../options.js';
import { createPipeline, pump } from '../pipeline.js';
import type { Batch } from '../stream/reader.js';
import { newStats, summary, type Stats } from '../stream/stats.js';

/** Lines per batch: one write per batch, as tail does per socket read. */
const BATCH_LINES = 512;
const MAX_WARNINGS = 10;

/**
 * replay: a capture rendered with the same filters and formats as tail. A line's time is its
 * `received_at` when it has one (and that is what --received-at writes again), else now.
 */
export default async function replayCommand(flags: Flags, environment: Environment): Promise<Outcome> {
  const file = String(flags.file);
  const options = resolveTail(flags, environment);
  const input = file === '-' ? process.stdin : openInput(file);
  const logger = await createLogger(options.log);
  for (const warning of options.warnings) logger.warn(warning);
  const pipeline = await createPipeline(options.output, options.filter, process.stdout, environment.env);
  const stats = newStats(Date.now());
  const end = await pump(captureBatches(input, options.stream.allTypes, stats, logger), pipeline, stats);
  await pipeline.sink.close();
  logger.info(summary(stats, Date.now()));
  if (pipeline.sink.error) throw pipeline.sink.error;
  if (end === 'output-error') throw outputError('output failed');
  return { exitCode: ExitCode.ok };
}

function openInput(file: string): fs.ReadStream {
  // Opened synchronously so a missing file is a usage error before anything is written.
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw usageError(`replay: cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return fs.createReadStream('', { fd, highWaterMark: 256 * 1024 });
}

async function* captureBatches(input: NodeJS.ReadableStream, allTypes: boolean, stats: Stats, logger: Logger): AsyncGenerator<Batch> {
  let messages: Message[] = [];
  let times: number[] = [];
  let warned = 0;
  let lineNo = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      stats.received++;
      const result = classifyFrame(line, allTypes);
      if (typeof result === 'string') {
        stats.skipped[result]++;
        if (result !== 'other-type' && warned++ < MAX_WARNINGS) logger.warn(`skipped line ${lineNo}: ${result}`);
        continue;
      }
      times.push(takeReceivedAt(result) ?? Date.now());
      messages.push(result);
      if (messages.length >= BATCH_LINES) {
        yield { messages, receivedAt: Date.now(), times };
        messages = [];
        times = [];
      }
    }
    if (messages.length > 0) yield { messages, receivedAt: Date.now(), times };
  } finally {
    lines.close();
  }
}
