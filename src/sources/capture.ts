import { captureChunks, parseCaptureLine } from '../capture.js';
import type { Batch } from '../message.js';
import { newSourceCounts, type Source } from '../pipeline/source.js';
import type { SkipKind } from '../calls.js';
import type { StatusListener } from '../stream/status.js';

/**
 * A capture's lines as batches, one per read of the input, so one write per read as tail writes
 * once per socket read. Bad lines are skipped and counted like bad frames, reported as statuses.
 */
export class CaptureSource implements Source {
  readonly counts = newSourceCounts();
  private stopped = false;

  constructor(
    private readonly input: NodeJS.ReadableStream & { destroy(): void },
    private readonly options: { allTypes: boolean; maxLength: number; onStatus?: StatusListener },
  ) {}

  stop(): void {
    this.stopped = true;
    // A pipe that stays open (stdin) would otherwise hold the loop until its writer is done.
    this.input.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const { allTypes, maxLength } = this.options;
    try {
      for await (const lines of captureChunks(this.input as AsyncIterable<Buffer>, maxLength)) {
        const batch: Batch = [];
        const now = Date.now();
        for (const { lineNo, text } of lines) {
          if (text !== undefined && text.trim() === '') continue;
          this.counts.received++;
          const parsed = text === undefined ? 'too-large' : parseCaptureLine(text, allTypes, now);
          if (typeof parsed === 'string') this.skipped(parsed, lineNo);
          else batch.push(parsed.message);
        }
        if (batch.length > 0) yield batch;
        if (this.stopped) return;
      }
    } catch (err) {
      // Destroying the input to stop it ends the read with an error that is not one.
      if (!this.stopped) throw err;
    } finally {
      this.input.destroy();
    }
  }

  private skipped(kind: SkipKind, lineNo: number): void {
    this.counts.skipped[kind]++;
    this.options.onStatus?.({ type: 'skipped', kind, count: this.counts.skipped[kind], where: `line ${lineNo}` });
  }
}
