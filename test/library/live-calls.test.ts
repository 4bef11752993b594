import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
// The package's own entry, as a bot developer imports it (package.json "exports" → dist/).
import { AuthRejectedError, GaveUpError, RexiLiveError, createFeedServer, liveCalls, websocketUrl, type Call, type FeedServer, type MultiCallSignal, type Status } from 'rexi-live';
import { DOC_EXAMPLE, startBareServer, type BareServer } from '../support/ws-server.js';
import { tmpdirs } from '../support/tmp.js';
import { take } from '../support/take.js';

const tmpdir = tmpdirs('rexi-lib-');
const servers: Array<FeedServer | BareServer> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function feed(options: Parameters<typeof createFeedServer>[0]): Promise<FeedServer> {
  const server = await createFeedServer(options);
  servers.push(server);
  return server;
}

const fast = { backoffMinMs: 10, backoffMaxMs: 50 };

describe('liveCalls', () => {
  it('yields typed calls with every field of the service docs example', async () => {
    const file = path.join(tmpdir(), 'doc.ndjson');
    const line = JSON.stringify(JSON.parse(DOC_EXAMPLE));
    fs.writeFileSync(file, `${line}\n`);
    const server = await feed({ replay: file, speed: 1000, loop: true });
    const before = Date.now();
    const [call] = await take(liveCalls({ url: server.url, apiKey: 'k' }), 1);
    expect(call).toMatchObject({
      tokenAddress: 'token_address_here',
      tokenName: 'Token Name',
      tokenSymbol: 'TKN',
      timestampMs: 1628097600_000,
      caller: { id: 'caller_id', name: 'Caller Name', platform: 'telegram' },
      marketCap: 500000,
      price: 0.00005,
      raw: line,
    });
    expect(call!.message).toEqual(JSON.parse(DOC_EXAMPLE));
    expect(call!.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it("keeps the frame's exact text in raw, and leaves a missing or unusable field undefined", async () => {
    const sparse = '{"type":"NEW_SCAN","data":{"token_address":"A","token_name":{},"caller":"x","price_data":{"market_cap":"lots"},"n":12345678901234567890}}';
    const bare = await startBareServer((ws) => {
      ws.send(DOC_EXAMPLE);
      ws.send(sparse);
    });
    servers.push(bare);
    const [pretty, odd] = await take(liveCalls({ url: bare.url }), 2);
    expect(pretty!.raw).toBe(DOC_EXAMPLE);
    expect(odd!.raw).toBe(sparse);
    expect(odd).toMatchObject({ tokenAddress: 'A', tokenName: undefined, tokenSymbol: undefined, timestampMs: undefined, marketCap: undefined, price: undefined });
    expect(odd!.caller).toEqual({ id: undefined, name: undefined, platform: undefined });
  });

  it('applies the filters given as options', async () => {
    const server = await feed({ rate: 400, seed: 7 });
    const calls = await take(liveCalls({ url: server.url, apiKey: 'k', platform: ['telegram'], minMcap: 250_000 }), 20);
    expect(calls).toHaveLength(20);
    for (const c of calls) {
      expect(c.caller.platform).toBe('telegram');
      expect(c.marketCap).toBeGreaterThanOrEqual(250_000);
    }
  });

  it('throws AuthRejectedError after exactly one attempt when the key is refused', async () => {
    const server = await feed({ keys: ['good'], rate: 10 });
    const statuses: Status[] = [];
    const err = await take(liveCalls({ url: server.url, apiKey: 'bad', ...fast, onStatus: (s) => statuses.push(s) }), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthRejectedError);
    expect(err).toBeInstanceOf(RexiLiveError);
    expect((err as AuthRejectedError).code).toBe('REXI_AUTH_REJECTED');
    expect((err as Error).message).toMatch(/HTTP 401/);
    expect(statuses.filter((s) => s.type === 'reconnecting')).toEqual([]);
  });

  it('throws GaveUpError after maxRetries retries, reporting each as a reconnecting status', async () => {
    const closed = await startBareServer(() => undefined);
    await closed.close();
    const statuses: Status[] = [];
    const err = await take(liveCalls({ url: closed.url, maxRetries: 2, ...fast, onStatus: (s) => statuses.push(s) }), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaveUpError);
    expect((err as GaveUpError).code).toBe('REXI_GAVE_UP');
    expect((err as GaveUpError).attempts).toBe(3);
    expect(statuses.map((s) => s.type === 'reconnecting' && s.attempt)).toEqual([2, 3]);
  });

  it('throws REXI_BAD_OPTION at once, before anything connects', () => {
    const bad: Array<Parameters<typeof liveCalls>[0]> = [
      {},
      { url: 'http://127.0.0.1:1/x' },
      { url: 'ws://127.0.0.1:1/x', baseUrl: 'http://127.0.0.1:1' },
      { url: 'wss://api.example.com/x' },
      { url: 'ws://api.example.com/x', apiKey: 'k' },
      { url: 'ws://127.0.0.1:1/x', minMcap: 2, maxMcap: 1 },
      { url: 'ws://127.0.0.1:1/x', backoffMinMs: 0 },
      { url: 'ws://127.0.0.1:1/x', maxRetries: -1 },
      { url: 'ws://127.0.0.1:1/x', platform: [''] },
      { url: 'ws://127.0.0.1:1/x', auth: 'cookie' as never },
      { url: 'ws://127.0.0.1:1/x', dedupe: 'bogus' as never },
      { url: 'ws://127.0.0.1:1/x', dedupe: 'call', firstCall: true },
      { url: 'ws://127.0.0.1:1/x', dedupe: 'token', dedupeTtlMs: 0 },
      { url: 'ws://127.0.0.1:1/x', dedupe: 'token', stateMax: 0 },
      { url: 'ws://127.0.0.1:1/x', minCallers: 1 },
      { url: 'ws://127.0.0.1:1/x', minCallers: 2.5 },
      { url: 'ws://127.0.0.1:1/x', minCallers: 3, windowMs: 0 },
      { url: 'ws://127.0.0.1:1/x', minCallers: 3, cooldownMs: -1 },
      { url: 'ws://127.0.0.1:1/x', withCalls: true },
    ];
    for (const options of bad) {
      let thrown: unknown;
      try {
        liveCalls(options);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(RexiLiveError);
      expect((thrown as RexiLiveError).code).toBe('REXI_BAD_OPTION');
    }
  });

  it("words bad options in the library's own terms, never the CLI's flags", () => {
    const message = (options: unknown): string => {
      try {
        liveCalls(options as Parameters<typeof liveCalls>[0]);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(message({})).toBe('no endpoint: set url or baseUrl');
    expect(message({ url: 'ws://127.0.0.1:1/x', baseUrl: 'http://127.0.0.1:1' })).toBe('url and baseUrl are both set: use one');
    expect(message({ url: 'http://127.0.0.1:1/x' })).toMatch(/or use baseUrl for an http\(s\) base/);
    expect(message({ url: 'wss://api.example.com/x' })).toBe('no API key for api.example.com: set apiKey');
    expect(message({ url: 'ws://api.example.com/x', apiKey: 'k' })).toMatch(/use wss:\/\/ or set insecure: true$/);
    expect(message({ url: 'ws://127.0.0.1:1/x', backoffMinMs: 0 })).toMatch(/^backoffMinMs must be above 0/);
    expect(message({ url: 'ws://127.0.0.1:1/x', withCalls: true })).toBe('withCalls goes with minCallers');
    expect(message({ url: 'ws://127.0.0.1:1/x', minCallers: 1 })).toBe('minCallers must be a whole number of at least 2, not 1');
    expect(message({ url: 'ws://127.0.0.1:1/x', durable: 'bot' })).toBe('durable goes with a nats:// url');
    expect(message({ url: 'nats://u:p@nats.example.com' })).toMatch(/use tls:\/\/ or pass insecure$/);
    expect(message({ url: 'nats://127.0.0.1', natsCert: '/c.pem' })).toBe('a client certificate needs both natsCert and natsKey (NATS_CERT, NATS_KEY)');
    for (const options of [{}, { url: 'ws://api.example.com/x', apiKey: 'k' }, { url: 'nats://u:p@nats.example.com' }]) expect(message(options)).not.toMatch(/--/);
  });

  it('an AbortSignal ends an endless loop promptly, closing the connection', async () => {
    const closes: number[] = [];
    const bare = await startBareServer((ws: WebSocket) => {
      ws.on('close', (code) => closes.push(code));
      const timer = setInterval(() => ws.send('{"type":"NEW_SCAN","data":{"token_address":"A"}}'), 5);
      ws.on('close', () => clearInterval(timer));
    });
    servers.push(bare);
    const abort = new AbortController();
    let n = 0;
    const started = Date.now();
    for await (const _ of liveCalls({ url: bare.url, signal: abort.signal })) {
      if (++n === 3) setTimeout(() => abort.abort(), 10);
    }
    expect(n).toBeGreaterThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(5000);
    await until(() => closes.length > 0);
    expect(closes).toEqual([1000]);
  });

  it('break closes the connection: the server sees a close 1000', async () => {
    const closes: number[] = [];
    const bare = await startBareServer((ws) => {
      ws.on('close', (code) => closes.push(code));
      for (let i = 0; i < 5; i++) ws.send(`{"type":"NEW_SCAN","data":{"token_address":"T${i}"}}`);
    });
    servers.push(bare);
    const got = await take(liveCalls({ url: bare.url }), 2);
    expect(got.map((c) => c.tokenAddress)).toEqual(['T0', 'T1']);
    await until(() => closes.length > 0);
    expect(closes).toEqual([1000]);
  });

  it('reports reconnecting statuses across dropped connections and loses nothing it was sent', async () => {
    const server = await feed({ rate: 200, seed: 3, dropEvery: 5 });
    const statuses: Status[] = [];
    const calls = await take(liveCalls({ url: server.url, apiKey: 'k', ...fast, onStatus: (s) => statuses.push(s) }), 12);
    expect(calls).toHaveLength(12);
    const reconnects = statuses.filter((s) => s.type === 'reconnecting');
    expect(reconnects.length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s.type === 'connected' && s.reconnected).length).toBeGreaterThanOrEqual(2);
  });

  it('a consumer that stops pulling pauses the socket: what the server gets off its hands stays bounded', async () => {
    const frame = JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 'A', pad: 'x'.repeat(400) } });
    let accepted = 0;
    let stop = false;
    const bare = await startBareServer((ws) => {
      // Sends as fast as the socket takes it; what leaves the buffer is what our side accepted.
      const pump = (): void => {
        if (stop || ws.readyState !== ws.OPEN) return;
        while (ws.bufferedAmount < 1 << 20) {
          ws.send(frame);
          accepted += frame.length;
        }
        setImmediate(pump);
      };
      pump();
    });
    servers.push(bare);
    const iterator = liveCalls({ url: bare.url })[Symbol.asyncIterator]();
    await iterator.next();
    const heapBefore = process.memoryUsage().heapUsed;
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    // Unbounded, a second and a half on loopback is hundreds of megabytes.
    expect(accepted).toBeLessThan(32 << 20);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 << 20);
    await iterator.return?.();
  });
});

/** A frame by `caller` (its id and name) on `token`. */
const scan = (token: string, caller: string, timestamp = 1_764_576_000, mcap = 100_000): string =>
  JSON.stringify({ type: 'NEW_SCAN', data: { token_address: token, token_symbol: 'TKN', timestamp, caller: { id: caller, name: caller, platform: 'telegram' }, price_data: { market_cap: mcap } } });

async function takeAll<T>(messages: AsyncIterable<T>, n: number): Promise<T[]> {
  const got: T[] = [];
  for await (const m of messages) {
    got.push(m);
    if (got.length === n) break;
  }
  return got;
}

describe('liveCalls: dedupe and multi-call signals', () => {
  async function sending(frames: string[]): Promise<BareServer> {
    const bare = await startBareServer((ws) => frames.forEach((f) => ws.send(f)));
    servers.push(bare);
    return bare;
  }

  it('dedupe and firstCall drop what was already yielded', async () => {
    const frames = [scan('A', 'alice'), scan('A', 'alice', 1_764_576_060), scan('A', 'bob'), scan('B', 'alice'), scan('A', 'alice'), scan('C', 'carol')];
    const bare = await sending(frames);
    const byCaller = await take(liveCalls({ url: bare.url, dedupe: 'caller' }), 4);
    expect(byCaller.map((c) => `${c.tokenAddress}:${c.caller.name}`)).toEqual(['A:alice', 'A:bob', 'B:alice', 'C:carol']);
    const first = await take(liveCalls({ url: bare.url, firstCall: true }), 3);
    expect(first.map((c) => c.tokenAddress)).toEqual(['A', 'B', 'C']);
    const byCall = await take(liveCalls({ url: bare.url, dedupe: 'call' }), 5);
    expect(byCall.map((c) => c.raw)).toEqual([frames[0], frames[1], frames[2], frames[3], frames[5]]);
  });

  it('minCallers yields typed signals; withCalls each after its trigger call', async () => {
    const bare = await sending([scan('A', 'alice', 1, 100_000), scan('A', 'alice', 2), scan('A', 'bob', 3, 300_000), scan('B', 'carol')]);
    const [signal] = await takeAll(liveCalls({ url: bare.url, minCallers: 2 }), 1);
    expect(signal!.kind).toBe('signal');
    if (signal!.kind !== 'signal') return;
    const s: MultiCallSignal = signal!;
    expect(s.value.type).toBe('MULTI_CALL');
    expect(s.value.data).toMatchObject({ token_address: 'A', window: '10m', first_market_cap: 100_000, market_cap: 300_000 });
    expect(s.value.data.callers.map((c) => c.name)).toEqual(['alice', 'bob']);
    expect(JSON.parse(s.raw)).toEqual(s.value);
    expect(typeof s.identity).toBe('string');

    const withCalls = await takeAll(liveCalls({ url: bare.url, minCallers: 2, withCalls: true, windowMs: 90_000, dedupe: 'caller' }), 4);
    // Dedupe thins the calls after counting: the second call by alice is gone, the signal is not.
    expect(withCalls.map((m) => (m.kind === 'signal' ? `signal:${m.value.data.window}` : m.caller.name))).toEqual(['alice', 'bob', 'signal:90s', 'carol']);
  });

  it('types the iterable by its options: calls alone without minCallers', () => {
    const calls: AsyncIterable<Call> = liveCalls({ url: 'ws://127.0.0.1:1/x', dedupe: 'token' });
    // @ts-expect-error: with minCallers the iterable yields signals too
    const notOnlyCalls: AsyncIterable<Call> = liveCalls({ url: 'ws://127.0.0.1:1/x', minCallers: 3 });
    expect([calls, notOnlyCalls].every((i) => Symbol.asyncIterator in i)).toBe(true);
  });
});

describe('websocketUrl', () => {
  it("is the URL tail connects to, as the service's get_websocket_url() builds it", () => {
    expect(websocketUrl({ baseUrl: 'https://api.example.com', apiKey: 'k 1' })).toBe('wss://api.example.com/solana/monitor/livecalls?api_key=k+1');
    expect(websocketUrl({ url: 'wss://api.example.com/solana/monitor/livecalls', apiKey: 'k', auth: 'header' })).toBe('wss://api.example.com/solana/monitor/livecalls');
  });
});

async function until(test: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
