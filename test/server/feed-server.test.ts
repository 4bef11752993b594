import { writeFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { WebSocket, type ClientOptions } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyFrame } from '../../src/wire/calls.js';
import { silentLogger } from '../../src/log.js';
import { FEED_PATH, startFeedServer, type FeedServer, type FeedServerOptions } from '../../src/server/feed-server.js';
import { tmpdirs } from '../support/tmp.js';

const servers: FeedServer[] = [];
const clients: WebSocket[] = [];
const rawSockets: Socket[] = [];
const tmpdir = tmpdirs('rexi-serve-');
/** Hosts without an IPv6 loopback skip the one test that listens on ::1. */
const HAS_IPV6_LOOPBACK = Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => a.internal && a.address === '::1'));

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  for (const socket of rawSockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Partial<FeedServerOptions> = {}): Promise<FeedServer> {
  const server = await startFeedServer({ host: '127.0.0.1', port: 0, keys: ['secret'], rate: 0, logger: silentLogger(), ...options });
  servers.push(server);
  return server;
}

function client(url: string, options: ClientOptions = {}): WebSocket {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  ws.on('error', () => {}); // failures are asserted through events below
  clients.push(ws);
  return ws;
}

const withKey = (server: FeedServer, key = 'secret'): string => `${server.url}?api_key=${encodeURIComponent(key)}`;

/** Rejects after ms: every wait in these tests is bounded. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const opened = (ws: WebSocket): Promise<void> =>
  within(2000, 'open', new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  }));

const rejectedWith = (ws: WebSocket): Promise<number> =>
  within(2000, 'an HTTP response', new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
  }));

/** Polls a condition the server reaches on its own schedule. */
async function eventually(what: string, condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const closed = (ws: WebSocket, ms = 3000): Promise<number> =>
  within(ms, 'close', new Promise((resolve) => ws.once('close', (code) => resolve(code))));

interface Received {
  text: string;
  binary: boolean;
  at: number;
}

/** The first n frames the client receives. */
function frames(ws: WebSocket, n: number, ms = 3000): Promise<Received[]> {
  const got: Received[] = [];
  return within(ms, `${n} frames`, new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      got.push({ text: data.toString('utf8'), binary: isBinary, at: performance.now() });
      if (got.length < n) return;
      ws.off('message', onMessage);
      resolve(got);
    };
    ws.on('message', onMessage);
  }));
}

function recordingLogger(): { logger: Logger; lines: string[]; logged: (msg: string, ms?: number) => Promise<void> } {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const logger = pino({ level: 'debug' }, {
    write: (line: string) => {
      lines.push(line);
      for (const w of waiters.splice(0)) w();
    },
  });
  const logged = (msg: string, ms = 3000): Promise<void> =>
    within(ms, `log "${msg}"`, new Promise((resolve) => {
      const check = (): void => (lines.some((l) => l.includes(msg)) ? resolve() : void waiters.push(check));
      check();
    }));
  return { logger, lines, logged };
}

describe('startFeedServer', () => {
  it('listens on a free port and serves synthetic calls at the rate asked', async () => {
    const server = await serve({ rate: 50 });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}${FEED_PATH}`);
    const ws = client(withKey(server));
    const start = performance.now();
    const got = await frames(ws, 10);
    // 10 calls at 50/s: about 200 ms, not a burst and not a trickle.
    expect(performance.now() - start).toBeGreaterThan(120);
    expect(performance.now() - start).toBeLessThan(1500);
    for (const frame of got) {
      expect(frame.binary).toBe(false);
      expect(classifyFrame(frame.text, 0, false)).toMatchObject({ kind: 'call', tokenAddress: expect.any(String) });
    }
    expect(server.clients).toBe(1);
  }, 5000);

  it('sends several calls per tick for high rates', async () => {
    const server = await serve({ rate: 5000 });
    const got = await frames(client(withKey(server)), 1000, 3000);
    expect(got.length).toBe(1000);
  }, 5000);

  it('broadcasts one timeline: every client receives the same messages', async () => {
    const server = await serve({ rate: 100, seed: 7 });
    const a = client(withKey(server));
    const b = client(withKey(server));
    await Promise.all([opened(a), opened(b)]);
    const [fromA, fromB] = await Promise.all([frames(a, 5), frames(b, 5)]);
    expect(fromA.map((f) => f.text)).toEqual(fromB.map((f) => f.text));
  }, 5000);

  it('reports its seed, and a seeded feed starts from the same calls', async () => {
    const first = await serve({ rate: 100, seed: 12345 });
    const second = await serve({ rate: 100, seed: 12345 });
    expect(first.seed).toBe(12345);
    const strip = (f: Received): unknown => ({ ...JSON.parse(f.text), data: { ...JSON.parse(f.text).data, timestamp: 0 } });
    const [x, y] = await Promise.all([frames(client(withKey(first)), 5), frames(client(withKey(second)), 5)]);
    expect(x.map(strip)).toEqual(y.map(strip));
    expect(typeof (await serve({ rate: 1 })).seed).toBe('number');
  }, 5000);

  describe('authentication', () => {
    it('accepts the key as query api_key, X-API-Key header, or Bearer token', async () => {
      const server = await serve();
      await opened(client(withKey(server)));
      await opened(client(server.url, { headers: { 'X-API-Key': 'secret' } }));
      await opened(client(server.url, { headers: { Authorization: 'Bearer secret' } }));
      expect(server.clients).toBe(3);
    }, 5000);

    it('answers 401 at the upgrade to a wrong key, however it is sent, and never logs it', async () => {
      const { logger, lines } = recordingLogger();
      const server = await serve({ logger });
      expect(await rejectedWith(client(withKey(server, 'wrong-key-1')))).toBe(401);
      expect(await rejectedWith(client(server.url, { headers: { 'X-API-Key': 'wrong-key-2' } }))).toBe(401);
      expect(await rejectedWith(client(server.url, { headers: { Authorization: 'Bearer wrong-key-3' } }))).toBe(401);
      expect(await rejectedWith(client(server.url))).toBe(401);
      const log = lines.join('');
      expect(log).toContain('wrong API key');
      expect(log).toContain('127.0.0.1');
      expect(log).not.toMatch(/wrong-key|secret/);
      expect(server.clients).toBe(0);
    }, 5000);

    it('accepts any non-empty key when no keys are configured, but not a missing or empty one', async () => {
      const server = await serve({ keys: [] });
      await opened(client(withKey(server, 'anything')));
      await opened(client(server.url, { headers: { Authorization: 'Bearer whatever' } }));
      expect(await rejectedWith(client(server.url))).toBe(401);
      expect(await rejectedWith(client(`${server.url}?api_key=`))).toBe(401);
    }, 5000);

    it('answers 404 on any other path', async () => {
      const server = await serve();
      const other = server.url.replace(FEED_PATH, '/solana/monitor/other') + '?api_key=secret';
      expect(await rejectedWith(client(other))).toBe(404);
      expect(await rejectedWith(client(`ws://127.0.0.1:${server.port}/?api_key=secret`))).toBe(404);
    }, 5000);
  });

  describe('fault injection', () => {
    it('drops each connection abruptly after --drop-every frames', async () => {
      const server = await serve({ rate: 200, dropEvery: 3 });
      const ws = client(withKey(server));
      const got: string[] = [];
      ws.on('message', (data) => got.push(String(data)));
      expect(await closed(ws)).toBe(1006);
      expect(got.length).toBe(3);
    }, 5000);

    it('sends every kind of malformed frame at --malformed-rate 1', async () => {
      const server = await serve({ rate: 200, malformedRate: 1 });
      const got = await frames(client(withKey(server)), 10);
      const kinds = got.map((f) => (f.binary ? 'binary' : classifyFrame(f.text, 0, false)));
      expect(new Set(kinds)).toEqual(new Set(['not-json', 'binary', 'not-object', 'no-token-address', 'other-type']));
      expect(kinds.slice(0, 5)).toEqual(kinds.slice(5, 10)); // cycling through the kinds
    }, 5000);

    it('replaces the given share of frames', async () => {
      const server = await serve({ rate: 500, malformedRate: 0.25 });
      const got = await frames(client(withKey(server)), 40);
      const bad = got.filter((f) => f.binary || typeof classifyFrame(f.text, 0, false) === 'string');
      expect(bad.length).toBe(10);
    }, 5000);
  });

  it('replays a capture with its spacing sped up, in order, without received_at, big integers intact', async () => {
    const dir = tmpdir();
    const file = join(dir, 'capture.ndjson');
    const at = (ms: number): string => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
    const messages = [
      '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600,"supply":12345678901234567890}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A2","timestamp":1735689601}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A3","timestamp":1735689603}}',
    ];
    await writeFile(
      file,
      [`${messages[0]!.slice(0, -1)},"received_at":"${at(0)}"}`, `${messages[1]!.slice(0, -1)},"received_at":"${at(1000)}"}`, 'garbage', `${messages[2]!.slice(0, -1)},"received_at":"${at(3000)}"}`].join('\n'),
    );
    const server = await serve({ rate: 1000, replay: { file, speed: 10, loop: false } });
    const got = await frames(client(withKey(server)), 3);
    expect(got.map((f) => f.text)).toEqual(messages);
    // Due 1 s / 10 and 3 s / 10 after the first (the schedule does not drift, so a late first
    // frame on a busy machine only narrows the first gap).
    const second = got[1]!.at - got[0]!.at;
    const third = got[2]!.at - got[0]!.at;
    expect(second).toBeGreaterThanOrEqual(50);
    expect(second).toBeLessThan(220);
    expect(third).toBeGreaterThanOrEqual(250);
    expect(third).toBeLessThan(420);
    expect(server.seed).toBeUndefined();
  }, 5000);

  it('retimes a looped replay: each call carries the time it is sent, the rest as captured', async () => {
    const file = join(tmpdir(), 'capture.ndjson');
    const lines = [
      '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600,"supply":12345678901234567890}}',
      '{"type":"OTHER","data":{"timestamp":1735689600}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A2","timestamp":1735689601}}',
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const server = await serve({ replay: { file, speed: 20, loop: true, retime: true } });
    const before = Math.floor(Date.now() / 1000);
    // Three passes over the file: the loop starts over, the clock does not.
    const got = (await frames(client(withKey(server)), 9, 4000)).map((f) => f.text);
    const after = Math.floor(Date.now() / 1000);
    const stamps: number[] = [];
    got.forEach((text, i) => {
      const line = lines[i % 3]!;
      if (i % 3 === 1) return expect(text).toBe(line);
      const stamp = Number(/"timestamp":(\d+)/.exec(text)![1]);
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(after);
      expect(text).toBe(line.replace(/"timestamp":\d+/, `"timestamp":${stamp}`));
      stamps.push(stamp);
    });
    expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
  }, 6000);

  it('without retime, a looped replay sends the capture\'s own timestamps again', async () => {
    const file = join(tmpdir(), 'capture.ndjson');
    const line = '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600}}';
    await writeFile(file, `${line}\n`);
    const server = await serve({ replay: { file, speed: 50, loop: true } });
    expect((await frames(client(withKey(server)), 2, 4000)).map((f) => f.text)).toEqual([line, line]);
  }, 6000);

  it('refuses a missing replay file with a usage error naming --replay', async () => {
    const file = join(tmpdir(), 'rexi-no-such-capture.ndjson');
    await expect(serve({ replay: { file, speed: 1, loop: false } })).rejects.toMatchObject({
      code: 'REXI_BAD_OPTION',
      message: expect.stringMatching(/--replay.*rexi-no-such-capture\.ndjson/),
    });
  });

  it('closes a slow client with 1013 instead of buffering without bound', async () => {
    const { logger, logged } = recordingLogger();
    const server = await serve({ rate: 50_000, maxBufferedBytes: 64 * 1024, logger });
    const ws = client(withKey(server));
    await opened(ws);
    ws.pause(); // a reader that stopped reading: kernel buffers fill, then the server's queue grows
    await logged('closing a slow client (1013)', 4000);
    const code = closed(ws);
    ws.resume(); // drain the backlog to reach the close frame
    expect(await code).toBe(1013);
  }, 8000);

  it('terminates a client that stops answering pings, and keeps one that answers', async () => {
    const server = await serve({ pingIntervalMs: 100 });
    const dead = client(withKey(server), { autoPong: false });
    const live = client(withKey(server));
    await Promise.all([opened(dead), opened(live)]);
    const start = performance.now();
    expect(await closed(dead, 2000)).toBe(1006);
    // One timer for all clients: the first ping comes up to one interval after the connection, the
    // silence is found one interval after that, so never sooner than one whole interval.
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
    expect(performance.now() - start).toBeLessThan(600);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.readyState).toBe(WebSocket.OPEN);
    expect(server.clients).toBe(1);
  }, 5000);

  it('terminates a raw peer that completes the handshake by hand and then stays silent', async () => {
    const server = await serve({ pingIntervalMs: 100 });
    const socket = connectTcp(server.port, '127.0.0.1');
    rawSockets.push(socket);
    socket.on('error', () => {});
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.write(
      `GET ${FEED_PATH}?api_key=secret HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await within(2000, 'socket close', new Promise((resolve) => socket.once('close', resolve)));
    expect(response).toMatch(/^HTTP\/1\.1 101 /);
    expect(response).toContain('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    await eventually('the server to forget the peer', () => server.clients === 0);
  }, 5000);

  it('close() says 1001 to clients, cuts silent sockets and frees the port', async () => {
    const server = await serve({ rate: 100 });
    const ws = client(withKey(server));
    await opened(ws);
    const silent = connectTcp(server.port, '127.0.0.1'); // connected, never sends a request
    rawSockets.push(silent);
    silent.on('error', () => {});
    await within(1000, 'tcp connect', new Promise((resolve) => silent.once('connect', resolve)));
    const code = closed(ws);
    const start = performance.now();
    await within(3000, 'server close', server.close());
    expect(await code).toBe(1001);
    expect(performance.now() - start).toBeLessThan(1500);
    expect(server.clients).toBe(0);
    await server.close(); // idempotent
    const again = await serve({ port: server.port });
    expect(again.port).toBe(server.port);
  }, 5000);

  it('answers plain HTTP with 426 on the feed path and 404 elsewhere', async () => {
    const server = await serve();
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}${FEED_PATH}`)).status).toBe(426);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  }, 5000);

  it.skipIf(!HAS_IPV6_LOOPBACK)('brackets an IPv6 host in its URL', async () => {
    const server = await serve({ host: '::1' });
    expect(server.url).toBe(`ws://[::1]:${server.port}${FEED_PATH}`);
  }, 5000);
});
