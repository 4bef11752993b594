import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { outputError, type UserError } from './errors.js';

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

function waitForDrain(stream: Writable, done: () => boolean): Promise<void> {
  if (done() || !stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = (): void => {
      stream.off('drain', finish);
      stream.off('error', finish);
      stream.off('close', finish);
      resolve();
    };
    stream.on('drain', finish);
    stream.on('error', finish);
    stream.on('close', finish);
  });
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

interface OpenFile {
  path: string;
  fd: number;
  stream: fs.WriteStream;
  /** fsync is for regular files: a FIFO, /dev/null or a pipe (`-o >(gzip)`) refuses it (EINVAL). */
  regular: boolean;
  /** The file's size after the last write that completed: always the end of a whole line. */
  wholeSize: number;
  /** The callback of every write: moves wholeSize on. */
  written: (err?: Error | null) => void;
}

function openFile(path: string): OpenFile {
  let fd: number;
  try {
    fd = fs.openSync(path, 'a', 0o644);
  } catch (err) {
    throw outputError(`--output: cannot open '${path}': ${(err as Error).message}`);
  }
  const stat = fs.fstatSync(fd);
  // autoClose off: the fd must outlive the stream's end so it can be fsynced before closing.
  const stream = fs.createWriteStream('', { fd, autoClose: false, highWaterMark: 64 * 1024 });
  const file: OpenFile = {
    path,
    fd,
    stream,
    regular: stat.isFile(),
    wholeSize: stat.size,
    // Writes are whole lines and run one after another: when one completes, the file ends with a
    // whole line (a write that failed may have left part of its text).
    written: (err) => {
      if (!err) file.wholeSize = stat.size + stream.bytesWritten;
    },
  };
  return file;
}

/**
 * Ends a file's stream, fsyncs and closes it; failures become an output error. After a failed
 * write (a full disk) the file is first put back to its last whole line, so a capture never holds
 * a partial line.
 */
function finishFile(file: OpenFile): Promise<UserError | undefined> {
  return new Promise((resolve) => {
    file.stream.end(() => {
      const close = (syncErr: Error | null): void => {
        fs.close(file.fd, (closeErr) => {
          const err = syncErr ?? closeErr;
          resolve(err ? outputError(`--output: cannot write '${file.path}': ${err.message}`) : undefined);
        });
      };
      const sync = (): void => fs.fsync(file.fd, close);
      if (!file.regular) close(null);
      else if (file.stream.errored) fs.ftruncate(file.fd, file.wholeSize, sync);
      else sync();
    });
  });
}

/**
 * Appends to a file (never truncates a capture). A rotation happens between two writes, so a line
 * is never split across files; the previous file is fsynced and closed in the background.
 */
export function fileSink(template: string, now: number): Sink {
  let file = openFile(outputPath(template, now));
  let rotateAt = nextRotation(template, now);
  let error: UserError | undefined;
  const retiring: Promise<void>[] = [];
  const watch = (f: OpenFile): void => {
    f.stream.on('error', (err) => {
      error ??= outputError(`--output: cannot write '${f.path}': ${err.message}`);
    });
  };
  watch(file);

  const rotate = (at: number): void => {
    rotateAt = nextRotation(template, at);
    const path = outputPath(template, at);
    if (path === file.path) return;
    const old = file;
    file = openFile(path);
    watch(file);
    retiring.push(finishFile(old).then((err) => void (error ??= err)));
  };

  return {
    closed: false,
    get error() {
      return error;
    },
    write(text, at) {
      if (error) return true;
      if (at >= rotateAt) {
        try {
          rotate(at);
        } catch (err) {
          error = err as UserError;
          return true;
        }
      }
      return file.stream.write(text, file.written);
    },
    drain: () => waitForDrain(file.stream, () => error !== undefined),
    async close() {
      const err = await finishFile(file);
      await Promise.all(retiring);
      error ??= err;
    },
  };
}
