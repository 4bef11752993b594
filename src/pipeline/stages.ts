import type { Batch } from '../wire/message.js';
import type { Stage } from './stage.js';

/**
 * The one stage driver: a read through every stage in order, and the word that its lines were
 * written. The CLI's pump and the library's loops (over the service and over JetStream) all drive
 * their stages through these two, so the order and the "remember only once written" rule are
 * written once.
 */
export function applyStages(stages: readonly Stage[], read: Batch): Batch {
  let batch = read;
  for (let s = 0; s < stages.length && batch.length > 0; s++) batch = stages[s]!.transform(batch);
  return batch;
}

/** Every output has taken `batch`'s lines (for the library: they were yielded). */
export function stagesWritten(stages: readonly Stage[], batch: Batch): void {
  for (let s = 0; s < stages.length; s++) stages[s]!.written?.(batch);
}
