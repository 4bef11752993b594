import { describe, expect, it } from 'vitest';
import { outputError, type RexiLiveError } from '../../src/errors.js';
import type { Output } from '../../src/pipeline/output.js';
import { pump, type Pipeline } from '../../src/pipeline/pump.js';
import { newSourceCounts, type Source } from '../../src/pipeline/source.js';
import type { Stage } from '../../src/pipeline/stage.js';
import type { Batch, Message } from '../../src/wire/message.js';
import { call, T0 } from '../support/messages.js';

/** A source of fixed reads, recording what it was told was written. */
function source(reads: Batch[], durable = false): Source & { acked: Array<[number, number]> } {
  const acked: Array<[number, number]> = [];
  return {
    counts: newSourceCounts(),
    acked,
    stop: () => undefined,
    ...(durable && { wantsDurable: true, written: (batch: Batch, count = batch.length) => void acked.push([reads.indexOf(batch), count]) }),
    async *[Symbol.asyncIterator]() {
      for (const r of reads) yield r;
    },
  };
}

/** An output that keeps what it was given; `behind` until `release()` when `slow`. */
function output(options: { slow?: boolean; fail?: RexiLiveError; gone?: boolean } = {}) {
  let release: () => void = () => undefined;
  const o = {
    lines: [] as string[],
    behind: options.slow === true,
    error: undefined as RexiLiveError | undefined,
    gone: false,
    synced: 0,
    write(batch: Batch, text: string | Buffer) {
      o.lines.push(String(text));
      if (options.fail) o.error = options.fail;
      if (options.gone) o.gone = true;
    },
    ready: () => (o.behind ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
    release: () => {
      o.behind = false;
      release();
    },
    sync: async () => void o.synced++,
    close: async () => undefined,
  };
  return o satisfies Output & Record<string, unknown>;
}

const tokens = (batch: readonly Message[]): string => batch.map((m) => (m.kind === 'call' ? m.tokenSymbol : m.kind)).join(',') + '\n';
const calls = (...symbols: string[]): Batch => symbols.map((s, i) => call({ token: `T${s}`, symbol: s, at: T0 + i }));

function pipeline(outputs: Output[], stages: Stage[] = [], limit = Infinity): Pipeline {
  return { stages, render: tokens, outputs, limit };
}

describe('pump', () => {
  it('renders each read once and writes it to every output, in order', async () => {
    const a = output();
    const b = output();
    const counts = { output: 0 };
    expect(await pump(source([calls('A', 'B'), calls('C')]), pipeline([a, b]), counts)).toBe('ended');
    expect(a.lines).toEqual(['A,B\n', 'C\n']);
    expect(b.lines).toEqual(a.lines);
    expect(counts.output).toBe(3);
  });

  it('runs the stages in order and tells them a batch was written only after the write', async () => {
    const events: string[] = [];
    const o = output();
    const drop: Stage = { transform: (batch) => batch.filter((m) => m.kind === 'call' && m.tokenSymbol !== 'B') };
    const watch: Stage = {
      transform: (batch) => (events.push(`transform ${batch.length}`), batch),
      written: (batch) => events.push(`written ${batch.length} after ${o.lines.length} writes`),
    };
    await pump(source([calls('A', 'B', 'C')]), pipeline([o], [drop, watch]), { output: 0 });
    expect(events).toEqual(['transform 2', 'written 2 after 1 writes']);
    expect(o.lines).toEqual(['A,C\n']);
  });

  it('stops at --count in the middle of a read, writing exactly the lines up to it', async () => {
    const o = output();
    const counts = { output: 0 };
    expect(await pump(source([calls('A', 'B'), calls('C', 'D', 'E'), calls('F')]), pipeline([o], [], 4), counts)).toBe('count');
    expect(o.lines).toEqual(['A,B\n', 'C,D\n']);
    expect(counts.output).toBe(4);
  });

  it('a durable source is told how far into its read the count went, after the output was synced', async () => {
    const o = output();
    const src = source([calls('A', 'B'), calls('C', 'D', 'E')], true);
    expect(await pump(src, pipeline([o], [], 3), { output: 0 })).toBe('count');
    expect(src.acked).toEqual([[0, 2], [1, 1]]);
    expect(o.synced).toBe(2);
  });

  it('waits while an output is behind: the next read is not taken until it is ready', async () => {
    const slow = output({ slow: true });
    let taken = 0;
    const reads = [calls('A'), calls('B')];
    const src: Source = {
      ...source(reads),
      async *[Symbol.asyncIterator]() {
        for (const r of reads) {
          taken++;
          yield r;
        }
      },
    };
    const run = pump(src, pipeline([slow]), { output: 0 });
    await new Promise((r) => setTimeout(r, 50));
    expect(taken).toBe(1);
    slow.release();
    expect(await run).toBe('ended');
    expect(taken).toBe(2);
  });

  it('ends with output-error when an output fails, and stdout-closed when its reader goes', async () => {
    const failing = output({ fail: outputError('disk full') });
    expect(await pump(source([calls('A'), calls('B')]), pipeline([failing]), { output: 0 })).toBe('output-error');
    expect(failing.lines).toEqual(['A\n']);
    const gone = output({ gone: true });
    expect(await pump(source([calls('A'), calls('B')]), pipeline([gone]), { output: 0 })).toBe('stdout-closed');
    expect(gone.lines).toEqual(['A\n']);
  });
});
