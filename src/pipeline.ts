import type { Writable } from 'node:stream';
import { compileFilter } from './filter.js';
import type { OutputOptions } from './options.js';
import type { FilterSpec } from './filter.js';
import type { Render } from './render/renderer.js';
import { fileSink, stdoutSink, type Sink } from './sink.js';
import type { Batch } from './stream/reader.js';
import type { Stats } from './stream/stats.js';

/**
 * filter → renderer → sink, chosen once from the options and then applied to every batch: the part
 * of the data flow that tail, demo and replay share.
 */

export type Stdout = Writable & { isTTY?: boolean; columns?: number };

export interface Pipeline {
  filter: ((m: Batch['messages'][number]) => boolean) | undefined;
  render: Render;
  sink: Sink;
  /** Stop after this many messages were output (--count). */
  limit: number;
  /** Whether the filter or the renderer reads messages' parsed values (only ndjson alone does not). */
  readsValues: boolean;
}

export async function createRender(output: OutputOptions, stdout: Stdout, env: Record<string, string | undefined>): Promise<Render> {
  if (output.format === 'ndjson') {
    const { createNdjsonRenderer } = await import('./render/ndjson.js');
    return createNdjsonRenderer({ receivedAt: output.receivedAt });
  }
  // The human formats pull in chalk and cli-table3: loaded only when chosen.
  const { colorLevel, createChalk } = await import('./render/color.js');
  const isTTY = output.file === undefined && stdout.isTTY === true;
  const level = colorLevel(output.color, env, isTTY);
  const chalk = createChalk(level);
  if (output.format === 'lines') {
    const { createLinesRenderer } = await import('./render/lines.js');
    return createLinesRenderer({ chalk });
  }
  const { createTableRenderer } = await import('./render/table.js');
  return createTableRenderer({ chalk, color: level > 0, columns: () => (output.file === undefined ? (stdout.columns ?? 80) : 80) });
}

export async function createPipeline(output: OutputOptions, filter: FilterSpec, stdout: Stdout, env: Record<string, string | undefined>): Promise<Pipeline> {
  const test = compileFilter(filter);
  return {
    filter: test,
    render: await createRender(output, stdout, env),
    // Opening the file first: a bad -o is reported before anything connects.
    sink: output.file !== undefined ? fileSink(output.file, Date.now()) : stdoutSink(stdout),
    limit: output.count ?? Infinity,
    readsValues: test !== undefined || output.format !== 'ndjson',
  };
}

/** Why pump() returned. */
export type PumpEnd = 'ended' | 'count' | 'stdout-closed' | 'output-error';

/**
 * The per-message path: decide, render, and write once per batch. Everything here runs for every
 * message of a burst, so nothing is looked up or allocated that could have been done at start-up.
 */
export async function pump(batches: AsyncIterable<Batch>, pipeline: Pipeline, stats: Stats): Promise<PumpEnd> {
  const { filter, render, sink, limit } = pipeline;
  for await (const batch of batches) {
    // The reader of stdout may have gone while we waited: render nothing it will not read.
    if (sink.closed) return 'stdout-closed';
    const { messages, receivedAt, times } = batch;
    let out = '';
    let full = false;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      if (filter !== undefined && !filter(message)) {
        stats.filtered++;
        continue;
      }
      out += render(message, times === undefined ? receivedAt : times[i]!);
      if (++stats.output >= limit) {
        full = true;
        break;
      }
    }
    if (out.length > 0 && !sink.write(out, receivedAt)) await sink.drain();
    if (sink.error) return 'output-error';
    if (sink.closed) return 'stdout-closed';
    if (full) return 'count';
  }
  return 'ended';
}
