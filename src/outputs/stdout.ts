import type { Writable } from 'node:stream';
import { outputError, type RexiLiveError } from '../errors.js';
import type { Output } from '../pipeline/output.js';
import { waitForDrain } from './drain.js';

/**
 * Rendered lines to stdout. A reader that goes away (EPIPE: `| head`) makes it `gone`, which ends
 * the run quietly; any other write error is an output error.
 */
export function stdoutOutput(stream: Writable & { fd?: number } = process.stdout): Output {
  let gone = false;
  let error: RexiLiveError | undefined;
  // Without a listener an EPIPE becomes an uncaught exception with a stack trace.
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') gone = true;
    else error ??= outputError(`cannot write to stdout: ${err.message}`);
  });
  return {
    get gone() {
      return gone;
    },
    get error() {
      return error;
    },
    get behind() {
      return !gone && error === undefined && stream.writableNeedDrain;
    },
    write(_batch, text) {
      if (!gone && !error && text.length > 0) stream.write(text);
    },
    ready: () => waitForDrain(stream, () => gone || error !== undefined),
    close: () =>
      new Promise<void>((resolve) => {
        if (gone || error || stream.writableLength === 0) return resolve();
        // stdout is never ended (the logger and other code share the process); wait for a flush.
        stream.write('', () => resolve());
      }),
  };
}
