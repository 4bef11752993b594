import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call } from '../support/ws-server.js';
import { runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { FAST, readerRun, sendAll, seqs } from '../support/reader-run.js';

const tmpdir = tmpdirs('rexi-');
const { cleanups, bare } = readerRun();

/**
 * The reader loop's connection failure modes (reconnects, authentication, the key, watchdogs, the
 * network; reader-output.test.ts has the rest), each against a real server on loopback and the
 * built CLI.
 * Backoffs are shortened so reconnects take milliseconds; nothing here sleeps to pass.
 */

describe('reconnects', () => {
  it('an abrupt TCP drop (no close frame) is followed by a reconnect; no call lost or doubled at the seams', async () => {
    let next = 1;
    const server = await bare(async (ws) => {
      const frames = Array.from({ length: 10 }, () => call(next++));
      await sendAll(ws, frames);
      ws.terminate(); // destroys the socket: no close frame
    });
    const r = await runCli(['--url', server.url, '-n', '30', ...FAST]);
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(server.requests.length).toBe(3);
    expect(r.stderr).toMatch(/reconnects 2/);
  });

  it('a normal close (1000) is followed by a reconnect: the stream is endless', async () => {
    const server = await bare((ws, _req, i) => {
      ws.send(call(i + 1), () => ws.close(1000, 'bye'));
    });
    const r = await runCli(['--url', server.url, '-n', '3', ...FAST]);
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2, 3]);
    expect(r.stderr).toMatch(/closed the connection \(1000 bye\)/);
  });

  it('nothing listening: --max-retries 2 makes three attempts, then exit 4', async () => {
    const server = await bare(() => {}, { rejectUpgrade: () => ({ status: 500 }) });
    const r = await runCli(['--url', server.url, '--max-retries', '2', ...FAST]);
    expect(r.code).toBe(4);
    expect(server.requests.length).toBe(3);
    expect(r.stderr).toMatch(/gave up after 3 attempts/);
    const port = server.port;
    await server.close();
    const refused = await runCli(['--url', `ws://127.0.0.1:${port}/solana/monitor/livecalls`, '--no-retry']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/gave up after 1 attempt: connection refused/);
  });

  it('HTTP 429 with Retry-After is waited out, then the reader connects', async () => {
    const times: number[] = [];
    const server = await bare((ws) => ws.send(call(1)), {
      rejectUpgrade: (_req, i) => {
        times.push(Date.now());
        return i === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined;
      },
    });
    const r = await runCli(['--url', server.url, '-n', '1', ...FAST]);
    expect(r.code).toBe(0);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('HTTP 429 with a bogus Retry-After (-5) backs off as usual: never sooner than --backoff-min', async () => {
    const times: number[] = [];
    const server = await bare(() => {}, {
      rejectUpgrade: () => {
        times.push(Date.now());
        return { status: 429, headers: { 'Retry-After': '-5' } };
      },
    });
    const r = await runCli(['--url', server.url, '--max-retries', '2', '--backoff-min', '300ms', '--backoff-max', '400ms']);
    expect(r.code, r.stderr).toBe(4);
    // Three attempts spread over at least 2 × 300 ms, not three in a few milliseconds.
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(300);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(300);
    expect(r.stderr).not.toMatch(/Retry-After/);
  });

  it('--max-retries 1: a connection that delivered a call resets the retry count, so closes after calls go on', async () => {
    const server = await bare((ws, _req, i) => {
      ws.send(call(i + 1), () => ws.close(1000, 'bye'));
    });
    const r = await runCli(['--url', server.url, '-n', '4', '--max-retries', '1', ...FAST], { timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2, 3, 4]);
    expect(server.requests.length).toBe(4);
  });

  it('--max-retries 1: connections closed (1000) before delivering anything are failures: exit 4 after 2', async () => {
    const server = await bare((ws) => ws.close(1000, 'nothing for you'));
    const r = await runCli(['--url', server.url, '--max-retries', '1', ...FAST], { timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(4);
    expect(server.requests.length).toBe(2);
    expect(r.stderr).toMatch(/gave up after 2 attempts/);
    expect(r.stdout).toBe('');
  });
});

describe('authentication rejected: no retry, exit 3, the variable to fix named', () => {
  it.each([401, 403])('HTTP %d at the upgrade', async (status) => {
    const server = await bare(() => {}, { rejectUpgrade: () => ({ status }) });
    const r = await runCli(['--url', server.url, ...FAST], { env: { REXI_API_KEY: 'wrong' } });
    expect(r.code).toBe(3);
    expect(server.requests.length).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`authentication rejected: .*HTTP ${status}.*check REXI_API_KEY`));
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rexi-live: error: authentication rejected/);
  });

  it.each([1008, 4001, 4003])('close code %d after the upgrade', async (code) => {
    const server = await bare((ws) => ws.close(code, 'bad key'));
    const r = await runCli(['--url', server.url, ...FAST], { env: { REXI_API_KEY: 'wrong' } });
    expect(r.code).toBe(3);
    expect(server.requests.length).toBe(1);
    expect(r.stderr).toMatch(/check REXI_API_KEY/);
  });

  it('names the flag in use when the key came from --api-key-file', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'key'), 'wrong\n');
    const server = await bare(() => {}, { rejectUpgrade: () => ({ status: 401 }) });
    const r = await runCli(['--url', server.url, '--api-key-file', path.join(dir, 'key')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/check --api-key-file/);
  });
});

describe('the key never appears in any output, even at --log-level debug', () => {
  const KEY = 'k3y-THAT-must-never-LEAK-9f2c';
  const leaks = (r: { stdout: string; stderr: string }): boolean => (r.stdout + r.stderr).includes(KEY) || (r.stdout + r.stderr).includes(encodeURIComponent(KEY));

  it.each([
    ['query', (req: http.IncomingMessage) => new URL(req.url!, 'ws://x').searchParams.get('api_key'), KEY],
    ['header', (req: http.IncomingMessage) => req.headers['x-api-key'], KEY],
    ['bearer', (req: http.IncomingMessage) => req.headers.authorization, `Bearer ${KEY}`],
  ] as const)('--auth %s, across a reconnect', async (auth, sentKey, expected) => {
    const server = await bare((ws, _req, i) => {
      if (i === 0) ws.send(call(1), () => ws.close(1000, 'bye'));
      else ws.send(call(2));
    });
    const r = await runCli(['--url', server.url, '-n', '2', '--auth', auth, '--log-level', 'debug', ...FAST], { env: { REXI_API_KEY: KEY }, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2]);
    expect(r.stderr).toMatch(/reconnected to/);
    // The key did go, twice, by the chosen means (so the check below is not vacuous).
    expect(server.requests.map((req) => sentKey(req))).toEqual([expected, expected]);
    expect(leaks(r)).toBe(false);
  });

  it.each(['query', 'header'])('--auth %s: rejected with 401 (exit 3)', async (auth) => {
    const server = await bare(() => {}, { rejectUpgrade: () => ({ status: 401 }) });
    const r = await runCli(['--url', server.url, '--auth', auth, '--log-level', 'debug', ...FAST], { env: { REXI_API_KEY: KEY }, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(3);
    expect(server.requests.length).toBe(1);
    if (auth === 'query') expect(server.requests[0]!.url).toContain(KEY);
    expect(r.stderr).toMatch(/authentication rejected/);
    expect(leaks(r)).toBe(false);
  });

  it.each(['query', 'bearer'])('--auth %s: --no-retry against a 500 gives up (exit 4)', async (auth) => {
    const server = await bare(() => {}, { rejectUpgrade: () => ({ status: 500 }) });
    const r = await runCli(['--url', server.url, '--auth', auth, '--no-retry', '--log-level', 'debug', ...FAST], { env: { REXI_API_KEY: KEY }, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(4);
    expect(server.requests.length).toBe(1);
    expect(r.stderr).toMatch(/gave up after 1 attempt/);
    expect(leaks(r)).toBe(false);
  });

  it('--insecure allows the key over plain ws:// to a non-loopback host, still printed as api_key=***', async () => {
    const url = 'ws://api.example.com/solana/monitor/livecalls';
    const allowed = await runCli(['url', '--url', url, '--insecure'], { env: { REXI_API_KEY: KEY } });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe(`${url}?api_key=***\n`);
    expect(leaks(allowed)).toBe(false);
    const refused = await runCli(['url', '--url', url], { env: { REXI_API_KEY: KEY } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--insecure/);
    expect(refused.stdout).toBe('');
    expect(leaks(refused)).toBe(false);
  });
});

describe('watchdogs', () => {
  it('detects a half-open link (a proxy that stops forwarding without closing) within ping-interval + pong-timeout', async () => {
    let frozenAt = 0;
    const server = await bare((ws, _req, i) => {
      ws.send(call(i + 1));
    });
    // A TCP proxy: the first connection goes silent in both directions after the first call.
    const held: net.Socket[] = [];
    let connections = 0;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(server.port, '127.0.0.1');
      held.push(client, upstream);
      client.on('error', () => {});
      upstream.on('error', () => {});
      client.pipe(upstream);
      const first = connections++ === 0;
      let seen = '';
      let frozen = false;
      upstream.on('data', (d: Buffer) => {
        if (frozen) return;
        client.write(d);
        seen += d.toString('latin1');
        if (first && seen.includes('"seq":1')) {
          frozen = true;
          frozenAt = Date.now();
          client.unpipe(upstream);
          client.pause();
          upstream.pause();
        }
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const s of held) s.destroy();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    });
    const port = (proxy.address() as net.AddressInfo).port;
    const child = spawnCli(['--url', `ws://127.0.0.1:${port}/solana/monitor/livecalls`, '-n', '2', '--ping-interval', '300ms', '--pong-timeout', '300ms', ...FAST]);
    await child.waitFor(/no pong or data within --pong-timeout/);
    const detectedAfter = Date.now() - frozenAt;
    const r = await child.done;
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2]);
    // ping every 300ms + 300ms to answer, with room for a loaded machine.
    expect(detectedAfter).toBeLessThan(300 + 300 + 700);
  });

  it('--idle-timeout reconnects when no message arrives (pongs alone do not count)', async () => {
    const server = await bare((ws, _req, i) => ws.send(call(i + 1)));
    const started = Date.now();
    const r = await runCli(['--url', server.url, '-n', '2', '--idle-timeout', '400ms', '--ping-interval', '100ms', ...FAST]);
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2]);
    expect(r.stderr).toMatch(/no message within --idle-timeout/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('--connect-timeout bounds a server that accepts TCP but never answers the upgrade', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const r = await runCli(['--url', `ws://127.0.0.1:${port}/x`, '--connect-timeout', '300ms', '--no-retry']);
    expect(r.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.stderr).toMatch(/gave up after 1 attempt: .*(timed out|timeout)/i);
  });
});

describe('network', () => {
  it('never follows a redirect: the key does not reach the other host; before any connection worked, it is a wrong URL (exit 2)', async () => {
    const elsewhere = await bare(() => {});
    const server = await bare(() => {}, {
      rejectUpgrade: () => ({ status: 302, headers: { Location: elsewhere.url + '?api_key=stolen-key' } }),
    });
    const r = await runCli(['--url', server.url, ...FAST], { env: { REXI_API_KEY: 'secret-key' }, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(2);
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toBe(
      `rexi-live: error: no live-calls stream at ${server.url}?api_key=***: the server answered HTTP 302, a redirect to ${elsewhere.url}?api_key=*** (not followed); check --url`,
    );
    expect(r.stderr).not.toMatch(/secret-key|stolen-key/);
  });

  it('a 404 at the upgrade before any connection worked: exit 2 at once, naming the flag or variable the URL came from', async () => {
    const server = await bare(() => {}, { rejectUpgrade: () => ({ status: 404 }) });
    const base = `http://127.0.0.1:${server.port}/wrong`;
    const r = await runCli(['--base-url', base, ...FAST], { timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(2);
    expect(server.requests).toHaveLength(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `rexi-live: error: no live-calls stream at ws://127.0.0.1:${server.port}/wrong/solana/monitor/livecalls: the server answered HTTP 404; check --base-url`,
    );
    const fromEnv = await runCli([...FAST], { env: { REXI_WS_URL: server.url }, timeoutMs: 5000 });
    expect(fromEnv.code, fromEnv.stderr).toBe(2);
    expect(fromEnv.stderr.trim()).toMatch(/HTTP 404; check REXI_WS_URL \(or --url \/ --base-url\)$/);
  });

  it('a 404 or a redirect after a connection of the run worked is retried like any other failure', async () => {
    const server = await bare((ws, _req, i) => ws.send(call(i + 1), () => ws.close(1000, 'bye')), {
      rejectUpgrade: (_req, i) => (i === 1 ? { status: 404 } : i === 2 ? { status: 302, headers: { Location: 'http://elsewhere/' } } : undefined),
    });
    const r = await runCli(['--url', server.url, '-n', '2', ...FAST], { timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests).toHaveLength(4);
    expect(r.stderr).toMatch(/the server answered HTTP 404; reconnecting/);
    expect(r.stderr).toMatch(/the server answered HTTP 302, a redirect to http:\/\/elsewhere\/ \(not followed\); reconnecting/);
  });

  it('goes through an HTTP CONNECT proxy from HTTP_PROXY, seen on the proxy side', async () => {
    const server = await bare((ws) => ws.send(call(1)));
    const connects: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    const tunnels: net.Socket[] = [];
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      connects.push(req.url!);
      const [host, port] = req.url!.split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      tunnels.push(client, upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const t of tunnels) t.destroy();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    });
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const r = await runCli(['--url', server.url, '-n', '1'], { env: { HTTP_PROXY: proxyUrl } });
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual([1]);
    expect(connects).toEqual([`127.0.0.1:${server.port}`]);
    // NO_PROXY bypasses it.
    const direct = await runCli(['--url', server.url, '-n', '1'], { env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
    expect(direct.code).toBe(0);
    expect(connects).toHaveLength(1);
  });

  it.each([407, 401])('a CONNECT proxy that refuses (%d): says the proxy refused, names the variable (password redacted), exit 3', async (status) => {
    const server = await bare((ws) => ws.send(call(1)));
    const auths: (string | undefined)[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
      auths.push(req.headers['proxy-authorization']);
      client.on('error', () => {});
      client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n`);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const port = (proxy.address() as net.AddressInfo).port;
    const r = await runCli(['--url', server.url, ...FAST], { env: { HTTP_PROXY: `http://alice:hunter2@127.0.0.1:${port}`, REXI_API_KEY: 'the-key' }, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(3);
    // It did send the credentials, once: no retry.
    expect(auths).toEqual([`Basic ${Buffer.from('alice:hunter2').toString('base64')}`]);
    expect(server.requests).toHaveLength(0);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(new RegExp(`^rexi-live: error: the proxy refused the connection \\(the proxy answered HTTP ${status} to CONNECT\\).*HTTP_PROXY \\(http://\\*\\*\\*@127\\.0\\.0\\.1:${port}\\)`));
    expect(r.stderr).not.toMatch(/hunter2|REXI_API_KEY|the-key/);
  });

  it('offers permessage-deflate only with --compress', async () => {
    const server = await bare((ws) => ws.send(call(1)));
    await runCli(['--url', server.url, '-n', '1']);
    await runCli(['--url', server.url, '-n', '1', '--compress']);
    expect(server.requests[0]!.headers['sec-websocket-extensions']).toBeUndefined();
    expect(server.requests[1]!.headers['sec-websocket-extensions']).toMatch(/permessage-deflate/);
  });
});
