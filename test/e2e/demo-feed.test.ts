import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CALLERS } from '../../src/server/callers.js';
import { killAll, ndjsonLines, runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';

/**
 * The demo feed behaves like the real one (issue 17 item 4): tokens called again by other callers,
 * so signals and first-call dedupe have something to do; the README's filters match its callers;
 * and a looped `serve --replay --retime` never goes back in time.
 */

afterEach(killAll);
const tmpdir = tmpdirs('rexi-demo-feed-');

interface Signal {
  type: string;
  data: { token_address: string; window: string; callers: { id: string | null; name: string | null; platform: string }[]; trigger: { data: { token_address: string } } };
}

describe('demo: a feed with token lifecycles', () => {
  it('--rate 50 --min-callers 2 --window 10m shows MULTI_CALL signals within 20 s', async () => {
    // -n 1: signals only are output (no --with-calls), so the run ends at the first; --duration bounds it.
    const started = Date.now();
    const r = await runCli(['demo', '--rate', '50', '--min-callers', '2', '--window', '10m', '-f', 'ndjson', '-n', '1', '--duration', '20s'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const [signal, ...rest] = ndjsonLines(r.stdout) as Signal[];
    expect(rest).toEqual([]);
    expect(signal?.type, `no signal in ${Date.now() - started} ms; stderr:\n${r.stderr}`).toBe('MULTI_CALL');
    expect(signal!.data.window).toBe('10m');
    expect(signal!.data.trigger.data.token_address).toBe(signal!.data.token_address);
    const roster = new Set(CALLERS.map((c) => c.id));
    const ids = signal!.data.callers.map((c) => c.id);
    expect(new Set(ids).size).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(roster.has(id!)).toBe(true);
  }, 35_000);

  it('--first-call has later calls of the same tokens to drop', async () => {
    // A token's calls are seconds to minutes apart: a few seconds at 200/s show some.
    const r = await runCli(['demo', '--rate', '200', '--first-call', '-f', 'ndjson', '--duration', '6s'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    const calls = ndjsonLines(r.stdout) as { data: { token_address: string } }[];
    expect(calls.length).toBeGreaterThan(100);
    expect(new Set(calls.map((c) => c.data.token_address)).size).toBe(calls.length);
    expect(r.stderr).toMatch(/deduped [1-9]/);
  });
});

describe("the README's caller filters", () => {
  // The README leads with the newcomer's path; the reference it links to lives in docs/.
  const docs = new URL('../../docs/', import.meta.url);
  const readme = [new URL('../../README.md', import.meta.url), ...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => new URL(f, docs))]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  /** Each line of the README or docs/ that filters by caller, as its filter flags and values. */
  const examples = readme
    .split('\n')
    .filter((line) => /^\s*rexi-live\b.*--caller /.test(line))
    .map((line) => [...line.matchAll(/(--(?:platform|min-mcap|max-mcap|caller|exclude-caller)) (?:"([^"]*)"|'([^']*)'|(\S+))/g)].flatMap((m) => [m[1]!, m[2] ?? m[3] ?? m[4]!]));

  it('name callers the demo has', () => {
    expect(examples.length).toBeGreaterThan(0);
    const names = new Set(CALLERS.flatMap((c) => [c.name.toLowerCase(), c.id]));
    for (const args of examples) {
      args.forEach((value, i) => {
        if (args[i - 1] === '--caller' || args[i - 1] === '--exclude-caller') expect(names.has(value.toLowerCase()), value).toBe(true);
      });
    }
  });

  it('print calls against the demo', async () => {
    // Independent demo runs: all at once.
    const runs = await Promise.all(examples.map((args) => runCli(['demo', '--rate', '200', '-f', 'ndjson', '-n', '2', '--duration', '15s', ...args], { timeoutMs: 25_000 })));
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      expect(ndjsonLines(r.stdout), examples[i]!.join(' ')).toHaveLength(2);
    });
  }, 30_000);
});

describe('serve --retime', () => {
  it('stamps each call of a looped replay with the current time, the rest of its bytes as captured', async () => {
    const file = join(tmpdir(), 'capture.ndjson');
    const lines = [
      '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600,"caller":{"name":"Alpha Leak"}},"x":12345678901234567890}',
      '{"type":"NEW_SCAN","data":{"token_address":"A2","timestamp":1735689601}}',
    ];
    writeFileSync(file, lines.map((l, i) => `${l.slice(0, -1)},"received_at":"2025-01-01T00:00:0${i}.000Z"}`).join('\n') + '\n');
    const server = spawnCli(['serve', '--port', '0', '--replay', file, '--loop', '--retime', '--speed', '20'], { timeoutMs: 20_000 });
    const [, url] = (await server.waitFor(/listening on (ws:\/\/\S+)/)) as RegExpMatchArray & [string, string];
    const before = Math.floor(Date.now() / 1000);
    const got = await new Promise<string[]>((resolve, reject) => {
      const texts: string[] = [];
      const ws = new WebSocket(`${url}?api_key=any`);
      const timer = setTimeout(() => reject(new Error(`only ${texts.length} messages`)), 10_000);
      ws.on('error', reject);
      ws.on('message', (data: Buffer) => {
        if (texts.push(data.toString()) < 6) return;
        clearTimeout(timer);
        ws.close();
        resolve(texts);
      });
    });
    const after = Math.floor(Date.now() / 1000);
    const stamps = got.map((text, i) => {
      const stamp = Number(/"timestamp":(\d+)/.exec(text)?.[1]);
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(after);
      expect(text).toBe(lines[i % 2]!.replace(/"timestamp":\d+/, `"timestamp":${stamp}`));
      return stamp;
    });
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    server.proc.kill('SIGTERM');
    await server.done;
  }, 25_000);

  it('without --replay is a usage error (exit 2)', async () => {
    const r = await runCli(['serve', '--port', '0', '--retime']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rexi-live: error: .*--retime.*--replay/m);
  });
});
