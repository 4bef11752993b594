import fs from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { usageError } from '../errors.js';

/**
 * Where a capture is read from (replay, serve --replay): the one place that opens a capture file,
 * and that tells gzip from plain text by its first two bytes (1f 8b), for a file and for stdin
 * alike. Several gzip members one after another (what appending to a .gz makes) read as one; a
 * gzip stream cut short (a run still writing, or one that crashed) reads up to where it stops.
 */

export interface CaptureInput {
  /** The capture's bytes, decompressed when it was gzip. */
  readonly bytes: AsyncIterable<Buffer>;
  /** Stops reading and releases the file (or stdin, which may stay open for ever). */
  close(): void;
}

/** A capture file: its size and how many of its bytes (compressed, if gzip) were read so far. */
export interface CaptureFileInput extends CaptureInput {
  readonly size: number;
  bytesRead(): number;
}

/**
 * Opens a capture file, synchronously, so a missing file or a directory is a usage error (exit 2)
 * before anything is written or served. `what` names what the path came from: `replay`, `--replay`.
 */
export function openCaptureFile(file: string, what: string): CaptureFileInput {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    // "ENOENT: no such file or directory", without the path node appends.
    const reason = (err as Error).message.replace(/, \w+ '.*'$/, '');
    throw usageError(`${what}: cannot read '${file}': ${reason}`);
  }
  const stat = fs.fstatSync(fd);
  if (stat.isDirectory()) {
    fs.closeSync(fd);
    throw usageError(`${what}: '${file}' is a directory, not a capture file`);
  }
  const stream = fs.createReadStream('', { fd, highWaterMark: 256 * 1024 });
  return { ...captureInput(stream, `${what} '${file}'`), size: stat.size, bytesRead: () => stream.bytesRead };
}

/** A capture arriving on a stream (stdin): gzip or plain, told apart as a file's are. */
export function captureInput(stream: Readable, name: string): CaptureInput {
  return { bytes: sniffed(stream, name), close: () => stream.destroy() };
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

async function* sniffed(stream: Readable, name: string): AsyncGenerator<Buffer> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Enough bytes to tell: usually the first read; a pipe may deliver one byte at a time.
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await chunks.next();
    if (next.done) {
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  if (head[0] !== GZIP_MAGIC_0 || head[1] !== GZIP_MAGIC_1) {
    yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    return;
  }
  const gunzip = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
  const compressed = Readable.from(
    (async function* () {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  // Errors of either side end the iteration below with that error.
  pipeline(compressed, gunzip, () => {});
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } catch (err) {
    // zlib's own errors (Z_DATA_ERROR, ...) mean the bytes are not gzip after all, or are damaged.
    if (/^Z_/.test((err as NodeJS.ErrnoException).code ?? '')) throw usageError(`${name}: damaged gzip data (${(err as Error).message})`);
    throw err;
  }
}
