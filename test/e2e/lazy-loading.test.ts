import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { call, startBareServer, type BareServer } from '../support/ws-server.js';

const tmpdir = tmpdirs('rexi-lazy-');
const RECORDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/load-recorder.mjs');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The packages a run of the CLI loaded (node_modules names), besides our own dist/ files. Async, so
 * a test starts its independent runs at once.
 */
async function packagesLoaded(args: string[]): Promise<string[]> {
  const r = await packagesLoadedAsync([BIN, ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r.loaded;
}

describe('heavy modules are loaded only when used', () => {
  it('--version loads no package, and --help commander and nothing else', async () => {
    const runs = [['--version'], ['-V'], ['--help'], ['tail', '--help'], ['top', '--help']];
    const loaded = await Promise.all(runs.map(packagesLoaded));
    loaded.forEach((l, i) => expect(l, runs[i]!.join(' ')).toEqual(i < 2 ? [] : ['commander']));
  });

  it('an ndjson replay loads no colour, table, pretty-log, socket or NATS module', async () => {
    const file = path.join(tmpdir(), 'one.ndjson');
    fs.writeFileSync(file, '{"type":"NEW_SCAN","data":{"token_address":"A"}}\n');
    const loaded = await packagesLoaded(['replay', file, '-f', 'ndjson', '-q']);
    expect(loaded).toContain('pino');
    for (const heavy of ['chalk', 'cli-table3', 'pino-pretty', 'ws', 'https-proxy-agent', 'ink', 'react']) expect(loaded).not.toContain(heavy);
    expect(loaded.filter((p) => p.startsWith('@nats-io/'))).toEqual([]);
  });

  it('ink and react are loaded by top alone: not by a replay in lines or table', async () => {
    const file = path.join(tmpdir(), 'one.ndjson');
    fs.writeFileSync(file, '{"type":"NEW_SCAN","data":{"token_address":"A"}}\n');
    const formats = ['lines', 'table'];
    const runs = await Promise.all(formats.map((format) => packagesLoaded(['replay', file, '-f', format, '-q'])));
    for (const loaded of runs) {
      expect(loaded).toContain('chalk');
      expect(loaded).not.toContain('ink');
      expect(loaded).not.toContain('react');
    }
  });

  it('callers loads the table only for -f table, and the progress bar never when stderr is not a terminal', async () => {
    const file = path.join(tmpdir(), 'calls.ndjson');
    fs.writeFileSync(file, '{"type":"NEW_SCAN","data":{"token_address":"A","caller":{"id":"c"},"price_data":{"market_cap":1}}}\n');
    const formats = ['ndjson', 'csv', 'ids'];
    const [help, table, ...byFormat] = await Promise.all([
      packagesLoaded(['callers', '--help']),
      packagesLoaded(['callers', file, '-f', 'table', '--min-calls', '1', '-q']),
      ...formats.map((format) => packagesLoaded(['callers', file, '-f', format, '--min-calls', '1', '-q'])),
    ]);
    expect(help).toEqual(['commander']);
    for (const [i, loaded] of byFormat.entries()) {
      const format = formats[i]!;
      expect(loaded, format).toContain('pino');
      for (const heavy of ['chalk', 'cli-table3', 'cli-progress', 'pino-pretty', 'ws', 'https-proxy-agent']) expect(loaded, format).not.toContain(heavy);
      expect(loaded.filter((p) => p.startsWith('@nats-io/')), format).toEqual([]);
    }
    expect(table).toContain('cli-table3');
    expect(table).not.toContain('cli-progress');
  });
});

/** The same, for a run that needs a server of this process to answer: spawned without blocking. */
function packagesLoadedAsync(args: string[], options: { cwd?: string } = {}): Promise<{ status: number | null; stderr: string; loaded: string[] }> {
  const log = path.join(tmpdir(), 'loaded-async.txt');
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', RECORDER, ...args], { env: cleanEnv({ REXI_LOAD_LOG: log }), cwd: options.cwd });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.resume();
    const limit = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.on('close', (status) => {
      clearTimeout(limit);
      const urls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      const loaded = [...new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p): p is string => p !== undefined))].sort();
      resolve({ status, stderr, loaded });
    });
  });
}

describe('the NATS client is loaded only by a run that names a NATS URL', () => {
  let bare: BareServer | undefined;
  afterEach(async () => {
    await bare?.close();
    bare = undefined;
  });
  const nats = (loaded: string[]): string[] => loaded.filter((p) => p.startsWith('@nats-io/'));

  it('a tail of the service and the library on a ws:// URL load none; a --publish run does', async () => {
    bare = await startBareServer((ws) => ws.send(call(1)));
    const script = `import('rexi-live').then(async ({ liveCalls }) => { for await (const c of liveCalls({ url: ${JSON.stringify(bare.url)}, apiKey: 'k' })) break; })`;
    // Independent runs: all at once.
    const [tail, piped, board, lib, publish] = await Promise.all([
      packagesLoadedAsync([BIN, '--url', bare.url, '-n', '1', '-q']),
      packagesLoadedAsync([BIN, 'top', '--demo']),
      packagesLoadedAsync(['-e', "import('./dist/render/top/board.js')"], { cwd: ROOT }),
      packagesLoadedAsync(['-e', script], { cwd: ROOT }),
      packagesLoadedAsync([BIN, '--url', bare.url, '--publish', 'nats://127.0.0.1:1', '--no-retry', '-q']),
    ]);
    expect(tail.status, tail.stderr).toBe(0);
    expect(tail.loaded).toContain('ws');
    expect(nats(tail.loaded)).toEqual([]);
    expect(tail.loaded).not.toContain('ink');
    expect(tail.loaded).not.toContain('react');
    // top checks its options and its terminal before loading Ink: a pipe is refused without it.
    expect(piped.status).toBe(2);
    expect(piped.stderr).toMatch(/tail -f ndjson/);
    expect(piped.loaded).not.toContain('ink');
    // The check itself works: the board's module loads ink and react.
    expect(board.status, board.stderr).toBe(0);
    expect(board.loaded).toEqual(expect.arrayContaining(['ink', 'react']));
    expect(tail.loaded).not.toContain('prom-client');

    expect(lib.status, lib.stderr).toBe(0);
    expect(lib.loaded).toContain('ws');
    expect(nats(lib.loaded)).toEqual([]);

    // The check itself works: naming a NATS URL loads the client (the server is not there).
    expect(publish.status).toBe(4);
    expect(nats(publish.loaded)).toContain('@nats-io/transport-node');
  });
});

describe('prom-client is loaded only by a run with --metrics', () => {
  let bare: BareServer | undefined;
  afterEach(async () => {
    await bare?.close();
    bare = undefined;
  });

  it('tail without --metrics loads none of it; with --metrics it does', async () => {
    bare = await startBareServer((ws) => ws.send(call(1)));
    const replay = path.join(tmpdir(), 'one.ndjson');
    fs.writeFileSync(replay, '{"type":"NEW_SCAN","data":{"token_address":"A"}}\n');
    const [plain, replayed, metrics] = await Promise.all([
      packagesLoadedAsync([BIN, '--url', bare.url, '-n', '1', '-q']),
      packagesLoaded(['replay', replay, '-q']),
      // The check itself works.
      packagesLoadedAsync([BIN, '--url', bare.url, '-n', '1', '-q', '--metrics', '0']),
    ]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.loaded).not.toContain('prom-client');
    expect(replayed).not.toContain('prom-client');
    expect(metrics.status, metrics.stderr).toBe(0);
    expect(metrics.loaded).toContain('prom-client');
  });

  it('completion loads commander and nothing else', async () => {
    expect(await packagesLoaded(['completion', 'bash'])).toEqual(['commander']);
  });
});

