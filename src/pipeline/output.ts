import type { RexiLiveError } from '../errors.js';
import type { Batch, Message } from '../wire/message.js';

/**
 * Where the lines of a batch go: stdout, a file, a NATS subject, a hook runner. An output takes the
 * batch and the lines rendered for it (text outputs write those; others read the messages), and
 * says when it is behind: the pipeline then stops pulling from the source, which pauses the socket
 * instead of growing memory.
 */
export interface Output {
  /** `text`: the batch's lines as the renderer made them, a string or bytes (ndjson). */
  write(batch: Batch, text: string | Buffer): void;
  readonly behind: boolean;
  /** Resolves when the output is no longer behind, or has failed or gone. */
  ready(): Promise<void>;
  /** Failed for good (disk full, a refused publish): the run ends with this error. */
  readonly error: RexiLiveError | undefined;
  /** The reader of stdout went away (EPIPE): the run ends quietly. */
  readonly gone: boolean;
  /** Makes what was written durable (fsync): the lines are then safe to acknowledge. */
  sync?(): Promise<void>;
  /** Flushes, fsyncs, waits for acknowledgements, and releases what it holds. */
  close(): Promise<void>;
  /** Its part of the exit summary, e.g. `published 12 (duplicates 0)`. */
  summary?(): string | undefined;
  /** The numbers its summary shows, read when --metrics is scraped (never on the write path). */
  tally?(): OutputTally;
}

export interface OutputTally {
  published?: number;
  duplicates?: number;
  /** Publishes waiting for their acknowledgement, or queued for the window. */
  pending?: number;
  /** Hooks by how they ended; `failed` and `timeout` together are the summary's `failed`. */
  hooks?: { ok: number; failed: number; timeout: number; dropped: number };
}

/**
 * What the pipeline calls once per batch to make the text outputs' lines: one string, or bytes
 * (ndjson writes the frames' own bytes, joined once, instead of re-encoding text).
 */
export type RenderBatch = (batch: readonly Message[]) => string | Buffer;
