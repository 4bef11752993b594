import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpdirs } from '../support/tmp.js';
import { userError } from '../support/errors.js';
import { checkOutputTemplate, fileOutput, nextRotation, outputPath } from '../../src/outputs/file.js';

const tmpdir = tmpdirs('rexi-file-');

/** An output on a clock the test sets, so rotation needs no waiting. */
function clocked(template: string, start: string) {
  let t = at(start);
  const output = fileOutput(template, () => t);
  return { output, write: (text: string, when: string) => ((t = at(when)), output.write([], text)) };
}

const at = (iso: string): number => Date.parse(iso);

describe('checkOutputTemplate', () => {
  it('refuses any {word} but {date} and {hour}, naming it and the ones that exist', () => {
    const err = userError(() => checkOutputTemplate('calls-{day}.ndjson', '--output'));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toContain('{day}');
    expect(err.message).toMatch(/\{date\}.*\{hour\}/);
    expect(err.message).toMatch(/^--output: /);
    expect(userError(() => checkOutputTemplate('x-{date}-{HOUR}.gz', 'output in c.json')).message).toContain('{HOUR}');
    expect(userError(() => checkOutputTemplate('x-{}.ndjson', '--output')).message).toContain('{}');
  });

  it('passes {date}, {hour} and names without placeholders', () => {
    for (const ok of ['calls.ndjson', 'calls-{date}.ndjson', 'calls-{date}T{hour}.ndjson.gz', 'odd{name.ndjson', 'odd}name']) {
      expect(() => checkOutputTemplate(ok, '--output')).not.toThrow();
    }
  });
});

describe('outputPath and nextRotation', () => {
  it('{date} is the UTC day, {hour} the UTC hour', () => {
    expect(outputPath('calls-{date}.ndjson', at('2026-11-25T23:59:59.999Z'))).toBe('calls-2026-11-25.ndjson');
    expect(outputPath('calls-{date}T{hour}.ndjson', at('2026-11-26T00:00:00.000Z'))).toBe('calls-2026-11-26T00.ndjson');
    expect(outputPath('plain.ndjson', 0)).toBe('plain.ndjson');
  });

  it('the next boundary is the next UTC day or hour, or never', () => {
    expect(nextRotation('x-{date}', at('2026-11-25T13:10:00Z'))).toBe(at('2026-11-26T00:00:00Z'));
    expect(nextRotation('x-{date}-{hour}', at('2026-11-25T13:10:00Z'))).toBe(at('2026-11-25T14:00:00Z'));
    expect(nextRotation('x', 0)).toBe(Infinity);
  });
});

describe('fileOutput', () => {
  it('rotates across a UTC day boundary between writes: every line whole, in the file of its time', async () => {
    const dir = tmpdir();
    const template = path.join(dir, 'calls-{date}.ndjson');
    const { output: sink, write } = clocked(template, '2026-11-25T23:59:58Z');
    write('{"n":1}\n{"n":2}\n', '2026-11-25T23:59:59.000Z');
    write('{"n":3}\n', '2026-11-25T23:59:59.999Z');
    write('{"n":4}\n', '2026-11-26T00:00:00.000Z');
    write('{"n":5}\n', '2026-11-26T00:00:01.000Z');
    await sink.close();
    expect(sink.error).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'calls-2026-11-25.ndjson'), 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(fs.readFileSync(path.join(dir, 'calls-2026-11-26.ndjson'), 'utf8')).toBe('{"n":4}\n{"n":5}\n');
    // The summary says where the lines went.
    expect(sink.summary?.()).toBe(`written to ${path.join(dir, 'calls-2026-11-25.ndjson')} and 1 more, the last ${path.join(dir, 'calls-2026-11-26.ndjson')}`);
  });

  it("names the file it wrote in the summary", async () => {
    const dir = tmpdir();
    const { output: sink, write } = clocked(path.join(dir, 'calls-{date}.ndjson'), '2026-12-06T10:00:00Z');
    write('{"n":1}\n', '2026-12-06T10:00:01Z');
    await sink.close();
    expect(sink.summary?.()).toBe(`written to ${path.join(dir, 'calls-2026-12-06.ndjson')}`);
  });

  it('rotates hourly with {hour}, and appends to a file that exists (never truncates a capture)', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'c-2026-11-25-13.ndjson'), '{"old":true}\n');
    const { output: sink, write } = clocked(path.join(dir, 'c-{date}-{hour}.ndjson'), '2026-11-25T13:59:00Z');
    write('{"n":1}\n', '2026-11-25T13:59:59Z');
    write('{"n":2}\n', '2026-11-25T14:00:00Z');
    await sink.close();
    expect(fs.readFileSync(path.join(dir, 'c-2026-11-25-13.ndjson'), 'utf8')).toBe('{"old":true}\n{"n":1}\n');
    expect(fs.readFileSync(path.join(dir, 'c-2026-11-25-14.ndjson'), 'utf8')).toBe('{"n":2}\n');
  });

  it('a file that cannot be opened is an output error (exit 5), at start or at a rotation', async () => {
    expect(userError(() => fileOutput('/nonexistent-dir/x.ndjson')).code).toBe('REXI_OUTPUT');
    // Rotation into a day whose directory does not exist: the error surfaces, nothing throws.
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'd-2026-11-25'));
    const { output: sink, write } = clocked(path.join(dir, 'd-{date}', 'x.ndjson'), '2026-11-25T23:00:00Z');
    write('{"n":1}\n', '2026-11-25T23:59:59Z');
    expect(sink.error).toBeUndefined();
    write('{"n":2}\n', '2026-11-26T00:00:01Z');
    expect(sink.error?.code).toBe('REXI_OUTPUT');
    expect(sink.error?.message).toMatch(/--output: cannot open .*d-2026-11-26/);
    await sink.close();
    expect(fs.readFileSync(path.join(dir, 'd-2026-11-25', 'x.ndjson'), 'utf8')).toBe('{"n":1}\n');
  });
});
