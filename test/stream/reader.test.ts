import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { AuthRejectedError, GaveUpError } from '../../src/errors.js';
import { Reader, type ReaderOptions } from '../../src/stream/reader.js';
import type { Status } from '../../src/stream/status.js';
import type { Batch } from '../../src/wire/message.js';
import { waitFor } from '../support/wait.js';
import { call, startBareServer, type BareServer } from '../support/ws-server.js';

/**
 * The reader loop in-process, against a real ws server on loopback: what the CLI's end-to-end
 * tests show through a child process, seen here at the Source contract itself.
 */

const servers: BareServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(onConnection: (ws: WebSocket, index: number) => void, rejectUpgrade?: (index: number) => { status: number } | undefined): Promise<BareServer> {
  const s = await startBareServer((ws, _req, index) => onConnection(ws, index), rejectUpgrade && { rejectUpgrade: (_req, index) => rejectUpgrade(index) });
  servers.push(s);
  return s;
}

function reader(url: string, over: Partial<ReaderOptions> = {}, statuses: Status[] = []): Reader {
  return new Reader({
    connection: { url, headers: {}, agent: undefined, connectTimeoutMs: 2000, pingIntervalMs: 0, pongTimeoutMs: 1000, idleTimeoutMs: 0, maxMessageSize: 1 << 20, compress: false },
    policy: { minMs: 10, maxMs: 20, maxRetries: Infinity },
    allTypes: false,
    display: url,
    onStatus: (s) => statuses.push(s),
    ...over,
  });
}

/** Reads calls' token addresses until `n` arrived, then stops the reader; bounded by a deadline. */
async function read(r: Reader, n: number): Promise<string[]> {
  const got: string[] = [];
  const deadline = setTimeout(() => r.stop(), 8000);
  try {
    for await (const batch of r as AsyncIterable<Batch>) {
      for (const m of batch) if (m.kind === 'call') got.push(m.tokenSymbol!);
      if (got.length >= n) r.stop();
    }
  } finally {
    clearTimeout(deadline);
  }
  return got;
}

describe('Reader', () => {
  it('yields the calls of a connection in order and counts what it skipped', async () => {
    const s = await server((ws) => {
      ws.send(call(1));
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'PING' }));
      ws.send(call(2));
    });
    const r = reader(s.url);
    expect(await read(r, 2)).toEqual(['T1', 'T2']);
    expect(r.counts.received).toBe(4);
    expect(r.counts.skipped['not-json']).toBe(1);
    expect(r.counts.skipped['other-type']).toBe(1);
  });

  it('reconnects after the server closes, with a reconnecting status, and loses nothing at the seam', async () => {
    const s = await server((ws, index) => {
      ws.send(call(index * 2 + 1));
      ws.send(call(index * 2 + 2));
      if (index === 0) setTimeout(() => ws.close(1000), 20);
    });
    const statuses: Status[] = [];
    const r = reader(s.url, {}, statuses);
    expect(await read(r, 4)).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(r.reconnects).toBe(1);
    expect(statuses.some((st) => st.type === 'reconnecting')).toBe(true);
  });

  it('throws AuthRejectedError on a 401 at the upgrade, after one attempt', async () => {
    const s = await server(() => undefined, () => ({ status: 401 }));
    const err = await read(reader(s.url), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthRejectedError);
    expect(s.requests.length).toBe(1);
  });

  it('gives up with GaveUpError after maxRetries failed attempts in a row', async () => {
    const s = await server(() => undefined, () => ({ status: 503 }));
    const err = await read(reader(s.url, { policy: { minMs: 5, maxMs: 10, maxRetries: 2 } }), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaveUpError);
    expect(s.requests.length).toBe(3);
  });

  it('stop() ends the iteration and closes the socket with 1000', async () => {
    const closes: number[] = [];
    const s = await server((ws) => {
      ws.on('close', (code) => closes.push(code));
      ws.send(call(1));
    });
    const r = reader(s.url);
    expect(await read(r, 1)).toEqual(['T1']);
    await waitFor(() => closes.length > 0, 'the close at the server');
    expect(closes).toEqual([1000]);
  });
});
