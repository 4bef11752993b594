import { spawnSync } from 'node:child_process';
import type { CliChild } from './cli.js';

/** The port a --metrics 0 run logged: `metrics on http://127.0.0.1:PORT/metrics`. */
export async function metricsPort(child: CliChild, timeoutMs = 10_000): Promise<number> {
  const m = await child.waitFor(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/, 'stderr', timeoutMs);
  return Number(m[1]);
}

export async function get(port: number, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/** `name{labels}` → value, from the Prometheus text format. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Polls until `check` holds, up to `timeoutMs`; returns its last value. */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000, what = 'a condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `promtool check metrics`: exit 0, or 3 with lint problems. The problems of prom-client's own
 * default Node.js metrics (gauges named `*_total`) are not ours: the rest are returned.
 */
export function promtoolProblems(text: string): { status: number | null; ours: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
  return { status: r.status, ours: lines.filter((l) => !/^nodejs_\S+ /.test(l)) };
}
