import { afterEach } from 'vitest';
import type { WebSocket } from 'ws';
import { killAll, ndjsonLines } from './cli.js';
import { startBareServer, type BareServer } from './ws-server.js';

/** Backoffs shortened so reconnects take milliseconds. */
export const FAST = ['--backoff-min', '20ms', '--backoff-max', '100ms'];

export const seqs = (stdout: string): number[] => ndjsonLines(stdout).map((m) => (m as { data: { seq: number } }).data.seq);

export const sendAll = (ws: WebSocket, frames: string[]): Promise<void> =>
  new Promise((resolve) => frames.forEach((f, i) => ws.send(f, i === frames.length - 1 ? () => resolve() : undefined)));

/**
 * For the calling test file (call it at its top level): after each test, the CLI children are
 * killed, then what the test pushed on `cleanups` is undone, last first. `bare` starts a server that
 * is closed that way.
 */
export function readerRun(): { cleanups: (() => Promise<void> | void)[]; bare: (...args: Parameters<typeof startBareServer>) => Promise<BareServer> } {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await killAll();
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const bare = async (...args: Parameters<typeof startBareServer>): Promise<BareServer> => {
    const s = await startBareServer(...args);
    cleanups.push(() => s.close());
    return s;
  };
  return { cleanups, bare };
}
