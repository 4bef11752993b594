import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-lazy-');
const RECORDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/load-recorder.mjs');

/** The packages a run of the CLI loaded (node_modules names), besides our own dist/ files. */
function packagesLoaded(args: string[]): string[] {
  const log = path.join(tmpdir(), 'loaded.txt');
  const r = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], { env: cleanEnv({ REXI_LOAD_LOG: log }), encoding: 'utf8', timeout: 10_000 });
  expect(r.status, r.stderr).toBe(0);
  const urls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return [...new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p): p is string => p !== undefined))].sort();
}

describe('heavy modules are loaded only when used', () => {
  it('--version and --help load commander and nothing else', () => {
    expect(packagesLoaded(['--version'])).toEqual(['commander']);
    expect(packagesLoaded(['--help'])).toEqual(['commander']);
    expect(packagesLoaded(['tail', '--help'])).toEqual(['commander']);
  });

  it('an ndjson replay loads no colour, table, pretty-log, socket or NATS module', () => {
    const file = path.join(tmpdir(), 'one.ndjson');
    fs.writeFileSync(file, '{"type":"NEW_SCAN","data":{"token_address":"A"}}\n');
    const loaded = packagesLoaded(['replay', file, '-f', 'ndjson', '-q']);
    expect(loaded).toContain('pino');
    for (const heavy of ['chalk', 'cli-table3', 'pino-pretty', 'ws', 'https-proxy-agent']) expect(loaded).not.toContain(heavy);
    expect(loaded.filter((p) => p.startsWith('@nats-io/'))).toEqual([]);
  });
});
