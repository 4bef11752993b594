import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, killAll, runCli, spawnCli, type CliChild } from '../support/cli.js';
import { get, metricsPort, promtoolProblems, samples, until } from '../support/metrics.js';
import { tmpdirs } from '../support/tmp.js';
import { itWith, PROMTOOL } from '../support/tools.js';

const tmpdir = tmpdirs('rexi-metrics-');

afterEach(killAll);

/** `rexi-live serve` as users start it; its URL and port from the "listening on" line. */
async function serve(args: string[]): Promise<{ child: CliChild; url: string; port: number }> {
  const child = spawnCli(['serve', ...args], { timeoutMs: 30_000 });
  const m = await child.waitFor(/listening on (ws:\/\/127\.0\.0\.1:(\d+)\S*)/);
  return { child, url: m[1]!, port: Number(m[2]) };
}

/** A capture of `n` calls 20ms apart: three platforms, ten tokens (so --dedupe token drops some). */
function capture(n: number): string {
  const file = path.join(tmpdir(), 'capture.ndjson');
  const start = Date.parse('2026-12-01T00:00:00Z');
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      type: 'NEW_SCAN',
      data: { token_address: `Token${i % 10}`, token_symbol: `T${i % 10}`, caller: { id: String(i % 4), name: `c${i % 4}`, platform: ['telegram', 'discord', 'twitter'][i % 3] }, timestamp: new Date(start + i * 20).toISOString() },
      received_at: new Date(start + i * 20).toISOString(),
    }),
  );
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The rexi_live_ samples only: the process metrics move on their own. */
const ours = (text: string): string => text.split('\n').filter((l) => l.startsWith('rexi_live_')).join('\n');

/** The exit summary's numbers: `received 80, output 9, filtered 50, deduped 3, skipped 20 (not-json 20), reconnects 8, up 2s`. */
function summaryOf(stderr: string): { counts: Map<string, number>; skipped: Map<string, number> } {
  const line = /received \d+, output \d+[^"\n]*/.exec(stderr)?.[0];
  if (line === undefined) throw new Error(`no summary in:\n${stderr}`);
  const counts = new Map<string, number>();
  for (const m of line.replace(/\([^)]*\)/g, '').matchAll(/([a-z]+) (\d+)/g)) counts.set(m[1]!, Number(m[2]));
  const skipped = new Map<string, number>();
  const detail = /skipped \d+ \(([^)]*)\)/.exec(line)?.[1] ?? '';
  for (const m of detail.matchAll(/([a-z-]+) (\d+)/g)) skipped.set(m[1]!, Number(m[2]));
  return { counts, skipped };
}

describe('--metrics on tail', () => {
  it('counters agree with the exit summary after a run against serve with drops and malformed frames', async () => {
    const feed = await serve(['--port', '0', '--replay', capture(80), '--speed', '2', '--drop-every', '9', '--malformed-rate', '0.25']);
    const tail = spawnCli(
      ['--url', feed.url, '--metrics', '0', '--backoff-min', '20ms', '--backoff-max', '50ms', '--platform', 'telegram', '--platform', 'discord', '--dedupe', 'token', '-f', 'ndjson'],
      { env: { REXI_API_KEY: 'any' }, timeoutMs: 30_000 },
    );
    const port = await metricsPort(tail);
    await feed.child.waitFor(/replay finished/, 'stderr', 15_000);
    // Connected again after the last drop, and nothing moves any more.
    await until(() => get(port, '/readyz'), (r) => r.status === 200, 10_000, '/readyz 200');
    let last = '';
    const text = await until(
      async () => (await get(port, '/metrics')).body,
      (t) => {
        const same = ours(t) === last;
        last = ours(t);
        return same;
      },
      10_000,
      'steady metrics',
    );
    tail.proc.kill('SIGTERM');
    const r = await tail.done;
    expect(r.signal, r.stderr).toBe('SIGTERM');

    const m = samples(text);
    const { counts, skipped } = summaryOf(r.stderr);
    expect(counts.get('received')).toBeGreaterThan(0);
    expect(m.get('rexi_live_received_total')).toBe(counts.get('received'));
    expect(m.get('rexi_live_output_total')).toBe(counts.get('output'));
    expect(m.get('rexi_live_filtered_total')).toBe(counts.get('filtered'));
    expect(m.get('rexi_live_deduped_total')).toBe(counts.get('deduped'));
    // The faults happened, so these comparisons can fail.
    expect(counts.get('skipped')).toBeGreaterThan(0);
    expect(counts.get('reconnects')).toBeGreaterThan(0);
    expect(counts.get('filtered')).toBeGreaterThan(0);
    expect(counts.get('deduped')).toBeGreaterThan(0);
    let skippedTotal = 0;
    for (const [key, value] of m) {
      const kind = /^rexi_live_skipped_total\{kind="([^"]+)"\}$/.exec(key)?.[1];
      if (kind === undefined) continue;
      skippedTotal += value;
      expect(value, kind).toBe(skipped.get(kind) ?? 0);
    }
    expect(skippedTotal).toBe(counts.get('skipped'));
    const reconnects = [...m].filter(([k]) => k.startsWith('rexi_live_reconnects_total{'));
    expect(reconnects.reduce((n, [, v]) => n + v, 0)).toBe(counts.get('reconnects'));
    // An abrupt end is a close (1006): the label is a fixed word, not the server's text.
    for (const [k] of reconnects) expect(k).toMatch(/^rexi_live_reconnects_total\{reason="[a-z_]+"\}$/);
    expect(m.get('rexi_live_connected')).toBe(1);
    expect(m.get('rexi_live_state_keys')).toBeGreaterThan(0);
    expect(m.get('rexi_live_last_message_timestamp_seconds')).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
    // The default Node.js process metrics are there too.
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
  });

  itWith(PROMTOOL, 'promtool check metrics accepts /metrics (tail with hooks, and serve)', async () => {
    const feed = await serve(['--port', '0', '--rate', '100', '--metrics', '0', '--malformed-rate', '0.1']);
    const feedPort = await metricsPort(feed.child);
    const tail = spawnCli(['--url', feed.url, '--metrics', '0', '--exec', 'true', '--min-callers', '2', '--with-calls', '-f', 'ndjson'], { env: { REXI_API_KEY: 'any' }, timeoutMs: 30_000 });
    const port = await metricsPort(tail);
    const text = await until(
      async () => (await get(port, '/metrics')).body,
      (t) => (samples(t).get('rexi_live_hooks_total{result="ok"}') ?? 0) > 0,
      10_000,
      'a hook run',
    );
    for (const body of [text, (await get(feedPort, '/metrics')).body]) {
      const check = promtoolProblems(body);
      expect([0, 3], check.ours.join('\n')).toContain(check.status);
      expect(check.ours).toEqual([]);
    }
    // The check can fail: a counter without _total is a problem of ours.
    expect(promtoolProblems('# HELP x_bytes a\n# TYPE x_bytes counter\nx_bytes 1\n').ours).not.toEqual([]);
  });

  it('/readyz is 503 with the reason while serve is down, 200 again once it is back on the same port', async () => {
    const first = await serve(['--port', '0', '--rate', '20']);
    const tail = spawnCli(['--url', first.url, '--metrics', '0', '--backoff-min', '50ms', '--backoff-max', '200ms', '-f', 'ndjson'], { env: { REXI_API_KEY: 'any' }, timeoutMs: 30_000 });
    const port = await metricsPort(tail);
    expect((await until(() => get(port, '/readyz'), (r) => r.status === 200, 10_000, '/readyz 200')).body).toBe('ok\n');
    expect(await get(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });

    first.child.proc.kill('SIGKILL');
    await first.child.done;
    const down = await until(() => get(port, '/readyz'), (r) => r.status === 503, 10_000, '/readyz 503');
    expect(down.body).toMatch(/^reconnecting: (closed|unreachable)\n$/);
    expect(samples((await get(port, '/metrics')).body).get('rexi_live_connected')).toBe(0);
    // Still alive: health is not readiness.
    expect((await get(port, '/healthz')).status).toBe(200);

    await serve(['--port', String(first.port), '--rate', '20']);
    await until(() => get(port, '/readyz'), (r) => r.status === 200, 15_000, '/readyz 200 after the restart');
    expect(samples((await get(port, '/metrics')).body).get('rexi_live_connected')).toBe(1);
    expect((await get(port, '/nope')).status).toBe(404);
    expect((await get(port, '/')).status).toBe(404);
  });

  it('/readyz says "reconnecting: pong timeout" while the service does not answer pings', async () => {
    const feed = await serve(['--port', '0', '--rate', '20']);
    const tail = spawnCli(
      ['--url', feed.url, '--metrics', '0', '--ping-interval', '200ms', '--pong-timeout', '400ms', '--connect-timeout', '1s', '--backoff-min', '50ms', '--backoff-max', '100ms', '-f', 'ndjson'],
      { env: { REXI_API_KEY: 'any' }, timeoutMs: 30_000 },
    );
    const port = await metricsPort(tail);
    await until(() => get(port, '/readyz'), (r) => r.status === 200, 10_000, '/readyz 200');
    feed.child.proc.kill('SIGSTOP');
    try {
      const down = await until(() => get(port, '/readyz'), (r) => r.status === 503 && r.body.includes('pong'), 10_000, 'a pong timeout');
      expect(down.body).toBe('reconnecting: pong timeout\n');
    } finally {
      feed.child.proc.kill('SIGCONT');
    }
    await until(() => get(port, '/readyz'), (r) => r.status === 200, 15_000, '/readyz 200 after SIGCONT');
    const m = samples((await get(port, '/metrics')).body);
    expect(m.get('rexi_live_reconnects_total{reason="pong_timeout"}')).toBeGreaterThan(0);
  });

  it('/readyz says "output stalled Ns" while stdout is not read for longer than --pong-timeout', async () => {
    // stdout is a pipe nobody reads: it fills, the output is behind, the stream pauses.
    const proc = spawn(process.execPath, [BIN, 'demo', '--rate', '5000', '--metrics', '0', '--pong-timeout', '1s', '-f', 'ndjson'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const ended = new Promise((resolve) => proc.on('close', resolve));
    try {
      const port = Number((await until(async () => /metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr), (m) => m !== null, 10_000, 'the metrics line'))![1]);
      // Not ready while connecting either: wait for the stall itself.
      const stalled = await until(() => get(port, '/readyz'), (r) => r.status === 503 && r.body.startsWith('output'), 15_000, 'a stall');
      expect(stalled.body).toMatch(/^output stalled \d+s\n$/);
      expect(samples((await get(port, '/metrics')).body).get('rexi_live_output_paused')).toBe(1);
      // Read again: the stall ends.
      proc.stdout.resume();
      await until(() => get(port, '/readyz'), (r) => r.status === 200, 10_000, '/readyz 200 once stdout is read');
    } finally {
      proc.kill('SIGKILL');
      await ended;
    }
  });
});

describe('--metrics on serve', () => {
  it('exports rexi_serve_clients and rexi_serve_sent_total', async () => {
    const feed = await serve(['--port', '0', '--rate', '100', '--metrics', '0']);
    const port = await metricsPort(feed.child);
    const before = samples((await get(port, '/metrics')).body);
    expect(before.get('rexi_serve_clients')).toBe(0);
    expect((await get(port, '/readyz')).status).toBe(200);
    const tail = spawnCli(['--url', feed.url, '-f', 'ndjson'], { env: { REXI_API_KEY: 'any' } });
    await tail.waitFor(/NEW_SCAN/, 'stdout');
    const during = await until(async () => samples((await get(port, '/metrics')).body), (m) => (m.get('rexi_serve_sent_total') ?? 0) >= 5, 10_000, 'frames sent');
    expect(during.get('rexi_serve_clients')).toBe(1);
    expect((await get(port, '/metrics')).type).toMatch(/^text\/plain; version=0\.0\.4/);
    tail.proc.kill('SIGTERM');
    await tail.done;
    await until(async () => samples((await get(port, '/metrics')).body), (m) => m.get('rexi_serve_clients') === 0, 10_000, 'the client gone');
  });
});

describe('bad --metrics values: exit 2, one line, before connecting', () => {
  // One test running every value at once: each is a CLI start that is refused, independent of the rest.
  it('each bad --metrics value', async () => {
    const cases: Array<[string, RegExp]> = [
      ['abc', /is not \[host:\]port/],
      [':9464', /has no host/],
      ['70000', /no port from 0 to 65535/],
      ['127.0.0.1:', /no port/],
      ['192.0.2.1:9464', /not an address of this host/],
    ];
    // The service would be unreachable: a usage error comes first, and alone.
    const results = await Promise.all(cases.map(([value]) => runCli(['--url', 'ws://127.0.0.1:9/x', '--no-retry', '--metrics', value], { env: { REXI_API_KEY: 'k' } })));
    results.forEach((r, i) => {
      const what = `--metrics ${cases[i]![0]}: ${r.stderr}`;
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(cases[i]![1]);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
    });
  });

  it('a port in use, for tail, demo and serve', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const commands = [['--url', 'ws://127.0.0.1:9/x', '--no-retry'], ['demo'], ['serve', '--port', '0']];
      // Independent runs: all at once.
      const results = await Promise.all(commands.map((args) => runCli([...args, '--metrics', String(port), '-q'], { env: { REXI_API_KEY: 'k' } })));
      results.forEach((r, i) => {
        expect(r.code, `${commands[i]!.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr.trim()).toBe(`rexi-live: error: --metrics 127.0.0.1:${port}: the port is in use`);
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
