import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { call } from '../support/ws-server.js';
import { BIN, cleanEnv, ndjsonLines, runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { FAST, readerRun, seqs } from '../support/reader-run.js';
import { waitFor } from '../support/wait.js';

const tmpdir = tmpdirs('rexi-');
const { cleanups, bare } = readerRun();

/**
 * The reader loop's frames and outputs (bad frames, clean exits, backpressure;
 * reader-connection.test.ts has the rest), each against a real server on loopback and the built CLI.
 * Backoffs are shortened so reconnects take milliseconds; nothing here sleeps to pass.
 */

/** `-n 400 -o <file>` from the feed at `url`, under a file size limit of `limit` bytes (prlimit). */
async function runWithFileLimit(url: string, file: string, limit: number): Promise<{ code: unknown; stderr: string }> {
  const { spawn } = await import('node:child_process');
  const child = spawn('prlimit', [`--fsize=${limit}`, process.execPath, BIN, '--url', url, '-n', '400', '-o', file], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  cleanups.push(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  return { code, stderr };
}

/** A capture a stop left behind: whole lines, calls 1..n in order, n as the summary's output count. */
function expectWholeCapture(file: string, stderr: string): void {
  const text = fs.readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const got = seqs(text);
  expect(got.length).toBeGreaterThan(0);
  expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
  expect(got.length).toBe(Number(/output (\d+)/.exec(stderr)![1]));
}

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
    // Lines in the file first, so the stop has something to flush.
    await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 0, 'lines in the file');
    child.proc.kill('SIGTERM');
    const r = await child.done;
    expect(r.signal).toBe('SIGTERM');
    expect(r.stderr).toMatch(/received \d+, output \d+/);
    expectWholeCapture(file, r.stderr);
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
    await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 0, 'lines in the file');
    child.proc.kill('SIGHUP');
    const r = await child.done;
    expect(r.signal, r.stderr).toBe('SIGHUP');
    expect(r.stderr).toMatch(/SIGHUP: stopping/);
    expect(r.stderr).toMatch(/received \d+, output \d+/);
    expectWholeCapture(file, r.stderr);
    await waitFor(() => closes.length > 0, 'the close frame at the server');
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
    child.stderr!.on('data', (d) => (stderr += d));
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
    const { code, stderr } = await runWithFileLimit(server.url, file, LIMIT);
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
    const { code, stderr } = await runWithFileLimit(server.url, file, 64 * 1024);
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
