import { afterEach, describe, expect, it } from 'vitest';
import { call, DOC_EXAMPLE, startBareServer, type BareServer } from '../support/ws-server.js';
import { BIN, killAll, ndjsonLines, runCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-key-');

let server: BareServer | undefined;
afterEach(async () => {
  await killAll();
  await server?.close();
  server = undefined;
});

const KEY = 'k3y-THAT-must-never-LEAK-9f2c';

describe('tail → ndjson, end to end against a real ws server', () => {
  it('writes the example message of the service docs JSON-equal to what was sent', async () => {
    server = await startBareServer((ws) => ws.send(DOC_EXAMPLE));
    const r = await runCli(['--url', server.url, '-f', 'ndjson', '-n', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual(JSON.parse(DOC_EXAMPLE));
    // One compact line: the pretty-printed frame was compacted.
    expect(lines[0]).toBe(JSON.stringify(JSON.parse(DOC_EXAMPLE)));
  });

  it('keeps order, unknown fields and integers beyond 2^53; stdout carries data only', async () => {
    const big = '{"type":"NEW_SCAN","data":{"token_address":"big","supply":123456789012345678901234567890,"extra":{"x":[1,2]}},"envelope":true}';
    server = await startBareServer((ws) => {
      for (let i = 1; i <= 50; i++) ws.send(call(i));
      ws.send(big);
    });
    const r = await runCli(['--url', server.url, '-n', '51', '--log-level', 'debug']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.slice(0, 50).map((l) => (JSON.parse(l) as { data: { seq: number } }).data.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(lines[50]).toBe(big);
    expect(r.stderr).toMatch(/received 51, output 51/);
  });

  it.each([
    ['query', (req: import('node:http').IncomingMessage) => new URL(req.url!, 'http://x').searchParams.get('api_key')],
    ['header', (req: import('node:http').IncomingMessage) => req.headers['x-api-key']],
    ['bearer', (req: import('node:http').IncomingMessage) => req.headers.authorization?.replace(/^Bearer /, '')],
  ] as const)('--auth %s sends the key where the server looks for it', async (mode, seen) => {
    server = await startBareServer((ws) => ws.send(call(1)));
    const r = await runCli(['--url', server.url, '--auth', mode, '-n', '1'], { env: { REXI_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(seen(server.requests[0]!)).toBe(KEY);
    // Only where it was asked to go.
    const req = server.requests[0]!;
    const places = [new URL(req.url!, 'http://x').searchParams.get('api_key'), req.headers['x-api-key'], req.headers.authorization];
    expect(places.filter((p) => p !== null && p !== undefined)).toHaveLength(1);
  });

  it('never shows the key on stdout or stderr, even at --log-level debug, across a reconnect', async () => {
    server = await startBareServer((ws, _req, i) => {
      ws.send(call(i + 1));
      if (i === 0) ws.close(1000);
    });
    const r = await runCli(['--url', server.url, '-n', '2', '--log-level', 'debug', '--backoff-min', '50ms', '--backoff-max', '100ms'], { env: { REXI_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(2);
    expect(r.stderr).toContain('api_key=***');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stdout + r.stderr).not.toContain('LEAK');
  });

  it('reads the key from --api-key-file, and --api-key works but warns', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = tmpdir();
    const file = path.join(dir, 'key');
    fs.writeFileSync(file, `${KEY}\n`, { mode: 0o600 });
    server = await startBareServer((ws) => ws.send(call(1)));
    const r = await runCli(['--url', server.url, '--api-key-file', file, '-n', '1']);
    expect(r.code).toBe(0);
    expect(new URL(server.requests[0]!.url!, 'http://x').searchParams.get('api_key')).toBe(KEY);
    const r2 = await runCli(['--url', server.url, '--api-key', KEY, '-n', '1']);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toMatch(/process list/);
    expect(r2.stderr).not.toContain(KEY);
  });

  it('--duration ends the run with exit 0 and the summary', async () => {
    server = await startBareServer((ws) => ws.send(call(1)));
    const started = Date.now();
    const r = await runCli(['--url', server.url, '--duration', '700ms']);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(ndjsonLines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toMatch(/received 1, output 1, filtered 0, skipped 0, reconnects 0, up \d+s/);
  });

  it('-f lines writes one line per call with the full address and no control characters from the feed', async () => {
    const hostile = JSON.stringify({
      type: 'NEW_SCAN',
      data: {
        token_address: 'So11111111111111111111111111111111111111112',
        token_name: 'evil\u001b]0;pwned\u0007\u001b[2J\u202ename',
        token_symbol: 'X\u009b31m',
        caller: { id: 1, name: 'c\u001b]52;c;Zm9v\u0007', platform: 'telegram' },
        price_data: { current_price: 0.0000512, market_cap: 512_300 },
      },
    });
    server = await startBareServer((ws) => ws.send(hostile));
    const r = await runCli(['--url', server.url, '-f', 'lines', '--color', 'never', '-n', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('So11111111111111111111111111111111111111112');
    expect(lines[0]).toContain('telegram');
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('usage and configuration errors: one line, exit 2', () => {
  // One test running every case at once: each is a CLI start that is refused, independent of the rest.
  it('each bad flag or missing setting', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /unknown option '--bogus'/],
      [[], /--url or REXI_WS_URL/],
      [['--url', 'wss://api.example.com/solana/monitor/livecalls'], /REXI_API_KEY/],
      [['--url', 'ws://127.0.0.1:1/x', '--ping-interval', 'often'], /--ping-interval: 'often' is not a duration/],
      [['--url', 'ws://127.0.0.1:1/x', '-f', 'xml'], /argument 'xml' is invalid/],
      [['--url', 'ws://127.0.0.1:1/x', '-n', 'many'], /--count: 'many' is not a whole number/],
      [['--url', 'ws://127.0.0.1:1/x', '--min-mcap', 'lots'], /--min-mcap: 'lots' is not an amount/],
      [['--url', 'http://127.0.0.1:1/x'], /must be a ws:\/\/ or wss:\/\/ URL/],
      [['--url', 'ws://127.0.0.1:1/x', '--config', '/nonexistent/config.json'], /--config: cannot read/],
      [['--url', 'ws://127.0.0.1:1/x', '--api-key-file', '/nonexistent/key'], /--api-key-file: cannot read/],
      [['--url', 'ws://127.0.0.1:1/x', '--backoff-min', '10s', '--backoff-max', '1s'], /--backoff-min .* above --backoff-max/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      const what = JSON.stringify(args);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr, what).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout, what).toBe('');
    });
  });

  it('refuses to send a key over ws:// to a non-loopback host without --insecure', async () => {
    const r = await runCli(['--url', 'ws://api.example.com/solana/monitor/livecalls'], { env: { REXI_API_KEY: KEY } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--insecure/);
    expect(r.stderr).not.toContain(KEY);
  });
});

describe('url', () => {
  it('prints the URL tail would use, key redacted unless --show-key', async () => {
    const env = { REXI_BASE_URL: 'https://api.example.com', REXI_API_KEY: KEY };
    const r = await runCli(['url'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wss://api.example.com/solana/monitor/livecalls?api_key=***\n');
    const shown = await runCli(['url', '--show-key'], { env });
    expect(shown.stdout).toBe(`wss://api.example.com/solana/monitor/livecalls?api_key=${KEY}\n`);
    const header = await runCli(['url', '--auth', 'header'], { env });
    expect(header.stdout).toBe('wss://api.example.com/solana/monitor/livecalls\n');
  });
});

describe('--help and --version', () => {
  it('every command has help with examples; --version prints the version', async () => {
    const commands = ['tail', 'url', 'serve', 'demo', 'replay'];
    // Independent runs: all at once.
    // `--version` alone is answered before the CLI loads; with another flag, by the CLI.
    const [top, v, viaCli, ...helps] = await Promise.all([runCli(['--help']), runCli(['--version']), runCli(['-q', '--version']), ...commands.map((cmd) => runCli([cmd, '--help']))]);
    helps.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout, commands[i]).toMatch(/Examples:/);
    });
    expect(top!.code).toBe(0);
    expect(top!.stdout).toMatch(/Examples:/);
    expect(top!.stdout).toMatch(/Exit codes: 0 done.*\n.*4 gave up connecting, 5 output error/);
    for (const cmd of commands) expect(top!.stdout).toContain(`  ${cmd}`);
    expect(v!.code).toBe(0);
    expect(v!.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(viaCli!.code).toBe(0);
    expect(viaCli!.stdout).toBe(v!.stdout);
  });
});

describe('help and version into a pipe that closes early', () => {
  it.each([['--help'], ['tail', '--help'], ['--version']])('%s | head -1: exit 0, no stack trace', async (...args) => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Like head -1: take the first bytes, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|at .*\(node:/);
  });
});
