import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';
import { call, startBareServer, type BareServer } from '../support/ws-server.js';
import { spawn } from 'node:child_process';

/**
 * The NATS client is loaded only by a run that names a NATS URL: --version, --help, a tail of the
 * service, a replay of a file and the library on a ws:// URL run with any @nats-io import failing.
 */

const HOOK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/no-nats/register.mjs');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = { NODE_OPTIONS: `--import ${HOOK}` };
const tmpdir = tmpdirs('rexi-lazy-');

let bare: BareServer | undefined;
afterEach(async () => {
  await killAll();
  await bare?.close();
  bare = undefined;
});

describe('the NATS client is loaded lazily', () => {
  it('--version, --help, a ws tail and a file replay load no @nats-io module', async () => {
    bare = await startBareServer((ws) => ws.send(call(1)));
    const file = path.join(tmpdir(), 'c.ndjson');
    fs.writeFileSync(file, `${call(2)}\n`);
    const runs = await Promise.all([
      runCli(['--version'], { env }),
      runCli(['tail', '--help'], { env }),
      runCli(['--url', bare.url, '-n', '1'], { env }),
      runCli(['replay', file], { env }),
    ]);
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/@nats-io/);
      expect(r.code).toBe(0);
    }
    expect(runs[2]!.stdout).toContain('"seq":1');
  });

  it('the library on a ws:// URL loads none either; a NATS URL does (the check works)', async () => {
    bare = await startBareServer((ws) => ws.send(call(3)));
    const script = `import('rexi-live').then(async ({ liveCalls }) => { for await (const c of liveCalls({ url: ${JSON.stringify(bare!.url)}, apiKey: 'k' })) { console.log(c.tokenAddress); break; } })`;
    const lib = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const limit = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.on('close', (code) => {
        clearTimeout(limit);
        resolve({ code, stdout, stderr });
      });
    });
    expect(lib.stderr).toBe('');
    expect(lib.code).toBe(0);
    expect(lib.stdout.trim()).not.toBe('');
    const nats = await runCli(['demo', '--publish', 'nats://127.0.0.1:1', '--no-retry'], { env });
    expect(nats.code).toBe(1);
    expect(nats.stderr).toMatch(/loaded @nats-io\//);
  });
});
