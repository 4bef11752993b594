import type { Writable } from 'node:stream';
import type { OutputOptions } from '../config/options.js';
import { fileOutput } from '../outputs/file.js';
import { stdoutOutput } from '../outputs/stdout.js';
import { renderEach, type RenderBatch } from '../render/renderer.js';
import type { FilterReportOptions, FilterSpec, NonePassed } from '../stages/filter.js';
import { describeNonePassed } from './status-log.js';
import type { SignalOptions } from '../config/signals.js';
import type { StateFile } from '../stages/state-file.js';
import type { Output } from '../pipeline/output.js';
import type { Pipeline } from '../pipeline/pump.js';
import type { Stage } from '../pipeline/stage.js';

/** What the pipeline is built from: the resolved options of tail, demo and replay. */
export interface PipelineOptions {
  filter: FilterSpec;
  output: OutputOptions;
  signals: SignalOptions;
  /** --publish: opened after the -o file; stdout then gets the lines only with --tee. */
  publisher?: { tee: boolean; open(): Promise<Output> } | undefined;
}

export type Stdout = Writable & { isTTY?: boolean; columns?: number };

/** What the pipeline may touch besides stdout. */
export interface PipelineIo {
  stdout: Stdout;
  /** Where the bell rings (only a terminal); the hooks write to fd 2 itself. */
  stderr: Writable & { isTTY?: boolean };
  /** Our environment: the colour rules read it, the hooks get it minus the secrets. */
  env: Record<string, string | undefined>;
  /** Warnings while running: a failed periodic save, a failing hook. */
  warn: (message: string) => void;
  /** Information while running: filters that no call passes. */
  info?: (message: string) => void;
  /**
   * Whose clock the state file's entries age by: the wall clock for a live feed; a capture's own
   * times for replay, so what a capture still holds in its window is not expired by today's date.
   */
  clock: 'wall' | 'capture';
}

/**
 * Chooses every part once, in the order calls go through them: filters → multi-call counting →
 * dedupe → the outputs (-o, stdout, --publish) → hooks and bell. Multi-call counts before dedupe,
 * so `--dedupe` thins the calls output and never the callers counted. Opening the file and the
 * state file comes first, so a bad -o or --state is reported before anything connects. With
 * --publish, stdout gets the lines only with --tee (an -o file still gets them), and nothing is
 * rendered when no output reads text.
 */
export async function buildPipeline(options: PipelineOptions, io: PipelineIo): Promise<Pipeline> {
  const { output, signals, publisher } = options;
  const opened: Output[] = [];
  if (output.file !== undefined) opened.push(fileOutput(output.file));
  if (publisher === undefined ? output.file === undefined : publisher.tee) opened.push(stdoutOutput(io.stdout));
  const texts = opened.length;
  let state: StateFile | undefined;
  // The state file saves a key only while no output failed: its line may not have been kept.
  let outputs: Output[] = opened;
  const linesKept = (): boolean => outputs.every((o) => o.error === undefined);
  try {
    state = await openState(signals, io, linesKept);
    if (publisher !== undefined) opened.push(await publisher.open());
  } catch (err) {
    await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
    await state?.close().catch(() => undefined);
    throw err;
  }
  const { info } = io;
  // Filters that let nothing through say so (10 s or 1,000 calls in, at most once a minute).
  const report = info !== undefined ? { onNonePassed: (facts: NonePassed) => info(describeNonePassed(facts, options.filter)) } : undefined;
  const stages = await callStages(options.filter, signals, state, report);
  outputs = [...opened, ...(await alertOutputs(options, io))];
  return {
    stages,
    render: texts > 0 ? await createRender(output, io.stdout, io.env) : undefined,
    outputs,
    limit: output.count ?? Infinity,
  };
}

/**
 * --state, when something keeps state: a file that cannot be created is an output error (exit 5)
 * here, before anything connects. The warning about a corrupt file is given once, now.
 */
async function openState(signals: SignalOptions, io: PipelineIo, linesKept: () => boolean): Promise<StateFile | undefined> {
  const { dedupe, multiCall, state } = signals;
  if (state.path === undefined || (dedupe === undefined && multiCall === undefined)) return undefined;
  const { openStateFile } = await import('../stages/state-file.js');
  const file = await openStateFile({
    path: state.path,
    stateMax: state.max,
    ...(dedupe !== undefined && { dedupe }),
    ...(multiCall !== undefined && { multiCall: { windowMs: multiCall.windowMs, cooldownMs: multiCall.cooldownMs } }),
    ...(io.clock === 'wall' && { now: Date.now() }),
    warn: io.warn,
    linesKept,
  });
  for (const warning of file.warnings) io.warn(warning);
  return file;
}

/**
 * Filters, multi-call, then dedupe, sharing the state file's stores; last, the stage that saves
 * the file at the clean stop. The pipeline closes stages after outputs, so that save comes once
 * every line is flushed: a key is on disk only once its line is.
 */
async function callStages(filter: FilterSpec, signals: SignalOptions, state: StateFile | undefined, report: FilterReportOptions | undefined): Promise<Stage[]> {
  const { createCallStages } = await import('../stages/call-stages.js');
  const stages = createCallStages({ filter, multiCall: signals.multiCall, dedupe: signals.dedupe, stateMax: signals.state.max }, { windows: state?.windows, keys: state?.keys }, report);
  if (state !== undefined) stages.push({ transform: (batch) => batch, close: () => state.close() });
  return stages;
}

/** --exec and --bell: outputs that are never behind, after the text output. */
async function alertOutputs(options: PipelineOptions, io: PipelineIo): Promise<Output[]> {
  const { hooks, bell } = options.signals;
  if (hooks === undefined && !bell) return [];
  const { createBellOutput, createHookOutput } = await import('../outputs/hooks.js');
  const outputs: Output[] = [];
  if (hooks !== undefined) {
    // A hook reads the line as -f ndjson writes it, --received-at included.
    const { createNdjsonRenderer } = await import('../render/ndjson.js');
    outputs.push(createHookOutput({ ...hooks, env: io.env, warn: io.warn, line: createNdjsonRenderer({ receivedAt: options.output.receivedAt }) }));
  }
  const bellOutput = bell ? createBellOutput(io.stderr) : undefined;
  if (bellOutput !== undefined) outputs.push(bellOutput);
  return outputs;
}

export async function createRender(output: OutputOptions, stdout: Stdout, env: Record<string, string | undefined>): Promise<RenderBatch> {
  if (output.format === 'ndjson') {
    const { createNdjsonBatchRenderer } = await import('../render/ndjson.js');
    return createNdjsonBatchRenderer({ receivedAt: output.receivedAt });
  }
  // The human formats pull in chalk and cli-table3: loaded only when chosen.
  const { colorLevel, createChalk } = await import('../render/color.js');
  const isTTY = output.file === undefined && stdout.isTTY === true;
  const level = colorLevel(output.color, env, isTTY);
  const chalk = createChalk(level);
  if (output.format === 'lines') {
    const { createLinesBatchRenderer } = await import('../render/lines.js');
    // On a terminal each call stays one row, fitted to the width it has now; a pipe or file gets whole lines.
    return createLinesBatchRenderer({ chalk, ...(isTTY && { columns: () => stdout.columns }) });
  }
  const { createTableRenderer } = await import('../render/table.js');
  return renderEach(createTableRenderer({ chalk, color: level > 0, columns: () => (output.file === undefined ? (stdout.columns ?? 80) : 80) }));
}
