import type { Writable } from 'node:stream';
import type { OutputOptions } from '../options.js';
import { fileOutput } from '../outputs/file.js';
import { stdoutOutput } from '../outputs/stdout.js';
import { renderEach, type RenderBatch } from '../render/renderer.js';
import { createFilterStage, type FilterSpec } from '../stages/filter.js';
import type { Output } from './output.js';
import type { Pipeline } from './pump.js';
import type { Stage } from './stage.js';

/** What the pipeline is built from: the resolved options of tail, demo and replay. */
export interface PipelineOptions {
  filter: FilterSpec;
  output: OutputOptions;
}

export type Stdout = Writable & { isTTY?: boolean; columns?: number };

/**
 * Chooses every part once: the stages in their order (filters first), the renderer of the text
 * outputs, and the outputs. Opening a file comes first, so a bad -o is reported before anything
 * connects.
 */
export async function buildPipeline(options: PipelineOptions, stdout: Stdout, env: Record<string, string | undefined>): Promise<Pipeline> {
  const { output } = options;
  const outputs: Output[] = [output.file !== undefined ? fileOutput(output.file) : stdoutOutput(stdout)];
  const stages: Stage[] = [createFilterStage(options.filter)];
  return {
    stages,
    render: await createRender(output, stdout, env),
    outputs,
    limit: output.count ?? Infinity,
  };
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
    const { createLinesRenderer } = await import('../render/lines.js');
    return renderEach(createLinesRenderer({ chalk }));
  }
  const { createTableRenderer } = await import('../render/table.js');
  return renderEach(createTableRenderer({ chalk, color: level > 0, columns: () => (output.file === undefined ? (stdout.columns ?? 80) : 80) }));
}
