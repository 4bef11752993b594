import type { Batch } from '../wire/message.js';
import type { Output, RenderBatch } from './output.js';
import type { Source } from './source.js';
import type { Stage } from './stage.js';
import { applyStages, stagesWritten } from './stages.js';

/**
 * source → stages → renderer → outputs, each chosen once from the options (build.ts) and then
 * applied to every batch: the part of the data flow that tail, demo and replay share.
 */
export interface Pipeline {
  stages: Stage[];
  /** Renders the lines of the text outputs; undefined when none reads text (publish alone). */
  render: RenderBatch | undefined;
  outputs: Output[];
  /** Stop after this many lines were output (--count): calls and signals alike. */
  limit: number;
}

/** Why pump() returned. */
export type PumpEnd = 'ended' | 'count' | 'stdout-closed' | 'output-error';

export interface PumpCounts {
  /** Lines output: calls, other messages and signals. */
  output: number;
}

/**
 * The per-batch path: stages, one render pass, one write per output, then wait while any output
 * is behind (which is what pauses the source). Everything here runs for every message of a burst,
 * so nothing is looked up or allocated that could have been done at start-up.
 */
export async function pump(source: Source, pipeline: Pipeline, counts: PumpCounts): Promise<PumpEnd> {
  const { stages, render, outputs, limit } = pipeline;
  // A durable source acknowledges what was read once it is written: when --count may end the run
  // in the middle of a read, the messages after the last one output must stay unacknowledged, so
  // the stages take that read one message at a time and the pump knows where it stopped.
  const stepwise = source.wantsDurable === true && Number.isFinite(limit);
  for await (const read of source) {
    // The reader of stdout may have gone while we waited: render nothing it will not read.
    if (someGone(outputs)) return 'stdout-closed';
    let batch: Batch;
    let consumed = read.length;
    if (stepwise) {
      batch = [];
      for (let i = 0; i < read.length; i++) {
        const out = applyStages(stages, [read[i]!]);
        for (let k = 0; k < out.length; k++) batch.push(out[k]!);
        if (counts.output + batch.length >= limit) {
          consumed = i + 1;
          break;
        }
      }
    } else {
      batch = applyStages(stages, read);
    }
    let full = false;
    if (batch.length > 0) {
      if (counts.output + batch.length >= limit) {
        batch = batch.slice(0, limit - counts.output);
        full = true;
      }
      const text = render === undefined ? '' : render(batch);
      for (let o = 0; o < outputs.length; o++) outputs[o]!.write(batch, text);
      counts.output += batch.length;
      stagesWritten(stages, batch);
    }
    if (source.written !== undefined) {
      // A durable reader acknowledges the whole read, dropped messages too, once its lines are safe.
      if (source.wantsDurable) await Promise.all(outputs.map((o) => o.sync?.()));
      if (outputs.some((o) => o.error !== undefined)) return 'output-error';
      await source.written(read, consumed);
    }
    if (outputs.some((o) => o.behind)) await Promise.all(outputs.map((o) => o.ready()));
    if (outputs.some((o) => o.error !== undefined)) return 'output-error';
    if (someGone(outputs)) return 'stdout-closed';
    if (full) return 'count';
  }
  return 'ended';
}

function someGone(outputs: readonly Output[]): boolean {
  for (let o = 0; o < outputs.length; o++) if (outputs[o]!.gone) return true;
  return false;
}
