import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { call, startBareServer, type BareServer } from '../support/ws-server.js';
import { BIN, cleanEnv, killAll, ndjsonLines, runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-');

/**
 * The reader loop's failure modes, each against a real server on loopback and the built CLI.
 * Backoffs are shortened so reconnects take milliseconds; nothing here sleeps to pass.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await killAll();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bare(...args: Parameters<typeof startBareServer>): Promise<BareServer> {
  const s = await startBareServer(...args);
  cleanups.push(() => s.close());
  return s;
}

const FAST = ['--backoff-min', '20ms', '--backoff-max', '100ms'];
const seqs = (stdout: string): number[] => ndjsonLines(stdout).map((m) => (m as { data: { seq: number } }).data.seq);
const sendAll = (ws: WebSocket, frames: string[]): Promise<void> =>
  new Promise((resolve) => frames.forEach((f, i) => ws.send(f, i === frames.length - 1 ? () => resolve() : undefined)));

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

describe('frames', () => {
  it('skips every malformed kind interleaved with valid calls, counts each, warns, never crashes', async () => {
    const server = await bare((ws) => {
      ws.send(call(1));
      ws.send('not json {');
      ws.send(call(2));
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send(call(3));
      ws.send('[1,2,3]');
      ws.send(call(4));
      ws.send('{"type":"NEW_SCAN","data":{"token_name":"no address"}}');
      ws.send(call(5));
      ws.send('{"type":"HEARTBEAT"}');
      ws.send(call(6));
    });
    const r = await runCli(['--url', server.url, '-n', '6']);
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.stderr).toMatch(/received 11, output 6, filtered 0, skipped 5 \(not-json 1, binary 1, not-object 1, no-token-address 1, other-type 1\)/);
    expect(r.stderr).toMatch(/skipped a frame: not JSON/);
    expect(r.stderr).toMatch(/skipped a frame: a binary frame/);
    expect(r.stderr).not.toMatch(/skipped a frame: a message of another type/);
  });

  it('a text frame that is not valid UTF-8 is skipped as not-json; the connection stays up', async () => {
    const server = await bare((ws) => {
      ws.send(call(1));
      ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      ws.send(call(2));
    });
    const r = await runCli(['--url', server.url, '-n', '2', ...FAST], { timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(seqs(r.stdout)).toEqual([1, 2]);
    expect(server.requests.length).toBe(1);
    expect(r.stderr).toMatch(/received 3, output 2, filtered 0, skipped 1 \(not-json 1\), reconnects 0/);
    expect(r.stderr).toMatch(/skipped a frame: not JSON/);
  });

  it('warns at most once a second per kind', async () => {
    const server = await bare((ws) => {
      for (let i = 0; i < 50; i++) ws.send('garbage');
      ws.send(call(1));
    });
    const r = await runCli(['--url', server.url, '-n', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/skipped a frame: not JSON/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/skipped 50 \(not-json 50\)/);
  });

  it('--all-types passes other JSON objects through', async () => {
    const server = await bare((ws) => {
      ws.send('{"type":"HEARTBEAT","n":1}');
      ws.send(call(1));
    });
    const r = await runCli(['--url', server.url, '-n', '2', '--all-types']);
    expect(ndjsonLines(r.stdout)).toEqual([{ type: 'HEARTBEAT', n: 1 }, JSON.parse(call(1))]);
  });

  it('a frame over --max-message-size closes the socket (1009) and the loop reconnects', async () => {
    let closeCode = 0;
    const server = await bare((ws, _req, i) => {
      ws.on('close', (code) => (closeCode ||= code));
      if (i === 0) ws.send(call(1, { pad: 'x'.repeat(4096) }));
      else ws.send(call(2));
    });
    const r = await runCli(['--url', server.url, '-n', '1', '--max-message-size', '1KiB', ...FAST]);
    expect(r.code).toBe(0);
    expect(seqs(r.stdout)).toEqual([2]);
    expect(closeCode).toBe(1009);
    expect(r.stderr).toMatch(/skipped 1 \(too-large 1\)/);
  });
});

describe('clean exits', () => {
  it('| head -n 3: exit 0, no EPIPE trace', async () => {
    const server = await bare((ws) => {
      const timer = setInterval(() => ws.readyState === ws.OPEN && ws.send(call(1)), 2);
      ws.on('close', () => clearInterval(timer));
    });
    const { spawn } = await import('node:child_process');
    const sh = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" --url ${server.url} | head -n 3; echo "rc=\${PIPESTATUS[0]}" >&2`], { env: cleanEnv() });
    let out = '';
    let err = '';
    sh.stdout.on('data', (d) => (out += d));
    sh.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => sh.kill('SIGKILL'), 10_000);
    await new Promise((resolve) => sh.on('close', resolve));
    clearTimeout(timer);
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
    expect(err).toMatch(/rc=0/);
    expect(err).not.toMatch(/EPIPE|Error:|\n\s+at /);
  });

  it('SIGTERM with -o: whole lines in the file, the summary printed, then the process ends by SIGTERM', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'capture.ndjson');
    const server = await bare((ws) => {
      let n = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 50 && ws.readyState === ws.OPEN; i++) ws.send(call(++n, { pad: 'y'.repeat(200) }));
      }, 1);
      ws.on('close', () => clearInterval(timer));
    });
    const child = spawnCli(['--url', server.url, '-o', file]);
    await child.waitFor(/connected to/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.proc.kill('SIGTERM');
    const r = await child.done;
    expect(r.signal).toBe('SIGTERM');
    expect(r.stderr).toMatch(/received \d+, output \d+/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const got = seqs(text);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    const output = Number(/output (\d+)/.exec(r.stderr)![1]);
    expect(got.length).toBe(output);
  });

  it('SIGHUP (the terminal or the ssh session went away) with -o: the same clean stop as SIGTERM, close 1000, then the process ends by SIGHUP', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'capture.ndjson');
    const closes: number[] = [];
    const server = await bare((ws) => {
      let n = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 50 && ws.readyState === ws.OPEN; i++) ws.send(call(++n, { pad: 'h'.repeat(200) }));
      }, 1);
      ws.on('close', (code) => {
        closes.push(code);
        clearInterval(timer);
      });
    });
    const child = spawnCli(['--url', server.url, '-o', file]);
    await child.waitFor(/connected to/);
    for (let i = 0; i < 100 && !(fs.existsSync(file) && fs.statSync(file).size > 0); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    child.proc.kill('SIGHUP');
    const r = await child.done;
    expect(r.signal, r.stderr).toBe('SIGHUP');
    expect(r.stderr).toMatch(/SIGHUP: stopping/);
    expect(r.stderr).toMatch(/received \d+, output \d+/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const got = seqs(text);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(got.length).toBe(Number(/output (\d+)/.exec(r.stderr)![1]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closes).toEqual([1000]);
  });

  it('SIGINT stops cleanly (exit by SIGINT); a second SIGINT ends a stop that waits on a stuck reader at once', async () => {
    const server = await bare((ws) => {
      const timer = setInterval(() => {
        for (let i = 0; i < 100 && ws.readyState === ws.OPEN; i++) ws.send(call(i, { pad: 'z'.repeat(500) }));
      }, 1);
      ws.on('close', () => clearInterval(timer));
    });
    const clean = spawnCli(['--url', server.url, '-n', '1000000']);
    await clean.waitFor(/connected to/);
    clean.proc.kill('SIGINT');
    const cleanEnd = await clean.done;
    expect(cleanEnd.signal).toBe('SIGINT');
    expect(cleanEnd.stderr).toMatch(/received \d+, output \d+/);

    // Nobody reads this one's stdout: its clean stop waits for the pipe to drain, forever.
    const stuck = spawnCli(['--url', server.url, '-n', '1000000']);
    await stuck.waitFor(/connected to/);
    stuck.proc.stdout!.pause();
    stuck.proc.stdout!.removeAllListeners('data');
    await new Promise((resolve) => setTimeout(resolve, 300));
    stuck.proc.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stuck.proc.exitCode).toBeNull();
    const sent = Date.now();
    stuck.proc.kill('SIGINT');
    const stuckEnd = await stuck.done;
    expect(stuckEnd.signal).toBe('SIGINT');
    expect(Date.now() - sent).toBeLessThan(2000);
  });

  it('a full disk is an output error (exit 5), for -o and for stdout alike', async () => {
    const server = await bare((ws) => {
      for (let i = 1; i <= 200; i++) ws.send(call(i, { pad: 'f'.repeat(500) }));
    });
    const toFile = await runCli(['--url', server.url, '-n', '200', '-o', '/dev/full']);
    expect(toFile.code).toBe(5);
    expect(toFile.stderr).toMatch(/--output: cannot write '\/dev\/full': .*ENOSPC|no space/i);
    const { spawn } = await import('node:child_process');
    const full = fs.openSync('/dev/full', 'w');
    cleanups.push(() => fs.closeSync(full));
    const child = spawn(process.execPath, [BIN, '--url', server.url, '-n', '200'], { env: cleanEnv(), stdio: ['ignore', full, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(5);
    expect(stderr).toMatch(/cannot write to stdout/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  describe('-o onto what is not a regular file (a FIFO, /dev/null, a process substitution): not fsynced', () => {
    const streaming = (ws: WebSocket): void => {
      let n = 0;
      const timer = setInterval(() => ws.readyState === ws.OPEN && ws.send(call(++n)), 5);
      ws.on('close', () => clearInterval(timer));
    };
    /** A FIFO with a reader (cat) that collects what comes through it. */
    async function fifo(): Promise<{ path: string; read: Promise<string>; sofar(): string }> {
      const dir = tmpdir();
      const file = path.join(dir, 'calls.fifo');
      const { execFileSync, spawn } = await import('node:child_process');
      execFileSync('mkfifo', [file]);
      const cat = spawn('cat', [file], { stdio: ['ignore', 'pipe', 'ignore'] });
      cleanups.push(() => void cat.kill('SIGKILL'));
      let out = '';
      cat.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      return { path: file, read: new Promise((resolve) => cat.on('close', () => resolve(out))), sofar: () => out };
    }

    it('a FIFO: exit 0 after -n, every line through it', async () => {
      const server = await bare(streaming);
      const target = await fifo();
      const r = await runCli(['--url', server.url, '-n', '3', '-o', target.path]);
      expect(r.code, r.stderr).toBe(0);
      expect(seqs(await target.read)).toEqual([1, 2, 3]);
    });

    it('a FIFO: SIGTERM ends by SIGTERM (143), not exit 5', async () => {
      const server = await bare(streaming);
      const target = await fifo();
      const child = spawnCli(['--url', server.url, '-o', target.path]);
      await child.waitFor(/connected to/);
      // Lines through the FIFO first, so the stop has something to flush.
      for (let i = 0; i < 100 && !target.sofar().includes('\n'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      child.proc.kill('SIGTERM');
      const r = await child.done;
      expect(r.signal, r.stderr).toBe('SIGTERM');
      expect(r.stderr).not.toMatch(/error/);
      const got = seqs(await target.read);
      expect(got.length).toBe(Number(/output (\d+)/.exec(r.stderr)![1]));
      expect(got.length).toBeGreaterThan(0);
    });

    it('/dev/null: exit 0 after -n, and SIGTERM ends by SIGTERM', async () => {
      const server = await bare(streaming);
      const r = await runCli(['--url', server.url, '-n', '3', '-o', '/dev/null']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/output 3/);
      const child = spawnCli(['--url', server.url, '-o', '/dev/null']);
      await child.waitFor(/connected to/);
      child.proc.kill('SIGTERM');
      const stopped = await child.done;
      expect(stopped.signal, stopped.stderr).toBe('SIGTERM');
    });

    it('a process substitution (-o >(cat > file)): exit 0 after -n', async () => {
      const server = await bare(streaming);
      const dir = tmpdir();
      const file = path.join(dir, 'calls.ndjson');
      const { spawn } = await import('node:child_process');
      const sh = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" --url ${server.url} -n 3 -o >(cat > "${file}"); rc=$?; wait $!; exit $rc`], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
      cleanups.push(() => void sh.kill('SIGKILL'));
      let stderr = '';
      sh.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((resolve) => sh.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(seqs(fs.readFileSync(file, 'utf8'))).toEqual([1, 2, 3]);
    });
  });

  // RLIMIT_FSIZE stops a file at a set size as a full disk does (EFBIG for ENOSPC; Node ignores
  // SIGXFSZ), with a partial write first: no root and no filesystem to fill.
  const hasPrlimit = fs.existsSync('/usr/bin/prlimit') || fs.existsSync('/bin/prlimit');
  it.skipIf(!hasPrlimit)('a file that cannot grow any more: put back to its last whole line (no torn line), then exit 5', async () => {
    const server = await bare((ws) => {
      for (let i = 1; i <= 400; i++) ws.send(call(i, { pad: 'q'.repeat(500) }));
    });
    const dir = tmpdir();
    const file = path.join(dir, 'capture.ndjson');
    fs.writeFileSync(file, '{"old":true}\n');
    const LIMIT = 64 * 1024;
    const { spawn } = await import('node:child_process');
    const child = spawn('prlimit', [`--fsize=${LIMIT}`, process.execPath, BIN, '--url', server.url, '-n', '400', '-o', file], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(5);
    expect(stderr).toMatch(/--output: cannot write .*EFBIG/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.length).toBeLessThan(LIMIT);
    expect(text.endsWith('\n')).toBe(true);
    const [old, ...rest] = ndjsonLines(text);
    expect(old).toEqual({ old: true });
    const got = rest.map((m) => (m as { data: { seq: number } }).data.seq);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
  });

  it.skipIf(!hasPrlimit)('a .gz file that cannot grow any more: put back to its last complete flush, here the member it had', async () => {
    const { randomBytes } = await import('node:crypto');
    // Random text compresses little: the run's first flush is over the limit.
    const server = await bare((ws) => {
      for (let i = 1; i <= 400; i++) ws.send(call(i, { pad: randomBytes(300).toString('hex') }));
    });
    const dir = tmpdir();
    const file = path.join(dir, 'capture.ndjson.gz');
    const { gzipSync, gunzipSync } = await import('node:zlib');
    const before = gzipSync('{"old":true}\n');
    fs.writeFileSync(file, before);
    const { spawn } = await import('node:child_process');
    const child = spawn('prlimit', [`--fsize=${64 * 1024}`, process.execPath, BIN, '--url', server.url, '-n', '400', '-o', file], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(5);
    expect(stderr).toMatch(/--output: cannot write .*EFBIG/);
    // Still a complete gzip file: gunzipSync throws on one cut short.
    expect(fs.readFileSync(file)).toEqual(before);
    expect(gunzipSync(fs.readFileSync(file)).toString()).toBe('{"old":true}\n');
  });

  it('-o into a missing directory: exit 5 before connecting', async () => {
    const server = await bare((ws) => ws.send(call(1)));
    const r = await runCli(['--url', server.url, '-o', '/nonexistent-dir/capture.ndjson']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/--output: cannot open '\/nonexistent-dir\/capture.ndjson'/);
    expect(server.requests).toHaveLength(0);
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

describe('backpressure', () => {
  /** Peak resident memory of a live process, in MiB (Linux's high-water mark). */
  const peakRssMiB = (pid: number): number => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };

  it('a reader 10× slower than the feed: every call arrives once, in order, and memory stays bounded', async () => {
    const TOTAL = 30_000;
    const pad = 'p'.repeat(2000);
    const server = await bare(async (ws) => {
      // As fast as the socket takes it: the feed is never the bottleneck.
      for (let seq = 1; seq <= TOTAL; seq++) {
        ws.send(call(seq, { pad }));
        if (ws.bufferedAmount > 4 << 20) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, '--url', server.url, '-n', String(TOTAL), '-q'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Read ~12 MiB/s, a tenth or less of what the CLI writes when nobody holds it back.
    const chunks: Buffer[] = [];
    let peak = 0;
    let budget = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      budget -= chunk.length;
      if (budget <= 0) child.stdout.pause();
    });
    const reader = setInterval(() => {
      peak = Math.max(peak, peakRssMiB(child.pid!));
      budget = 64 * 1024;
      child.stdout.resume();
    }, 5);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await new Promise((resolve) => child.stdout.on('end', resolve));
    clearInterval(reader);
    const code = await exited;
    expect(code, stderr).toBe(0);
    const got = seqs(Buffer.concat(chunks).toString('utf8'));
    expect(got.length).toBe(TOTAL);
    expect(got.every((s, i) => s === i + 1)).toBe(true);
    // ~60 MiB go through; without pausing the socket it would sit in memory as text and objects.
    expect(peak).toBeGreaterThan(0);
    // Measured: ~95 MiB with the socket paused, ~235 MiB without.
    expect(peak).toBeLessThan(140);
  }, 30_000);
});
