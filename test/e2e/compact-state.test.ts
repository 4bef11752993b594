import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, ndjsonLines, runCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';

/**
 * The dedupe store's promises through the built CLI, on replays of generated captures: recency
 * across a batch, and a key remembered only once its line was written.
 */

const tmpdir = tmpdirs('rexi-compact-state-');
afterEach(() => killAll());

const AT = '2026-12-01T07:40:00.000Z';
const line = (token: string, name = 'alice'): string => `{"type":"NEW_SCAN","data":{"token_address":"${token}","caller":{"platform":"telegram","name":"${name}"}},"received_at":"${AT}"}`;

type Call = { data: { token_address: string } };

describe('--dedupe token --state-max', () => {
  it('a token seen again every 500 tokens is never forgotten with --state-max 1000, whatever the replay batch', async () => {
    const lines = [line('t0')];
    for (let i = 1; i <= 200_000; i++) {
      lines.push(line('t' + i));
      if (i % 500 === 0) lines.push(line('t0'));
    }
    const file = path.join(tmpdir(), 'capture.ndjson');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = await runCli(['replay', file, '-f', 'ndjson', '--dedupe', 'token', '--state-max', '1000'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const calls = ndjsonLines(r.stdout) as Call[];
    expect(calls.filter((c) => c.data.token_address === 't0')).toHaveLength(1);
    expect(calls).toHaveLength(200_001);
  }, 90_000);
});

describe('--state and a failed output', () => {
  it('a run whose output write fails (exit 5) saves no key of the call it could not write', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'one.ndjson');
    fs.writeFileSync(file, line('TokA') + '\n');
    const state = path.join(dir, 'state.json');
    const failed = await runCli(['replay', file, '-f', 'ndjson', '--first-call', '--state', state, '-o', '/dev/full']);
    expect(failed.code).toBe(5);
    expect(failed.stderr).toMatch(/cannot write '\/dev\/full'/);
    const next = await runCli(['replay', file, '-f', 'ndjson', '--first-call', '--state', state]);
    expect(next.code).toBe(0);
    expect((ndjsonLines(next.stdout) as Call[]).map((c) => c.data.token_address)).toEqual(['TokA']);
    // A run that wrote it remembers it.
    const again = await runCli(['replay', file, '-f', 'ndjson', '--first-call', '--state', state]);
    expect(again.stdout).toBe('');
  });
});
