import { usageError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { isNatsUrl } from '../../nats/url.js';
import { loadConfig, resolveFilter, resolveLog, resolveNats, resolveStream, Settings, type Environment, type Flags } from '../../config/options.js';
import { ONE_SHOT_MAX_RETRIES } from '../../config/one-shot.js';
import { resolveCallers, type CallersOptions } from '../../config/callers.js';
import { resolveCallerFile } from '../../config/caller-file.js';
import { captureInput, openCaptureFile, type CaptureFileInput, type CaptureInput } from '../../sources/capture-input.js';
import { captureCalls, sourceCalls, type TimedCalls } from '../../sources/timed-calls.js';
import { mergeByTime } from '../../sources/merge-by-time.js';
import { compileFilter } from '../../stages/filter.js';
import { createCallerBoard, type CallerRow } from '../../stages/caller-board.js';
import { SKIP_DESCRIPTIONS, WARN_KINDS, type SkipKind } from '../../wire/calls.js';
import { STOP_SIGNALS, type Ending } from '../run.js';
import { checkNatsFiles, openNatsSource } from '../nats-run.js';
import { rateLimit } from '../status-log.js';
import type { Progress } from '../progress.js';

/**
 * callers: the calls of captures and JetStream streams, merged by time, filtered as tail filters,
 * through the caller board; the ranking is printed once, then a summary. Everything a user can get
 * wrong (flags, files, credential files) is checked before the first byte is read.
 */

export default async function callersCommand(flags: Flags & { sources?: string[] }, environment: Environment): Promise<Ending> {
  const args = flags.sources ?? [];
  const options = resolveCallers(flags, environment);
  const config = loadConfig(flags.config, environment);
  const settings = new Settings(flags, config, environment.env);
  const filter = resolveFilter(settings);
  const callerFile = resolveCallerFile(flags, config);
  if (callerFile !== undefined) filter.callerList = callerFile.list;
  const stream = resolveStream(settings, { maxRetries: ONE_SHOT_MAX_RETRIES });
  const log = resolveLog(flags, config, environment);
  if (args.filter((a) => a === '-').length > 1) throw usageError("callers: '-' (stdin) can be given once");

  const natsUrls = args.filter(isNatsUrl);
  // Checked once, with no source, when none is a nats:// URL: --since without one is an error.
  const reads = (natsUrls.length > 0 ? natsUrls : [undefined]).map((url) => resolveNats(flags, config, environment, 'callers', url === undefined ? undefined : { value: url, source: 'callers', layer: 0 }).read);
  const files: CaptureFileInput[] = [];
  const inputs: Array<{ arg: string; input: CaptureInput } | { arg: string; url: string }> = [];
  try {
    for (const arg of args) {
      if (isNatsUrl(arg)) inputs.push({ arg, url: arg });
      else if (arg === '-') inputs.push({ arg, input: captureInput(process.stdin, 'callers -') });
      else {
        const file = openCaptureFile(arg, 'callers');
        files.push(file);
        inputs.push({ arg, input: file });
      }
    }
    await checkNatsFiles(reads.map((r) => r?.target));
  } catch (err) {
    for (const f of files) f.close();
    throw err;
  }

  const logger = await createLogger(log);
  for (const warning of config.warnings) logger.warn(warning);
  const keep = compileFilter(filter);
  let progress: Progress | undefined;
  const eraseAndEnd = (sig: NodeJS.Signals): void => {
    progress?.stop();
    for (const other of STOP_SIGNALS) process.off(other, eraseAndEnd);
    process.kill(process.pid, sig);
  };
  const sources: TimedCalls[] = [];
  /** Connections opened, closed whatever happens (an open one would keep the process alive). */
  const opened: TimedCalls[] = [];
  try {
    // Streams first: their connection lines come before the bar, which then has the line to itself.
    let nats = 0;
    const streams: TimedCalls[] = [];
    for (const entry of inputs) {
      if (!('url' in entry)) continue;
      const source = await openNatsSource({ read: reads[nats++]!, mode: 'replay', stream }, logger);
      streams.push(sourceCalls(source, { keep }));
      opened.push(streams.at(-1)!);
    }
    // A bar on a terminal, unless -q asked for warnings only.
    if (environment.stderrIsTTY && files.length > 0 && ['trace', 'debug', 'info'].includes(log.level)) {
      const { startProgress } = await import('../progress.js');
      const total = files.reduce((sum, f) => sum + f.size, 0);
      progress = await startProgress(process.stderr, total, () => files.reduce((sum, f) => sum + f.bytesRead(), 0));
      // Stopped by a signal, the run ends by it as it would have (nothing half-ranked is printed),
      // with the terminal's line given back clean first.
      for (const sig of STOP_SIGNALS) process.once(sig, eraseAndEnd);
    }
    // Warnings would tear the bar apart: with it, skipped lines are only counted.
    const onSkipped = progress === undefined ? skipWarnings(logger) : undefined;
    nats = 0;
    for (const entry of inputs) {
      if ('url' in entry) sources.push(streams[nats++]!);
      else {
        const name = inputs.length > 1 ? { name: entry.arg === '-' ? 'stdin' : entry.arg } : {};
        sources.push(captureCalls(entry.input, { keep, maxLength: stream.maxMessageSize, ...(onSkipped && { onSkipped }), ...name }));
      }
    }
    const board = createCallerBoard(options.board);
    for await (const batch of mergeByTime(sources)) {
      const { items, times } = batch;
      for (let i = 0; i < items.length; i++) board.add(items[i]!, times[i]!);
    }
    progress?.stop();
    const { sort, settled, minCalls, top } = options.ranking;
    const ranked = board.ranking({ minCalls, sort, settled });
    const rows = top === undefined ? ranked : ranked.slice(0, top);
    await write(await render(rows, options, logger));
    logger.info(summary(sources, board.counts(), ranked.length, keep !== undefined));
    return {};
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, eraseAndEnd);
    progress?.stop();
    for (const f of files) f.close();
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
  }
}

/** A run that ends: a stream that cannot be reached gives up (exit 4) instead of waiting for ever. */
function skipWarnings(logger: Logger): (kind: SkipKind, where: string) => void {
  const mayWarn = rateLimit<SkipKind>(1000);
  const counts = new Map<SkipKind, number>();
  return (kind, where) => {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    if (WARN_KINDS.has(kind) && mayWarn(kind)) logger.warn(`skipped ${where}: ${SKIP_DESCRIPTIONS[kind]} (${counts.get(kind)} so far)`);
  };
}

async function render(rows: CallerRow[], options: CallersOptions, logger: Logger): Promise<string> {
  const rowsModule = await import('../../render/caller-rows.js');
  switch (options.format) {
    case 'ndjson':
      return rows.map(rowsModule.callerNdjson).join('');
    case 'csv':
      return rowsModule.callerCsv(rows);
    case 'ids': {
      const { text, unwritable } = rowsModule.callerIds(rows);
      if (unwritable > 0) logger.warn(`${unwritable} ranked caller${unwritable === 1 ? '' : 's'} left out of -f ids: a name a caller file cannot hold (a line break, a leading #, blanks at an end)`);
      return text;
    }
    case 'table': {
      const { callerTable } = await import('../../render/caller-table.js');
      return rows.length > 0 ? callerTable(rows) : '';
    }
  }
}

function write(text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  // Resolved once the text is handed to the system: a reader that went away (EPIPE) ends it too.
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

/** `read 1200 lines, 1180 calls, 81 callers, ranked 14 (67 below --min-calls), repeats 91, open 0, skipped 20 (not-json 20)` */
export function summary(
  sources: readonly TimedCalls[],
  counts: { calls: number; callers: number; repeats: number; duplicates: number; open: number },
  ranked: number,
  filtering: boolean,
): string {
  let lines = 0;
  let filtered = 0;
  const skipped = new Map<string, number>();
  for (const s of sources) {
    lines += s.counts.received;
    filtered += s.filtered();
    for (const [kind, n] of Object.entries(s.counts.skipped)) if (n > 0) skipped.set(kind, (skipped.get(kind) ?? 0) + n);
  }
  const skippedTotal = [...skipped.values()].reduce((a, b) => a + b, 0);
  const parts = [`read ${lines} lines`, `${lines - skippedTotal} calls`];
  if (filtering) parts.push(`filtered ${filtered}`);
  parts.push(`${counts.callers} callers`, `ranked ${ranked} (${counts.callers - ranked} below --min-calls)`, `repeats ${counts.repeats}`);
  if (counts.duplicates > 0) parts.push(`duplicates ${counts.duplicates}`);
  parts.push(`open ${counts.open}`);
  const detail = skipped.size > 0 ? ` (${[...skipped].map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  parts.push(`skipped ${skippedTotal}${detail}`);
  return parts.join(', ');
}
