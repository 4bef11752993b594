import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, spawnCli } from '../support/cli.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-log-lines-');
afterEach(killAll);

/** stderr into a pipe: every line JSON but the ready lines, which people and scripts wait for. */
function split(stderr: string): { plain: string[]; json: Array<{ msg: string }> } {
  const lines = stderr.split('\n').filter(Boolean);
  return {
    plain: lines.filter((l) => !l.startsWith('{')),
    json: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string }),
  };
}

describe('stderr into a pipe', () => {
  it('demo: "demo feed on ws://..." is one plain line, the rest JSON; the summary names the -o file', async () => {
    const dir = tmpdir();
    const r = await runCli(['demo', '--rate', '50', '-n', '2', '-o', path.join(dir, 'calls-{date}.ndjson')], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    const { plain, json } = split(r.stderr);
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(/^demo feed on ws:\/\/127\.0\.0\.1:\d+\/solana\/monitor\/livecalls\?api_key=\*\*\* \(50 calls\/s\); Ctrl-C to stop$/);
    const [file] = fs.readdirSync(dir);
    expect(file).toMatch(/^calls-\d{4}-\d\d-\d\d\.ndjson$/);
    expect(json.at(-1)!.msg).toMatch(new RegExp(`^received \\d+, output 2, .*written to ${path.join(dir, file!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, up `));
  });

  it('demo -q: no ready line', async () => {
    const r = await runCli(['demo', '--rate', '50', '-n', '1', '-q', '-f', 'ndjson'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('serve: "listening on ws://..." is one plain line, the rest JSON', async () => {
    const child = spawnCli(['serve', '--port', '0', '--seed', '1'], { timeoutMs: 15_000 });
    await child.waitFor(/synthetic feed/);
    child.proc.kill('SIGTERM');
    const r = await child.done;
    const { plain, json } = split(r.stderr);
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(/^listening on ws:\/\/127\.0\.0\.1:\d+\/solana\/monitor\/livecalls$/);
    expect(json.map((j) => j.msg)).toContain('synthetic feed at 2 calls/s, seed 1 (--seed 1 repeats it)');
  });
});
