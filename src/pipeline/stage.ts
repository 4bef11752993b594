import type { Batch } from '../wire/message.js';

/**
 * A stage transforms batches: it may drop, pass or add messages (a signal is added, not read),
 * keep state across batches, and run its own unref'd timer (a state file's periodic save). Each
 * stage owns its counters and reports them for the exit summary.
 */
export interface Stage {
  transform(batch: Batch): Batch;
  /** Every output has taken the batch's lines: what was only seen may now be remembered. */
  written?(batch: Batch): void;
  /** Its part of the exit summary, e.g. `deduped 3`; undefined when it has nothing to say. */
  summary?(): string | undefined;
  /** Flushes state; a failure to save it is an output error. */
  close?(): Promise<void>;
  /** The numbers its summary shows, read when --metrics is scraped (never on the message path). */
  tally?(): StageTally;
}

export interface StageTally {
  filtered?: number;
  deduped?: number;
  signals?: number;
  /** Dedupe keys or token windows held. */
  keys?: number;
}
