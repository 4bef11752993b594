import type { Writable } from 'node:stream';
import { waitForDrain } from './drain.js';
import { outputError, type UserError } from './errors.js';
import { OutputFile } from './output-file.js';

/**
 * Where rendered lines go: stdout, or a file that may rotate by UTC date/hour. Callers write whole
 * lines only, one write per socket read; a `false` from write() means wait for drain() before the
 * next, which is what keeps memory bounded behind a slow reader.
 */
export interface Sink {
  write(text: string, now: number): boolean;
  /** Resolves when the sink can take more, or has failed or closed. */
  drain(): Promise<void>;
  /** The reader of stdout went away (EPIPE): end quietly. */
  readonly closed: boolean;
  /** A write failed (disk full, ...): exit 5. */
  readonly error: UserError | undefined;
  /** Flushes what was written, fsyncs a file, and releases it. */
  close(): Promise<void>;
}

export function stdoutSink(stream: Writable & { fd?: number } = process.stdout): Sink {
  let closed = false;
  let error: UserError | undefined;
  // Without a listener an EPIPE becomes an uncaught exception with a stack trace.
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else error ??= outputError(`cannot write to stdout: ${err.message}`);
  });
  return {
    get closed() {
      return closed;
    },
    get error() {
      return error;
    },
    write: (text) => (closed || error ? true : stream.write(text)),
    drain: () => waitForDrain(stream, () => closed || error !== undefined),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed || error || stream.writableLength === 0) return resolve();
        // stdout is never ended (the logger and other code share the process); wait for a flush.
        stream.write('', () => resolve());
      }),
  };
}

/** `{date}` → UTC YYYY-MM-DD, `{hour}` → UTC HH: the file a line written at `now` belongs in. */
export function outputPath(template: string, now: number): string {
  if (!template.includes('{')) return template;
  const iso = new Date(now).toISOString();
  return template.replaceAll('{date}', iso.slice(0, 10)).replaceAll('{hour}', iso.slice(11, 13));
}

/** When the file name next changes: the next UTC hour or day, or never. */
export function nextRotation(template: string, now: number): number {
  if (template.includes('{hour}')) return (Math.floor(now / 3_600_000) + 1) * 3_600_000;
  if (template.includes('{date}')) return (Math.floor(now / 86_400_000) + 1) * 86_400_000;
  return Infinity;
}

/**
 * Appends to a file (output-file.ts: whole lines, fsync, gzip for a `.gz` name). A rotation
 * happens between two writes, so a line is never split across files; the previous file is
 * finished (fsynced, its gzip member completed) and closed in the background.
 */
export function fileSink(template: string, now: number): Sink {
  let file = OutputFile.open(outputPath(template, now));
  let rotateAt = nextRotation(template, now);
  let error: UserError | undefined;
  const retiring: Promise<void>[] = [];

  const rotate = (at: number): void => {
    rotateAt = nextRotation(template, at);
    const path = outputPath(template, at);
    if (path === file.path) return;
    const old = file;
    file = OutputFile.open(path);
    retiring.push(old.finish().then((err) => void (error ??= err)));
  };

  return {
    closed: false,
    get error() {
      return error ?? file.error;
    },
    write(text, at) {
      if (error ?? file.error) return true;
      if (at >= rotateAt) {
        try {
          rotate(at);
        } catch (err) {
          error = err as UserError;
          return true;
        }
      }
      return file.write(text);
    },
    drain: () => file.drain(),
    async close() {
      const err = await file.finish();
      await Promise.all(retiring);
      error ??= err;
    },
  };
}
