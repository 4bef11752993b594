import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli } from '../support/cli.js';

afterEach(killAll);

/** One line on stderr in the tool's own style, exit 2, nothing on stdout. */
async function usage(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('stray words get one line that says what was meant', () => {
  it('a mistyped command', async () => {
    expect(await usage(['tial'])).toBe("rexi-live: error: unknown command 'tial' (did you mean tail?)");
  });

  it('a duration written as two words, for tail and demo', async () => {
    expect(await usage(['--duration', '10', 'minutes'])).toBe("rexi-live: error: unexpected argument 'minutes' (--duration takes one value, e.g. 10m)");
    expect(await usage(['demo', '--duration', '10', 'minutes'])).toBe("rexi-live: error: unexpected argument 'minutes' (--duration takes one value, e.g. 10m)");
  });

  it('an unknown placeholder in -o, and no file is created', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rexi-usage-'));
    try {
      const line = await usage(['demo', '-o', path.join(dir, 'calls-{day}.ndjson')]);
      expect(line).toMatch(/^rexi-live: error: --output: unknown placeholder \{day\} .*\{date\}.*\{hour\}/);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second file for replay', async () => {
    expect(await usage(['replay', 'a.ndjson', 'b.ndjson'])).toBe("rexi-live: error: unexpected argument 'b.ndjson' (replay takes one argument: a file, - or a nats:// URL)");
  });
});
