import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { killAll, ndjsonLines, runCli, spawnCli } from '../support/cli.js';

afterEach(killAll);

/** Starts `rexi-live serve` as users do and returns its URL from the "listening on" line. */
async function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawnCli(['serve', '--port', '0', ...args], { env, timeoutMs: 20_000 });
  const [, url] = (await child.waitFor(/listening on (ws:\/\/\S+)/)) as RegExpMatchArray & [string, string];
  return { child, url };
}

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => (err.message.includes('Unexpected server response') ? undefined : reject(err)));
  });
}

describe('rexi-live serve', () => {
  it('prints "listening on ws://HOST:PORT/solana/monitor/livecalls", answers 401 to a bad key and feeds a good one', async () => {
    const { child, url } = await serve(['--key', 'good-key', '--rate', '50']);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/solana\/monitor\/livecalls$/);
    expect(await upgradeStatus(`${url}?api_key=bad-key`)).toBe(401);
    expect(await upgradeStatus(url)).toBe(401);
    expect(await upgradeStatus(url, { 'X-API-Key': 'good-key' })).toBe(101);
    const r = await runCli(['--url', url, '-n', '3', '--auth', 'bearer'], { env: { REXI_API_KEY: 'good-key' } });
    expect(r.code).toBe(0);
    const calls = ndjsonLines(r.stdout) as { type: string; data: { token_address: string } }[];
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.type).toBe('NEW_SCAN');
      expect(c.data.token_address).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    }
    child.proc.kill('SIGTERM');
    expect((await child.done).signal).toBe('SIGTERM');
  });

  it.each(['SIGHUP', 'SIGINT'] as const)('%s: a clean stop (clients closed with 1001), then it ends by that signal', async (signal) => {
    const { child, url } = await serve([]);
    const client = new WebSocket(`${url}?api_key=any`);
    client.on('error', () => {});
    await new Promise((resolve) => client.once('open', resolve));
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    child.proc.kill(signal);
    expect(await closed).toBe(1001);
    const r = await child.done;
    expect(r.signal, r.stderr).toBe(signal);
  });

  it('takes its keys from REXI_SERVE_KEYS', async () => {
    const { url } = await serve([], { REXI_SERVE_KEYS: 'one, two' });
    expect(await upgradeStatus(`${url}?api_key=two`)).toBe(101);
    expect(await upgradeStatus(`${url}?api_key=three`)).toBe(401);
  });

  it('--seed makes the synthetic feed reproducible', async () => {
    const tokens = async (): Promise<string[]> => {
      const { child, url } = await serve(['--seed', '42', '--rate', '100']);
      const r = await runCli(['--url', url, '-n', '5'], { env: { REXI_API_KEY: 'any' } });
      child.proc.kill('SIGTERM');
      await child.done;
      return (ndjsonLines(r.stdout) as { data: { token_address: string } }[]).map((c) => c.data.token_address);
    };
    // Two servers of their own: both at once.
    const [a, b] = await Promise.all([tokens(), tokens()]);
    expect(a).toHaveLength(5);
    expect(a).toEqual(b);
  });

  it('--drop-every and --malformed-rate inject faults the tail survives', async () => {
    const { url } = await serve(['--rate', '200', '--drop-every', '5', '--malformed-rate', '0.2']);
    const r = await runCli(['--url', url, '-n', '12', '--backoff-min', '20ms', '--backoff-max', '50ms'], { env: { REXI_API_KEY: 'any' } });
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(12);
    expect(r.stderr).toMatch(/reconnects [1-9]/);
    expect(r.stderr).toMatch(/skipped [1-9]/);
  });

  it('rejects bad flags with exit 2', async () => {
    const cases = [['--rate', 'fast'], ['--port', '70000'], ['--malformed-rate', '2'], ['--speed', '2'], ['--replay', '/nonexistent.ndjson']];
    // Independent runs: all at once.
    const results = await Promise.all(cases.map((args) => runCli(['serve', ...args])));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^rexi-live: error: /m);
    });
  });
});

describe('rexi-live demo', () => {
  it('--format ndjson --count 3 exits 0 with three calls', async () => {
    const r = await runCli(['demo', '--format', 'ndjson', '--count', '3', '--rate', '50']);
    expect(r.code).toBe(0);
    const calls = ndjsonLines(r.stdout) as { type: string }[];
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.type === 'NEW_SCAN')).toBe(true);
    expect(r.stderr).toMatch(/received \d+, output 3/);
  });

  it('takes tail options: filters and formats', async () => {
    const r = await runCli(['demo', '-f', 'lines', '--color', 'never', '-n', '2', '--rate', '100', '--platform', 'telegram']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.includes('telegram'))).toBe(true);
  });
});
