import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { timestampMs } from '../wire/calls.js';
import { captureByteChunks, classifyCaptureBytes, type ByteLine } from '../wire/capture-bytes.js';
import { openCaptureFile } from '../sources/capture-input.js';
import type { Logger } from '../log.js';

/**
 * `serve --replay`: plays back a file written by `rexi-live tail -f ndjson [--received-at]` with
 * its original spacing. Lines are sent as their own text, never re-serialised, so integers beyond
 * 2^53 and key order reach clients exactly as they were captured. The file is streamed, not
 * loaded, so a capture of any size replays in constant memory.
 */

export interface ReplayOptions {
  file: string;
  /** Spacing is divided by this: 2 plays twice as fast. */
  speed: number;
  /** Start again from the first line after the last. */
  loop: boolean;
  logger: Logger;
}

export interface ReplayStats {
  /** Messages yielded so far, over all passes. */
  readonly messages: number;
  /** Lines skipped because they are not JSON objects, over all passes. */
  readonly skipped: number;
}

export interface Replay {
  readonly stats: ReplayStats;
  /** The messages' text, each when it is due; ends at the end of the file unless looping, or on abort. */
  play(signal?: AbortSignal): AsyncGenerator<string, void, undefined>;
}

/** One usable line: the text to send and the clocks its spacing can be taken from. */
export interface ReplayLine {
  text: string;
  receivedAtMs: number | undefined;
  timestampMs: number | undefined;
}

/** Reads one capture line's bytes (as replay does); undefined when it is not a JSON object, 'blank' when it is whitespace. */
export function parseReplayLine(line: Buffer): ReplayLine | 'blank' | undefined {
  const parsed = classifyCaptureBytes(line, true, 0);
  if (parsed === 'blank') return parsed;
  if (typeof parsed === 'string') return undefined;
  const { message, receivedAt } = parsed;
  return { text: message.raw, receivedAtMs: receivedAt, timestampMs: message.kind === 'call' ? message.timestampMs : timestampMs(message.value.data) };
}

/**
 * The source time between two lines: from `received_at` when both have it (millisecond
 * precision), else from `data.timestamp`, else none. Never negative: a clock that steps back
 * sends the line at once rather than reordering.
 */
function sourceGapMs(prev: ReplayLine, next: ReplayLine): number {
  let gap = 0;
  if (prev.receivedAtMs !== undefined && next.receivedAtMs !== undefined) gap = next.receivedAtMs - prev.receivedAtMs;
  else if (prev.timestampMs !== undefined && next.timestampMs !== undefined) gap = next.timestampMs - prev.timestampMs;
  return Math.max(0, gap);
}

/** A longer line is skipped without being held in memory (what tail's --max-message-size defaults to). */
const MAX_LINE_LENGTH = 1 << 20;
/** Lines due at once are yielded in batches of this size before the event loop gets a turn. */
const BURST = 64;
/** Warnings about bad lines per file: the count in the summary covers the rest. */
const MAX_LINE_WARNINGS = 10;
/** The pause before a loop starts over, when the file gives no spacing to go by. */
const DEFAULT_LOOP_GAP_MS = 1000;

/** A capture's lines one at a time, for a reader that paces them itself. */
async function* captureLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<ByteLine> {
  for await (const lines of captureByteChunks(input, MAX_LINE_LENGTH)) yield* lines;
}

/**
 * Checks the file can be read, so `serve --replay` fails at start (exit 2) rather than after it
 * printed "listening".
 */
export async function openReplay(options: ReplayOptions): Promise<Replay> {
  const { file, speed, loop, logger } = options;
  // Opened once now to check it, then once per pass.
  openCaptureFile(file, '--replay').close();

  const stats = { messages: 0, skipped: 0 };

  async function* play(signal?: AbortSignal): AsyncGenerator<string, void, undefined> {
    let start: number | undefined; // when the first line was ready: the timeline's origin
    let dueMs = 0; // when the current line is due, in ms after start
    let prev: ReplayLine | undefined;
    let loopGapMs = DEFAULT_LOOP_GAP_MS;
    let burst = 0;
    try {
      for (let pass = 0; !signal?.aborted; pass++) {
        let count = 0;
        let gapSum = 0;
        let skipped = 0;
        const input = openCaptureFile(file, '--replay');
        try {
          let lineNo = 0;
          for await (const bytes of captureLines(input.bytes)) {
            lineNo++;
            const line = typeof bytes === 'string' ? undefined : parseReplayLine(bytes);
            if (line === 'blank') continue;
            if (line === undefined) {
              stats.skipped++;
              skipped++;
              if (pass === 0 && skipped <= MAX_LINE_WARNINGS) {
                logger.warn({ file, line: lineNo }, 'replay: skipped a line that is not a JSON object');
              }
              continue;
            }
            if (prev !== undefined) {
              const gap = count === 0 ? loopGapMs : sourceGapMs(prev, line);
              if (count > 0) gapSum += gap;
              dueMs += gap / speed;
            }
            prev = line;
            count++;

            start ??= performance.now();
            const wait = start + dueMs - performance.now();
            if (wait >= 1) {
              await sleep(wait, undefined, { signal });
              burst = 0;
            } else if (++burst >= BURST) {
              // Lines due at once (a burst, or a high --speed) must not starve pings and sends.
              await nextTurn(undefined, { signal });
              burst = 0;
            }
            stats.messages++;
            yield line.text;
          }
        } finally {
          input.close();
        }

        if (pass === 0) {
          logger.debug({ file, messages: count, skipped }, 'replay: end of file');
          if (skipped > MAX_LINE_WARNINGS) logger.warn({ file, skipped }, `replay: skipped ${skipped} lines that are not JSON objects`);
        }
        if (count === 0) {
          logger.warn({ file }, 'replay: the file holds no messages');
          return;
        }
        if (!loop) return;
        // Start over with the file's average spacing, so a loop neither bursts nor stalls.
        if (count > 1) loopGapMs = gapSum / (count - 1);
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
  }

  return { stats, play };
}
