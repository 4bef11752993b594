import fs from 'node:fs';
import zlib from 'node:zlib';
import { outputError, type RexiLiveError } from '../errors.js';
import { waitForDrain } from './drain.js';

/**
 * One `-o` file, open for appending (a capture is never truncated): plain, or gzip when its name
 * ends in `.gz`. It keeps the rules that make a capture safe to read at any moment:
 * - every write the file takes ends with a whole line, and a write that failed (a full disk) is
 *   undone back to the last whole line;
 * - a regular file is fsynced when closed (a FIFO, /dev/null or a pipe refuses fsync);
 * - a gzip file gets one complete member per opening (appending to a .gz adds a member, which
 *   zcat and replay read on), flushed at least once a second. Compressed bytes reach the file only
 *   at those flushes, so whatever is on disk between two writes, or left by a crash,
 *   decompresses to whole lines. (A copy read while a write is under way can end inside that
 *   write, for gzip as for plain text: the kernel lets a read see part of a write in progress.)
 */

/** A gzip file is flushed at least this often: a crash loses at most this much. */
const GZIP_FLUSH_MS = 1000;
/** ... and whenever this much text went in since the last flush: it bounds what is held in memory. */
const GZIP_FLUSH_CHARS = 1 << 20;

export class OutputFile {
  /** A write failed (disk full, ...): the file takes nothing more. */
  error: RexiLiveError | undefined;
  private readonly stream: fs.WriteStream;
  /** fsync and ftruncate are for regular files. */
  private readonly regular: boolean;
  /** The file's size after the last write that completed: always the end of a whole line. */
  private wholeSize: number;
  private readonly gzip: Gzipped | undefined;
  /** The callback of every write to the file: moves wholeSize on. */
  private readonly written: (err?: Error | null) => void;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    gzip: boolean,
  ) {
    const stat = fs.fstatSync(fd);
    this.regular = stat.isFile();
    this.wholeSize = stat.size;
    // autoClose off: the fd must outlive the stream's end so it can be fsynced before closing.
    this.stream = fs.createWriteStream('', { fd, autoClose: false, highWaterMark: 64 * 1024 });
    this.stream.on('error', (err) => this.fail(err));
    // Every write is whole lines (or a whole gzip flush) and writes run one after another: when
    // one completes, the file ends at a whole line. A write that failed may have left part of its
    // bytes.
    const start = stat.size;
    const stream = this.stream;
    this.written = (err) => {
      if (!err) this.wholeSize = start + stream.bytesWritten;
    };
    this.gzip = gzip ? new Gzipped(this.stream, this.written, (err) => this.fail(err)) : undefined;
  }

  /** Opens `path` for appending; an output error (exit 5) when it cannot be. */
  static open(path: string): OutputFile {
    let fd: number;
    try {
      fd = fs.openSync(path, 'a', 0o644);
    } catch (err) {
      throw outputError(`--output: cannot open '${path}': ${(err as Error).message}`);
    }
    return new OutputFile(path, fd, path.endsWith('.gz'));
  }

  /** Whole lines only. `false`: wait for drain() before the next write. */
  write(text: string | Buffer): boolean {
    if (this.error) return true;
    if (this.gzip) return this.gzip.write(text) && !this.stream.writableNeedDrain;
    return this.stream.write(text, this.written);
  }

  /** Resolves when the file can take more, or has failed. */
  async drain(): Promise<void> {
    const failed = (): boolean => this.error !== undefined;
    if (this.gzip) await waitForDrain(this.gzip.input, failed);
    await waitForDrain(this.stream, failed);
  }

  /**
   * Makes every line written so far durable: a gzip file is flushed first, then a regular file is
   * fsynced. What was written before a sync can be acknowledged to a source.
   */
  async sync(): Promise<void> {
    if (this.error) return;
    if (this.gzip) await this.gzip.flushNow();
    await new Promise<void>((resolve) => (this.stream.writableLength === 0 ? resolve() : this.stream.write('', () => resolve())));
    if (!this.regular || this.error) return;
    await new Promise<void>((resolve) =>
      fs.fsync(this.fd, (err) => {
        if (err) this.fail(err);
        resolve();
      }),
    );
  }

  /**
   * Completes a gzip member, ends the stream, fsyncs and closes the file; after a failed write it
   * is first put back to its last whole line, so a capture never holds a partial one.
   */
  async finish(): Promise<RexiLiveError | undefined> {
    if (this.gzip) await this.gzip.finish(this.error === undefined);
    return new Promise((resolve) => {
      this.stream.end(() => {
        const close = (syncErr: Error | null): void => {
          fs.close(this.fd, (closeErr) => {
            const err = syncErr ?? closeErr;
            resolve(this.error ?? (err ? outputError(`--output: cannot write '${this.path}': ${err.message}`) : undefined));
          });
        };
        const sync = (): void => fs.fsync(this.fd, close);
        if (!this.regular) close(null);
        else if (this.stream.errored) fs.ftruncate(this.fd, this.wholeSize, sync);
        else sync();
      });
    });
  }

  private fail(err: Error): void {
    this.error ??= outputError(`--output: cannot write '${this.path}': ${err.message}`);
  }
}

/**
 * The gzip side of a file: text in, compressed bytes held until a sync flush completes, then
 * written as one piece. A flush completes after its output and before anything written after it
 * (zlib works through its writes in order, off the main thread), so each piece ends at the end of
 * a whole line.
 */
class Gzipped {
  readonly input = zlib.createGzip();
  private held: Buffer[] = [];
  private sinceFlush = 0;
  private wrote = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: fs.WriteStream,
    private readonly written: (err?: Error | null) => void,
    fail: (err: Error) => void,
  ) {
    this.input.on('data', (chunk: Buffer) => this.held.push(chunk));
    this.input.on('error', fail);
    this.timer = setInterval(() => {
      if (this.sinceFlush > 0) this.flush();
    }, GZIP_FLUSH_MS).unref();
  }

  write(text: string | Buffer): boolean {
    this.wrote = true;
    this.sinceFlush += text.length;
    const more = this.input.write(text);
    if (this.sinceFlush >= GZIP_FLUSH_CHARS) this.flush();
    return more;
  }

  /** Ends the member (header, data, trailer) and writes it out; a file that got no text gets none. */
  async finish(ok: boolean): Promise<void> {
    clearInterval(this.timer);
    if (!this.wrote || !ok) {
      this.input.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      this.input.once('end', resolve);
      this.input.once('error', () => resolve());
      this.input.end();
    });
    this.writeHeld();
  }

  private flush(done?: () => void): void {
    this.sinceFlush = 0;
    this.input.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      this.writeHeld();
      done?.();
    });
  }

  /** Flushes what went in, and resolves once its bytes were handed to the file's stream. */
  flushNow(): Promise<void> {
    if (!this.wrote) return Promise.resolve();
    return new Promise((resolve) => this.flush(resolve));
  }

  private writeHeld(): void {
    if (this.held.length === 0) return;
    const piece = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    this.held = [];
    this.file.write(piece, this.written);
  }
}
