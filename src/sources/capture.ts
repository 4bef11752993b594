import { captureByteChunks, classifyCaptureBytes } from '../wire/capture-bytes.js';
import type { CaptureInput } from './capture-input.js';
import type { Batch } from '../wire/message.js';
import { newSourceCounts, type Source } from '../pipeline/source.js';
import type { SkipKind } from '../wire/calls.js';
import type { StatusListener } from '../stream/status.js';

/**
 * A capture's lines as batches, one per read of the input, so one write per read as tail writes
 * once per socket read. Bad lines are skipped and counted like bad frames, reported as statuses.
 */
export class CaptureSource implements Source {
  readonly counts = newSourceCounts();
  private stopped = false;

  constructor(
    private readonly input: CaptureInput,
    private readonly options: { allTypes: boolean; maxLength: number; onStatus?: StatusListener },
  ) {}

  stop(): void {
    this.stopped = true;
    // A pipe that stays open (stdin) would otherwise hold the loop until its writer is done.
    this.input.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const { allTypes, maxLength } = this.options;
    try {
      let lineNo = 0;
      // Bytes all the way: a line is scanned where the read put it, never decoded to a string.
      for await (const lines of captureByteChunks(this.input.bytes, maxLength)) {
        const batch: Batch = [];
        const now = Date.now();
        for (const line of lines) {
          lineNo++;
          const parsed = typeof line === 'string' ? line : classifyCaptureBytes(line, allTypes, now);
          if (parsed === 'blank') continue;
          this.counts.received++;
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
      this.input.close();
    }
  }

  private skipped(kind: SkipKind, lineNo: number): void {
    this.counts.skipped[kind]++;
    this.options.onStatus?.({ type: 'skipped', kind, count: this.counts.skipped[kind], where: `line ${lineNo}` });
  }
}
