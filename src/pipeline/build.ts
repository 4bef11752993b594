import type { Writable } from 'node:stream';
import type { OutputOptions } from '../options.js';
import { fileOutput } from '../outputs/file.js';
import { stdoutOutput } from '../outputs/stdout.js';
import type { Render } from '../render/renderer.js';
import { compileFilter, createFilterStage, type FilterSpec } from '../stages/filter.js';
import type { Output } from './output.js';
import type { Pipeline } from './pump.js';
import type { Stage } from './stage.js';

/** What the pipeline is built from: the resolved options of tail, demo and replay. */
export interface PipelineOptions {
  filter: FilterSpec;
  output: OutputOptions;
  /** --publish: opened after the -o file; stdout then gets the lines only with --tee. */
  publisher?: { tee: boolean; open(): Promise<Output> } | undefined;
}

export type Stdout = Writable & { isTTY?: boolean; columns?: number };

export interface BuiltPipeline extends Pipeline {
  /** Whether anything reads messages' parsed values (a stage, a human format): ndjson alone does not. */
  readsValues: boolean;
}

/**
 * Chooses every part once: the stages in their order (filters first), the renderer of the text
 * outputs, and the outputs. Opening a file comes first, so a bad -o is reported before anything
 * connects. With --publish, stdout gets the lines only with --tee (an -o file still gets them),
 * and nothing is rendered when no output reads text.
 */
export async function buildPipeline(options: PipelineOptions, stdout: Stdout, env: Record<string, string | undefined>): Promise<BuiltPipeline> {
  const { output, publisher } = options;
  const outputs: Output[] = [];
  if (output.file !== undefined) outputs.push(fileOutput(output.file));
  if (publisher === undefined ? output.file === undefined : publisher.tee) outputs.push(stdoutOutput(stdout));
  const texts = outputs.length;
  if (publisher !== undefined) {
    try {
      outputs.push(await publisher.open());
    } catch (err) {
      await Promise.all(outputs.map((o) => o.close().catch(() => undefined)));
      throw err;
    }
  }
  const stages: Stage[] = [createFilterStage(options.filter)];
  return {
    stages,
    render: texts > 0 ? await createRender(output, stdout, env) : undefined,
    outputs,
    limit: output.count ?? Infinity,
    // A publisher reads the platform (its subject) and the call's identity (its message id).
    readsValues: compileFilter(options.filter) !== undefined || output.format !== 'ndjson' || publisher !== undefined,
  };
}

export async function createRender(output: OutputOptions, stdout: Stdout, env: Record<string, string | undefined>): Promise<Render> {
  if (output.format === 'ndjson') {
    const { createNdjsonRenderer } = await import('../render/ndjson.js');
    return createNdjsonRenderer({ receivedAt: output.receivedAt });
  }
  // The human formats pull in chalk and cli-table3: loaded only when chosen.
  const { colorLevel, createChalk } = await import('../render/color.js');
  const isTTY = output.file === undefined && stdout.isTTY === true;
  const level = colorLevel(output.color, env, isTTY);
  const chalk = createChalk(level);
  if (output.format === 'lines') {
    const { createLinesRenderer } = await import('../render/lines.js');
    return createLinesRenderer({ chalk });
  }
  const { createTableRenderer } = await import('../render/table.js');
  return createTableRenderer({ chalk, color: level > 0, columns: () => (output.file === undefined ? (stdout.columns ?? 80) : 80) });
}
