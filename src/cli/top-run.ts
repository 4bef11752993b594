import { Writable } from 'node:stream';
import { createElement } from 'react';
import { render } from 'ink';
import { outputError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { TopOptions } from '../config/top.js';
import type { Output } from '../pipeline/output.js';
import { pump, type Pipeline } from '../pipeline/pump.js';
import type { Source } from '../pipeline/source.js';
import type { StatusListener } from '../stream/status.js';
import type { CaptureFileInput } from '../sources/capture-input.js';
import { captureCalls } from '../sources/timed-calls.js';
import { mergeByTime } from '../sources/merge-by-time.js';
import type { Progress } from './progress.js';
import { compileFilter, createFilterStage } from '../stages/filter.js';
import { createCallerBoard } from '../stages/caller-board.js';
import { TopState } from '../stages/top-state.js';
import { colorLevel, createChalk } from '../render/color.js';
import { Board, type Quit } from '../render/top/board.js';
import { createScreen } from '../render/top/screen.js';
import { logStatuses } from './status-log.js';
import { followCallerFile } from './caller-file-watch.js';
import { defaultHeap, smallHeap, TOP_OLD_GROWTH_PERCENT } from './heap-settings.js';
import { alsoTo, type RunWatch } from './run-watch.js';
import { STOP_SIGNALS, summary, type Ending } from './run.js';

/**
 * top's run: the history into the caller board, then the source through the filters into the
 * board's model (an output that is never behind, so the socket never waits on the screen), and the
 * board drawn from snapshots of it. Whatever ends the run (q, Ctrl-C, a signal, --duration, an
 * error, an uncaught exception), the terminal is restored first; then the run's warnings and the
 * summary go to stderr, on the screen the user gets back.
 */

export interface TopRun {
  options: TopOptions;
  /** stderr's logger: used before the board is up and after it is gone. */
  logger: Logger;
  history: Array<{ file: string; input: CaptureFileInput }>;
  /** The bar shows only on a terminal. */
  stderrIsTTY: boolean;
  /** The source as the header shows it (redacted). */
  source: string;
  open(onStatus: StatusListener, runLogger: Logger, watch: RunWatch | undefined): Source | Promise<Source>;
  hint(err: unknown): unknown;
  /** The environment, for the colour rules (NO_COLOR, FORCE_COLOR). */
  env: Record<string, string | undefined>;
  /** --metrics: what the run's link and counters do, for /metrics and /readyz. */
  watch?: RunWatch | undefined;
}

/** Log lines of the run kept while the board is up: the latest warning shows in its footer. */
const KEPT_LOG_LINES = 50;
const NOTICE_MS = 10_000;

export async function runTop(run: TopRun): Promise<Ending> {
  const { options, logger } = run;
  for (const warning of options.warnings) logger.warn(warning);
  const { board: settings } = options;
  const board = createCallerBoard({ horizonMs: settings.horizonMs, hit: settings.hit });
  const state = new TopState({ ...settings, board, startedAt: Date.now() });
  await readHistory(run, state);
  // Up time and the summary count the stream, not the reading of the history.
  const startedAt = Date.now();
  state.begin(startedAt);

  const kept = keptLog();
  const runLogger = await createLogger({ ...options.log, stream: kept.stream });
  const onStatus = alsoTo(logStatuses(runLogger), run.watch?.serviceLink());
  const source = await run.open(
    (s) => {
      state.status(s);
      onStatus(s);
    },
    runLogger,
    run.watch,
  );
  state.source = source.counts;

  const output = stateOutput(state);
  const pipeline: Pipeline = { stages: [createFilterStage(options.filter)], render: undefined, outputs: [output], limit: Infinity };
  // The summary's own counts: --metrics reads these same numbers.
  const counts = { output: 0 };
  run.watch?.attach({ source, pipeline, counts });
  const chalk = createChalk(colorLevel(options.color, run.env, true));
  const screen = createScreen({ stdout: process.stdout, stdin: process.stdin });

  let signal: NodeJS.Signals | undefined;
  const stop = (): void => source.stop();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signal !== undefined) {
      // A second signal: out now, with the terminal back first.
      screen.restore();
      removeHandlers();
      process.kill(process.pid, sig);
      return;
    }
    signal = sig;
    stop();
  };
  // Never leave a terminal in raw mode on the alternate screen, whatever kills the run.
  const onCrash = (err: unknown): void => {
    screen.restore();
    process.stderr.write(`rexi-live: error: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.REXI_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    process.exit(1);
  };
  const onExit = (): void => screen.restore();
  const removeHandlers = (): void => {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', onExit);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', onExit);
  const durationTimer = options.durationMs !== undefined ? setTimeout(stop, options.durationMs) : undefined;

  const onQuit = (how: Quit): void => {
    if (how === 'ctrl-c') signal ??= 'SIGINT';
    stop();
  };
  screen.enter();
  const ink = render(
    createElement(Board, {
      state,
      source: run.source,
      theme: { chalk },
      windowText: settings.windowText,
      minCallers: settings.minCallers,
      onQuit,
      writeTerminal: (sequence: string) => process.stdout.write(sequence),
      notice: () => kept.notice(Date.now()),
    }),
    // Not Ink's incrementalRendering: it garbles this board (lines repeated, others gone) in tmux.
    { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr, exitOnCtrlC: false, patchConsole: false },
  );

  // Followed as tail follows it; what it says (a file gone bad) shows in the board's footer.
  const stopFollowing = followCallerFile(options.callerFile, runLogger);
  let error: unknown;
  try {
    const end = await pump(source, pipeline, counts);
    if (end === 'output-error') error = outputError('the board failed');
  } catch (err) {
    error = run.hint(err);
  } finally {
    clearTimeout(durationTimer);
    stopFollowing();
    state.ended();
    source.stop();
    await source.close?.().catch((err: unknown) => (error ??= err));
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    screen.restore();
    removeHandlers();
    run.watch?.detach();
  }
  // Now on the user's own screen: what the run said while the board was up, then the summary.
  for (const line of kept.lines()) if (line.level >= 40) logger[line.level >= 50 ? 'error' : 'warn'](line.msg);
  logger.info(`${summary(source, pipeline, counts.output, Date.now() - startedAt)}${state.boardSkipped > 0 ? `, not ranked (board full) ${state.boardSkipped}` : ''}`);
  // Thrown after the summary, so the error is the last line the user sees.
  if (error !== undefined) throw error;
  return signal !== undefined ? { signal } : {};
}

/**
 * --history: the captures, through the filters, merged by time as `callers` reads them (so their
 * order on the command line does not matter), into the caller board only; with `callers`' progress
 * bar on a terminal.
 */
async function readHistory(run: TopRun, state: TopState): Promise<void> {
  if (run.history.length === 0) return;
  const { options, logger } = run;
  const keep = compileFilter(options.filter);
  const files = run.history.map((h) => h.input);
  const several = files.length > 1;
  let progress: Progress | undefined;
  if (run.stderrIsTTY && ['trace', 'debug', 'info'].includes(options.log.level)) {
    const { startProgress } = await import('./progress.js');
    const total = files.reduce((sum, f) => sum + f.size, 0);
    progress = await startProgress(process.stderr, total, () => files.reduce((sum, f) => sum + f.bytesRead(), 0));
  }
  const sources = run.history.map(({ file, input }) => captureCalls(input, { keep, maxLength: options.stream.maxMessageSize, ...(several && { name: file }) }));
  let calls = 0;
  defaultHeap();
  try {
    for await (const { items, times } of mergeByTime(sources)) {
      for (let i = 0; i < items.length; i++) state.addHistory(items[i]!, times[i]!);
      calls += items.length;
    }
  } finally {
    smallHeap(TOP_OLD_GROWTH_PERCENT);
    progress?.stop();
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
  }
  const skipped = sources.reduce((sum, s) => sum + Object.values(s.counts.skipped).reduce((a, b) => a + b, 0), 0);
  const filtered = sources.reduce((sum, s) => sum + s.filtered(), 0);
  logger.info(`--history: ${calls} calls from ${files.length} file${several ? 's' : ''} (filtered ${filtered}, skipped ${skipped})`);
}

/** The board as the pipeline's one output: never behind, never gone. */
function stateOutput(state: TopState): Output {
  return {
    write: (batch) => state.add(batch),
    behind: false,
    ready: () => Promise.resolve(),
    error: undefined,
    gone: false,
    close: () => Promise.resolve(),
  };
}

interface KeptLine {
  level: number;
  msg: string;
  time: number;
}

/** A pino destination that keeps the last lines in memory, and says the latest warning. */
function keptLog(): { stream: Writable; lines(): KeptLine[]; notice(now: number): string | undefined } {
  const lines: KeptLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text === '') continue;
        try {
          const { level, msg, time } = JSON.parse(text) as { level: number; msg: string; time: number };
          lines.push({ level, msg: String(msg), time });
          if (lines.length > KEPT_LOG_LINES) lines.shift();
        } catch {
          // Not a log line of ours: nothing to show.
        }
      }
      done();
    },
  });
  return {
    stream,
    lines: () => lines,
    notice(now) {
      for (let i = lines.length - 1; i >= 0; i--) {
        const l = lines[i]!;
        if (now - l.time > NOTICE_MS) return undefined;
        if (l.level >= 40) return l.msg;
      }
      return undefined;
    },
  };
}
