import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchCallerFile } from '../../src/cli/caller-file-watch.js';
import { CallerList } from '../../src/stages/filter.js';
import type { Logger } from '../../src/log.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-caller-watch-');
const POLL_MS = 20;

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) } as unknown as Logger;
  return { logger, lines };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Written whole at once (a rename), so no look can see it half written. */
function put(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('following a caller file', () => {
  it('a change: the new list, one info line; a bad file keeps the last list with one warning; back again: info', async () => {
    const file = path.join(tmpdir(), 'callers.txt');
    fs.writeFileSync(file, 'alpha\n');
    const list = new CallerList(['alpha']);
    const { logger, lines } = recorder();
    stop = watchCallerFile({ path: file, source: '--caller-file', list }, logger, POLL_MS);

    put(file, '# top 3\nbeta\ngamma\nDelta\n');
    await until(() => lines.length === 1, 'the info line');
    expect(lines).toEqual(['info caller file: 3 callers']);
    expect([...list.set].sort()).toEqual(['beta', 'delta', 'gamma']);

    // The same list written again (a cron job with nothing new): nothing to say.
    put(file, 'beta\ngamma\ndelta\n');
    await new Promise((r) => setTimeout(r, POLL_MS * 6));
    expect(lines).toHaveLength(1);

    put(file, '\n# nobody\n');
    await until(() => lines.length === 2, 'the warning');
    expect(lines[1]).toBe(`warn --caller-file: '${file}' names no callers; keeping the last list (3 callers)`);
    fs.rmSync(file);
    await until(() => lines.length === 3, 'the second warning');
    expect(lines[2]).toMatch(/^warn --caller-file: cannot read '.*': ENOENT: no such file or directory; keeping the last list \(3 callers\)$/);
    // Still gone at the next looks: no more lines.
    await new Promise((r) => setTimeout(r, POLL_MS * 6));
    expect(lines).toHaveLength(3);
    expect(list.size).toBe(3);

    // Back, by a rename as an atomic writer does it.
    put(file, 'omega\n');
    await until(() => lines.length === 4, 'the info line after the rename');
    expect(lines[3]).toBe('info caller file: 1 caller');
    expect([...list.set]).toEqual(['omega']);
  });

  it('stopped: no more looks', async () => {
    const file = path.join(tmpdir(), 'callers.txt');
    fs.writeFileSync(file, 'alpha\n');
    const list = new CallerList(['alpha']);
    const { logger, lines } = recorder();
    watchCallerFile({ path: file, source: '--caller-file', list }, logger, POLL_MS)();
    fs.writeFileSync(file, 'beta\n');
    await new Promise((r) => setTimeout(r, POLL_MS * 6));
    expect(lines).toEqual([]);
    expect([...list.set]).toEqual(['alpha']);
  });
});
