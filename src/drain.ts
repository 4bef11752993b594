import type { Writable } from 'node:stream';

/** Resolves when the stream wants more (or failed, or closed), or at once when `done()` says so. */
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
