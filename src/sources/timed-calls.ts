import { captureByteChunks, classifyCaptureBytes } from '../wire/capture-bytes.js';
import { takeReceivedAt } from '../wire/capture-line.js';
import type { Call, SkipKind } from '../wire/calls.js';
import type { Message } from '../wire/message.js';
import { newSourceCounts, type Source, type SourceCounts } from '../pipeline/source.js';
import type { CaptureInput } from './capture-input.js';
import type { TimedBatch } from './merge-by-time.js';

/**
 * The calls of one source with their times, for a reader that ranks them (callers) rather than
 * writes them: what is not a call is counted as skipped, what fails the filters is counted and
 * dropped here, before the merge. A call's time is its line's `received_at`, else its
 * `data.timestamp`, else (from JetStream) its Rexi-Received-At header, else the time it was
 * stored; a capture line with neither keeps the time of the line before it, so it stays in place.
 */

export interface TimedCalls extends AsyncIterable<TimedBatch<Call>> {
  readonly counts: SourceCounts;
  /** Calls dropped by the filters. */
  readonly filtered: () => number;
  /** Releases the file or the connection, whether or not it was read to its end; at most once. */
  close(): Promise<void>;
}

export interface TimedCallOptions {
  /** The filters (compileFilter); undefined keeps every call. */
  keep: ((m: Message) => boolean) | undefined;
  /** A longer line is skipped as too large. */
  maxLength: number;
  onSkipped?: (kind: SkipKind, where: string) => void;
  /** Named in `where` (`calls.ndjson line 4`) when several sources are read. */
  name?: string;
}

/** A capture's calls (plain, gzip or stdin, as replay reads them). */
export function captureCalls(input: CaptureInput, options: TimedCallOptions): TimedCalls {
  const counts = newSourceCounts();
  let filtered = 0;
  const { keep, maxLength, onSkipped } = options;
  const at = options.name === undefined ? 'line ' : `${options.name} line `;
  return {
    counts,
    filtered: () => filtered,
    close: async () => input.close(),
    async *[Symbol.asyncIterator]() {
      let last = 0;
      let lineNo = 0;
      try {
        // The scanner replay uses: a line is read where the read put it, never decoded first.
        for await (const lines of captureByteChunks(input.bytes, maxLength)) {
          const batch: TimedBatch<Call> = { items: [], times: [] };
          for (const line of lines) {
            lineNo++;
            const parsed = typeof line === 'string' ? line : classifyCaptureBytes(line, false, 0);
            if (parsed === 'blank') continue;
            counts.received++;
            if (typeof parsed === 'string') {
              counts.skipped[parsed]++;
              onSkipped?.(parsed, at + lineNo);
              continue;
            }
            const call = parsed.message;
            if (call.kind !== 'call') {
              counts.skipped['other-type']++;
              continue;
            }
            last = parsed.receivedAt ?? call.timestampMs ?? last;
            if (keep !== undefined && !keep(call)) {
              filtered++;
              continue;
            }
            batch.items.push(call);
            batch.times.push(last);
          }
          if (batch.items.length > 0) yield batch;
        }
      } finally {
        input.close();
      }
    },
  };
}

/**
 * A pipeline source's calls (a JetStream stream): a signal a publisher stored is not a call and is
 * counted as a line of another type. The source's own counts are its received and skipped.
 */
export function sourceCalls(source: Source, options: Pick<TimedCallOptions, 'keep'>): TimedCalls {
  const counts = source.counts;
  let filtered = 0;
  const { keep } = options;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    source.stop();
    return (closing ??= Promise.resolve(source.close?.()));
  };
  return {
    counts,
    filtered: () => filtered,
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for await (const messages of source) {
          const batch: TimedBatch<Call> = { items: [], times: [] };
          for (const m of messages) {
            if (m.kind !== 'call') {
              counts.skipped['other-type']++;
              continue;
            }
            if (keep !== undefined && !keep(m)) {
              filtered++;
              continue;
            }
            batch.items.push(m);
            batch.times.push(storedCallTime(m));
          }
          // Nothing is written anywhere: nothing waits for it to be.
          await source.written?.(messages);
          if (batch.items.length > 0) yield batch;
        }
      } finally {
        await close();
      }
    },
  };
}

/** A stored call's time: its own `received_at`, its `data.timestamp`, else the stream's (header, then storage). */
function storedCallTime(call: Call): number {
  // Only a body that names it is parsed for it: the publisher stores frames without one.
  if (call.bytes.includes('"received_at"')) {
    const at = takeReceivedAt(call);
    if (at !== undefined) return at;
  }
  return call.timestampMs ?? call.receivedAt;
}
