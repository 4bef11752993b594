import fs from 'node:fs';
import { outputError, type RexiLiveError } from '../errors.js';
import type { Output } from '../pipeline/output.js';
import { waitForDrain } from './drain.js';

/**
 * `-o`: rendered lines appended to a file that may rotate by UTC date/hour. Lines arrive whole, one
 * write per socket read; the file is behind while its stream wants a drain, which is what keeps
 * memory bounded behind a slow disk.
 */

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
}

function openFile(path: string): OpenFile {
  let fd: number;
  try {
    fd = fs.openSync(path, 'a', 0o644);
  } catch (err) {
    throw outputError(`--output: cannot open '${path}': ${(err as Error).message}`);
  }
  // autoClose off: the fd must outlive the stream's end so it can be fsynced before closing.
  return { path, fd, stream: fs.createWriteStream('', { fd, autoClose: false, highWaterMark: 64 * 1024 }) };
}

/** Ends a file's stream, fsyncs and closes it; failures become an output error. */
function finishFile(file: OpenFile): Promise<RexiLiveError | undefined> {
  return new Promise((resolve) => {
    file.stream.end(() => {
      fs.fsync(file.fd, (syncErr) => {
        fs.close(file.fd, (closeErr) => {
          const err = syncErr ?? closeErr;
          resolve(err ? outputError(`--output: cannot write '${file.path}': ${err.message}`) : undefined);
        });
      });
    });
  });
}

/**
 * Appends to a file (never truncates a capture). A rotation happens between two writes, so a line
 * is never split across files; the previous file is fsynced and closed in the background.
 */
export function fileOutput(template: string, clock: () => number = Date.now): Output {
  const now = clock();
  let file = openFile(outputPath(template, now));
  let rotateAt = nextRotation(template, now);
  let error: RexiLiveError | undefined;
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
    gone: false,
    get error() {
      return error;
    },
    get behind() {
      return error === undefined && file.stream.writableNeedDrain;
    },
    write(_batch, text) {
      if (error || text === '') return;
      // The wall clock, not the messages' times: a replayed capture is written into today's file.
      const at = clock();
      if (at >= rotateAt) {
        try {
          rotate(at);
        } catch (err) {
          error = err as RexiLiveError;
          return;
        }
      }
      file.stream.write(text);
    },
    ready: () => waitForDrain(file.stream, () => error !== undefined),
    sync: () =>
      new Promise<void>((resolve) => {
        // Written to the kernel first: the stream may still hold some of it.
        const current = file;
        const flush = (): void =>
          fs.fsync(current.fd, (err) => {
            if (err) error ??= outputError(`--output: cannot write '${current.path}': ${err.message}`);
            resolve();
          });
        if (current.stream.writableLength === 0) flush();
        else current.stream.write('', flush);
      }),
    async close() {
      const err = await finishFile(file);
      await Promise.all(retiring);
      error ??= err;
    },
  };
}
