import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, startBareServer } from '../support/ws-server.js';
import { killAll, ndjsonLines, runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const tmpdir = tmpdirs('rexi-replay-', { until: 'all' });

const BIG = '{"type":"NEW_SCAN","data":{"token_address":"BigIntToken111","caller":{"id":1094872340978122843,"name":"Whale","platform":"discord"},"price_data":{"market_cap":2000000}},"seq":123456789012345678901234567890}';
const HOSTILE = JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 'Evil1111', token_name: 'x\u001b]0;owned\u0007\u202e', caller: { name: 'c', platform: 'telegram' } } });

let dir: string;
let capture: string;
let sent: string[];
/** What tail writes for each: bidi overrides become \u escapes, the rest is the frame as sent. */
const asNdjson = (frame: string): string => frame.replace(/\u202e/g, '\\u202e');

afterEach(killAll);

beforeAll(async () => {
  dir = tmpdir();
  capture = path.join(dir, 'capture.ndjson');
  sent = [...Array.from({ length: 8 }, (_, i) => call(i + 1)), BIG, HOSTILE];
  const server = await startBareServer((ws) => sent.forEach((f) => ws.send(f)));
  try {
    const r = await runCli(['--url', server.url, '-n', String(sent.length), '--received-at', '-o', capture]);
    expect(r.code).toBe(0);
  } finally {
    await server.close();
  }
});

describe('replay of a capture written by tail -o --received-at', () => {
  it('the capture holds every call with received_at as its last key', () => {
    const lines = fs.readFileSync(capture, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(sent.length);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^${escapeRe(asNdjson(sent[i]!).slice(0, -1))},"received_at":"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"}$`)));
  });

  it('-f ndjson gives back the messages as received; --received-at gives back the capture byte for byte', async () => {
    const r = await runCli(['replay', capture, '-f', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(sent.map(asNdjson));
    const again = await runCli(['replay', capture, '-f', 'ndjson', '--received-at']);
    expect(again.stdout).toBe(fs.readFileSync(capture, 'utf8'));
    expect(again.stderr).toMatch(/received 10, output 10, filtered 0, skipped 0/);
  });

  it('applies the same filters as tail', async () => {
    const r = await runCli(['replay', capture, '--platform', 'discord', '--min-mcap', '1M']);
    expect(r.code).toBe(0);
    const tokens = ndjsonLines(r.stdout).map((m) => (m as { data: { token_address: string } }).data.token_address);
    expect(tokens).toEqual(['BigIntToken111']);
    const byId = await runCli(['replay', capture, '--caller', '1094872340978122843']);
    expect(ndjsonLines(byId.stdout)).toHaveLength(1);
  });

  it('renders lines and table, sanitized', async () => {
    for (const format of ['lines', 'table']) {
      const r = await runCli(['replay', capture, '-f', format, '--color', 'never']);
      expect(r.code, format).toBe(0);
      expect(r.stdout).toContain('Evil1111');
      expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it('reads - from stdin; skips malformed lines, counts them, exits 0', async () => {
    const input = ['not json', '[1]', fs.readFileSync(capture, 'utf8').split('\n')[0], '', '{"type":"OTHER"}', '{"type":"NEW_SCAN"}'].join('\n') + '\n';
    const r = await runCli(['replay', '-'], { stdin: input });
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toMatch(/received 5, output 1, filtered 0, skipped 4 \(not-json 1, not-object 1, no-token-address 1, other-type 1\)/);
    expect(r.stderr).toMatch(/skipped line 1: not JSON/);
  });

  it('a directory is a usage error', async () => {
    const r = await runCli(['replay', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a directory, not a capture file/);
  });

  it('a missing file is a usage error', async () => {
    const r = await runCli(['replay', path.join(dir, 'nope.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replay: cannot read '.*nope.ndjson': ENOENT/);
  });
});

describe('replay from a stdin that stays open, and odd capture lines', () => {
  const tokens = (stdout: string): string[] => ndjsonLines(stdout).map((m) => (m as { data: { token_address: string } }).data.token_address);
  const scan = (address: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ type: 'NEW_SCAN', data: { token_address: address, ...extra } });

  it('replay - --duration 500ms ends on time although stdin never closes', async () => {
    const started = Date.now();
    // Killed at 15 s if it never ends; how long the CLI takes to start is the machine's, not the test's.
    const child = spawnCli(['replay', '-', '--duration', '500ms'], { timeoutMs: 15_000 });
    child.proc.stdin!.write(scan('Early1') + '\n');
    await child.waitFor(/Early1/, 'stdout', 10_000);
    const running = Date.now();
    const r = await child.done;
    const took = Date.now() - started;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(took).toBeGreaterThanOrEqual(450);
    // Ended by --duration, not by the kill: at most the 500 ms (and some) after it was up.
    expect(Date.now() - running).toBeLessThan(5000);
    expect(tokens(r.stdout)).toEqual(['Early1']);
    expect(r.stderr).toMatch(/received 1, output 1, filtered 0, skipped 0/);
  });

  it('lines written to a stdin that stays open are output as they arrive (tail -f capture | rexi-live replay -)', async () => {
    // stdin stays open until both lines are out: each must come out as it arrives, not at the end.
    const child = spawnCli(['replay', '-'], { timeoutMs: 15_000 });
    child.proc.stdin!.write(scan('Live1') + '\n');
    await child.waitFor(/Live1/, 'stdout', 10_000);
    child.proc.stdin!.write(scan('Live2') + '\n');
    await child.waitFor(/Live2/, 'stdout', 5000);
    child.proc.stdin!.end();
    const r = await child.done;
    expect(r.code, r.stderr).toBe(0);
    expect(tokens(r.stdout)).toEqual(['Live1', 'Live2']);
  });

  it('SIGTERM to replay - -o <file> with stdin still open: the lines so far, whole, the summary, then death by SIGTERM', async () => {
    const file = path.join(dir, `sigterm-${process.pid}.ndjson`);
    fs.rmSync(file, { force: true });
    const child = spawnCli(['replay', '-', '-o', file]);
    const lines = [scan('Sig1'), scan('Sig2'), scan('Sig3')];
    child.proc.stdin!.write(lines.join('\n') + '\n');
    // SIGTERM once the three lines are in the file, so it comes after they were read (a fixed 1 s
    // was too short for a loaded machine's start of the CLI).
    await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').length > 3, 'the three lines in the file');
    child.proc.kill('SIGTERM');
    const r = await child.done;
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(r.stderr).toMatch(/received 3, output 3, filtered 0, skipped 0/);
    expect(fs.readFileSync(file, 'utf8')).toBe(lines.join('\n') + '\n');
    fs.rmSync(file, { force: true });
  });

  it('a line longer than --max-message-size is skipped and counted as too-large; the lines around it are output', async () => {
    const input = [scan('Before1'), scan('Huge1', { pad: 'x'.repeat(4096) }), scan('After1')].join('\n') + '\n';
    const r = await runCli(['replay', '-', '--max-message-size', '1KiB'], { stdin: input, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(tokens(r.stdout)).toEqual(['Before1', 'After1']);
    expect(r.stderr).toMatch(/received 3, output 2, filtered 0, skipped 1 \(too-large 1\)/);
    // The default limit (1MiB) takes the same line.
    const all = await runCli(['replay', '-'], { stdin: input, timeoutMs: 5000 });
    expect(tokens(all.stdout)).toEqual(['Before1', 'Huge1', 'After1']);
  });

  it('maxMessageSize from the config file applies to replay too', async () => {
    const config = path.join(dir, 'max-size-config.json');
    fs.writeFileSync(config, JSON.stringify({ maxMessageSize: '1KiB' }), { mode: 0o600 });
    const input = [scan('Before1'), scan('Huge1', { pad: 'x'.repeat(4096) }), scan('After1')].join('\n') + '\n';
    const r = await runCli(['replay', '-', '--config', config], { stdin: input, timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(tokens(r.stdout)).toEqual(['Before1', 'After1']);
    expect(r.stderr).toMatch(/received 3, output 2, filtered 0, skipped 1 \(too-large 1\)/);
    expect(r.stderr).toMatch(/skipped line 2/);
  });

  it('a line that is not valid UTF-8 is skipped and counted as not-json, as a live frame is, from stdin and from a file', async () => {
    // An address with a byte that is not UTF-8: decoded, it would be a token that never existed.
    const bad = Buffer.concat([Buffer.from('{"type":"NEW_SCAN","data":{"token_address":"Bad'), Buffer.from([0xff]), Buffer.from('1"}}\n')]);
    const input = Buffer.concat([Buffer.from(scan('Good1') + '\n'), bad, Buffer.from(scan('Good2') + '\n')]);
    const child = spawnCli(['replay', '-'], { timeoutMs: 5000 });
    child.proc.stdin!.end(input);
    const r = await child.done;
    expect(r.code, r.stderr).toBe(0);
    expect(tokens(r.stdout)).toEqual(['Good1', 'Good2']);
    expect(r.stdout).not.toContain('\uFFFD');
    expect(r.stderr).toMatch(/received 3, output 2, filtered 0, skipped 1 \(not-json 1\)/);
    expect(r.stderr).toMatch(/skipped line 2: not JSON/);
    const file = path.join(dir, 'not-utf8.ndjson');
    fs.writeFileSync(file, input);
    const fromFile = await runCli(['replay', file], { timeoutMs: 5000 });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(tokens(fromFile.stdout)).toEqual(['Good1', 'Good2']);
    expect(fromFile.stderr).toMatch(/skipped 1 \(not-json 1\)/);
  });

  it('a UTF-8 BOM before line 1 is ignored', async () => {
    const r = await runCli(['replay', '-'], { stdin: '\uFEFF' + scan('Bom1') + '\n' + scan('Bom2') + '\n', timeoutMs: 5000 });
    expect(r.code, r.stderr).toBe(0);
    expect(tokens(r.stdout)).toEqual(['Bom1', 'Bom2']);
    expect(r.stderr).toMatch(/received 2, output 2, filtered 0, skipped 0/);
  });

  it('received_at that is not the last key: taken off by -f ndjson, written back exactly once by --received-at', async () => {
    const line = '{"received_at":"2026-01-01T00:00:00.000Z","type":"NEW_SCAN","data":{"token_address":"A"}}';
    const plain = await runCli(['replay', '-', '-f', 'ndjson'], { stdin: line + '\n', timeoutMs: 5000 });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe('{"type":"NEW_SCAN","data":{"token_address":"A"}}\n');
    const back = await runCli(['replay', '-', '-f', 'ndjson', '--received-at'], { stdin: line + '\n', timeoutMs: 5000 });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout.match(/"received_at"/g)).toHaveLength(1);
    expect(ndjsonLines(back.stdout)).toEqual([{ type: 'NEW_SCAN', data: { token_address: 'A' }, received_at: '2026-01-01T00:00:00.000Z' }]);
  });
});

describe('colour control', () => {
  const ESC = '\u001b[';
  const lines = (extra: string[], env: Record<string, string> = {}) => runCli(['replay', capture, '-f', 'lines', ...extra], { env });

  it('--color always colours a pipe, never and auto (not a terminal) do not', async () => {
    expect((await lines(['--color', 'always'])).stdout).toContain(ESC);
    expect((await lines(['--color', 'never'])).stdout).not.toContain(ESC);
    expect((await lines([])).stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR forces it on under auto, NO_COLOR wins over FORCE_COLOR, --color never wins over both', async () => {
    expect((await lines([], { FORCE_COLOR: '1' })).stdout).toContain(ESC);
    expect((await lines([], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(ESC);
    expect((await lines(['--color', 'never'], { FORCE_COLOR: '3' })).stdout).not.toContain(ESC);
  });

  it('the table is plain when colour is off (no header or border colours)', async () => {
    const r = await runCli(['replay', capture, '-f', 'table', '--color', 'never']);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toMatch(/ADDRESS/);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('gzip captures', () => {
  const seqsOf = (text: string): number[] => ndjsonLines(text).map((m) => (m as { data: { seq: number } }).data.seq);
  const zcat = async (file: string): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const { spawn } = await import('node:child_process');
    const child = spawn('zcat', [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  };

  it('replay reads a .gz capture, and gzip on stdin, as it reads the plain one', async () => {
    const plain = fs.readFileSync(capture);
    const gz = path.join(dir, 'capture.ndjson.gz');
    fs.writeFileSync(gz, zlib.gzipSync(plain));
    const fromFile = await runCli(['replay', gz, '-f', 'ndjson', '--received-at']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toBe(plain.toString());
    expect(fromFile.stderr).toMatch(/received 10, output 10, filtered 0, skipped 0/);
    const child = spawnCli(['replay', '-', '-f', 'ndjson', '--received-at'], { timeoutMs: 5000 });
    child.proc.stdin!.end(zlib.gzipSync(plain));
    const fromStdin = await child.done;
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(plain.toString());
  });

  it('-o x.gz writes gzip that zcat reads; a second run appends a member; replay reads both runs', async () => {
    let next = 1;
    const server = await startBareServer((ws) => {
      for (let i = 0; i < 5; i++) ws.send(call(next++));
    });
    const file = path.join(dir, `run-${process.pid}.ndjson.gz`);
    try {
      const first = await runCli(['--url', server.url, '-n', '5', '-o', file]);
      expect(first.code, first.stderr).toBe(0);
      expect(fs.readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      const once = await zcat(file);
      expect(once.code, once.stderr).toBe(0);
      expect(seqsOf(once.stdout)).toEqual([1, 2, 3, 4, 5]);
      const second = await runCli(['--url', server.url, '-n', '3', '-o', file]);
      expect(second.code, second.stderr).toBe(0);
      const twice = await zcat(file);
      expect(twice.code, twice.stderr).toBe(0);
      expect(seqsOf(twice.stdout)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const replayed = await runCli(['replay', file]);
      expect(replayed.code, replayed.stderr).toBe(0);
      expect(seqsOf(replayed.stdout)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await server.close();
      fs.rmSync(file, { force: true });
    }
  });

  it('a copy of the .gz taken between writes while the run goes on decompresses to whole lines; after SIGTERM the file is complete', async () => {
    const server = await startBareServer((ws) => {
      let n = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 40 && ws.readyState === ws.OPEN; i++) ws.send(call(++n, { pad: 'z'.repeat(300) }));
      }, 2);
      ws.on('close', () => clearInterval(timer));
    });
    const file = path.join(dir, `live-${process.pid}.ndjson.gz`);
    try {
      const child = spawnCli(['--url', server.url, '-o', file], { timeoutMs: 20_000 });
      await child.waitFor(/connected to/);
      const copies: number[] = [];
      for (let i = 0; i < 200 && copies.length < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const before = fs.statSync(file).size;
        const copy = fs.readFileSync(file);
        // A read that overlapped a write may end inside it (the kernel lets a read see a write
        // in progress): such a copy is not one taken between writes.
        if (fs.statSync(file).size !== before || copy.length !== before) continue;
        if (copy.length === 0 || copy.length === copies.at(-1)) continue;
        const text = zlib.gunzipSync(copy, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString();
        expect(text.endsWith('\n'), `copy of ${copy.length} bytes`).toBe(true);
        const got = seqsOf(text);
        expect(got).toEqual(Array.from({ length: got.length }, (_, k) => k + 1));
        copies.push(copy.length);
      }
      expect(copies.length).toBe(4);
      child.proc.kill('SIGTERM');
      const r = await child.done;
      expect(r.signal, r.stderr).toBe('SIGTERM');
      const all = seqsOf(zlib.gunzipSync(fs.readFileSync(file)).toString());
      expect(all).toEqual(Array.from({ length: all.length }, (_, k) => k + 1));
      expect(all.length).toBe(Number(/output (\d+)/.exec(r.stderr)![1]));
    } finally {
      await server.close();
      fs.rmSync(file, { force: true });
    }
  }, 30_000);
});
