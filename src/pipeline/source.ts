import type { Batch } from '../wire/message.js';

/** Where batches come from: the service's reader loop, a capture, a JetStream stream. */
export interface Source extends AsyncIterable<Batch> {
  /** Stop reading: nothing more is read, batches already queued are still yielded, then it ends. */
  stop(): void;
  /** Whether it needs the lines of each batch made durable before `written` (a durable consumer). */
  readonly wantsDurable?: boolean;
  /**
   * The lines of this batch (the very array the source yielded) were written by every output, and
   * synced when `wantsDurable`. `count`: only the messages before it were (a --count reached
   * mid-batch); the rest were never output.
   */
  written?(batch: Batch, count?: number): Promise<void> | void;
  /**
   * Called once after the last `written`: releases what the source holds (hands back what was read
   * and never written, flushes acknowledgements, closes its connection).
   */
  close?(): Promise<void>;
  /** Counted by the source: received, skipped by kind, reconnects. */
  readonly counts: SourceCounts;
  /** Its part of the summary after the skip counts (reconnects). */
  summary?(): string | undefined;
  /**
   * Reconnects so far by cause, a fixed word (never a server's text), adding up to the summary's
   * count: read when --metrics is scraped.
   */
  reconnectCounts?(): Readonly<Record<string, number>>;
}

import type { SkipKind } from '../wire/calls.js';

export interface SourceCounts {
  received: number;
  skipped: Record<SkipKind, number>;
}

export function newSourceCounts(): SourceCounts {
  return { received: 0, skipped: { 'not-json': 0, binary: 0, 'not-object': 0, 'no-token-address': 0, 'other-type': 0, 'too-large': 0 } };
}
