import type { Message } from '../calls.js';
import { captureChunks, parseCaptureLine } from '../capture.js';
import { captureInput, openCaptureFile, type CaptureInput } from '../capture-input.js';
import type { Outcome } from '../cli.js';
import { createLogger, type Logger } from '../log.js';
import { resolveTail, type Environment, type Flags } from '../options.js';
import { createPipeline } from '../pipeline.js';
import { run, type Source } from '../run.js';
import type { Batch } from '../stream/reader.js';
import { newStats, type Stats } from '../stream/stats.js';
import { WarnLimiter } from '../stream/warn-limiter.js';

/**
 * replay: a capture rendered with the same filters and formats as tail, and the same ways to end
 * (--count, --duration, signals, a closed stdout). A line's time is its `received_at` when it has
 * one (what --received-at writes back), else now.
 */
export default async function replayCommand(flags: Flags, environment: Environment): Promise<Outcome> {
  const file = String(flags.file);
  const options = resolveTail(flags, environment);
  const input = file === '-' ? captureInput(process.stdin, 'replay -') : openCaptureFile(file, 'replay');
  const logger = await createLogger(options.log);
  for (const warning of options.warnings) logger.warn(warning);
  const pipeline = await createPipeline(options.output, options.filter, process.stdout, environment.env);
  const stats = newStats(Date.now());
  const source = new CaptureSource(input, options.stream.allTypes, options.stream.maxMessageSize, stats, logger);
  return run(source, pipeline, stats, logger, options.output.durationMs);
}

/** A capture's lines as batches; bad lines skipped and counted like bad frames. */
class CaptureSource implements Source {
  private stopped = false;
  private readonly warn: WarnLimiter;

  constructor(
    private readonly input: CaptureInput,
    private readonly allTypes: boolean,
    private readonly maxLength: number,
    private readonly stats: Stats,
    logger: Logger,
  ) {
    this.warn = new WarnLimiter(stats, logger);
  }

  stop(): void {
    this.stopped = true;
    // A pipe that stays open (stdin) would otherwise hold the loop until its writer is done.
    this.input.close();
  }

  /** One batch per read of the input, so one write per read, as tail writes once per socket read. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    try {
      for await (const lines of captureChunks(this.input.bytes, this.maxLength)) {
        const messages: Message[] = [];
        const times: number[] = [];
        const now = Date.now();
        for (const line of lines) {
          if (line.text !== undefined && line.text.trim() === '') continue;
          this.stats.received++;
          const parsed = line.text === undefined ? line.skip : parseCaptureLine(line.text, this.allTypes);
          if (typeof parsed === 'string') {
            this.warn.skipped(parsed, `line ${line.lineNo}`);
            continue;
          }
          messages.push(parsed.message);
          times.push(parsed.receivedAt ?? now);
        }
        if (messages.length > 0) yield { messages, receivedAt: now, times };
        if (this.stopped) return;
      }
    } catch (err) {
      // Destroying the input to stop it ends the read with an error that is not one.
      if (!this.stopped) throw err;
    } finally {
      this.input.close();
    }
  }
}
