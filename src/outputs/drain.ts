import type { Writable } from 'node:stream';

/** Resolves when `stream` can take more, or when `done()` says waiting is pointless. */
export function waitForDrain(stream: Writable, done: () => boolean): Promise<void> {
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
