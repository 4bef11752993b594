import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileOutput } from '../../src/outputs/file.js';
import { OutputFile } from '../../src/outputs/open-file.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-output-file-');

const at = (iso: string): number => Date.parse(iso);
/** What a reader of a gzip file cut short gets: everything up to where it stops, no error. */
const gunzipPartial = (buf: Buffer): string => zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString();

describe('OutputFile with a .gz name', () => {
  it('writes one complete gzip member; appending to the file adds another, and both read back', async () => {
    const file = path.join(tmpdir(), 'calls.ndjson.gz');
    const first = OutputFile.open(file);
    first.write('{"n":1}\n{"n":2}\n');
    first.write('{"n":3}\n');
    expect(await first.finish()).toBeUndefined();
    // Complete: gunzipSync throws on a stream without its trailer.
    expect(zlib.gunzipSync(fs.readFileSync(file)).toString()).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    const second = OutputFile.open(file);
    second.write('{"n":4}\n');
    expect(await second.finish()).toBeUndefined();
    expect(zlib.gunzipSync(fs.readFileSync(file)).toString()).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
  });

  it('an opening that got no line adds nothing to the file', async () => {
    const file = path.join(tmpdir(), 'empty.ndjson.gz');
    expect(await OutputFile.open(file).finish()).toBeUndefined();
    expect(fs.statSync(file).size).toBe(0);
  });

  it('while it is open, what is on disk decompresses to whole lines, the last second flushed', async () => {
    const file = path.join(tmpdir(), 'live.ndjson.gz');
    const out = OutputFile.open(file);
    const lines = Array.from({ length: 2000 }, (_, i) => `{"n":${i},"pad":"${'p'.repeat(i % 97)}"}\n`);
    for (let i = 0; i < lines.length; i += 50) out.write(lines.slice(i, i + 50).join(''));
    // The flush comes within a second; wait for it (bounded), then read the file as a copy would.
    for (let i = 0; i < 100 && fs.statSync(file).size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const text = gunzipPartial(fs.readFileSync(file));
    expect(text).toBe(lines.join(''));
    await out.finish();
    expect(zlib.gunzipSync(fs.readFileSync(file)).toString()).toBe(lines.join(''));
  });

  it('a plain name writes plain text', async () => {
    const file = path.join(tmpdir(), 'calls.ndjson');
    const out = OutputFile.open(file);
    out.write('{"n":1}\n');
    await out.finish();
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":1}\n');
  });
});

describe('fileOutput with a .gz template', () => {
  it('rotation leaves each file a complete gzip stream of its own lines', async () => {
    const dir = tmpdir();
    let now = at('2026-11-25T23:59:58Z');
    const sink = fileOutput(path.join(dir, 'calls-{date}.ndjson.gz'), () => now);
    const write = (text: string, when: string): void => ((now = at(when)), sink.write([], text));
    write('{"n":1}\n', '2026-11-25T23:59:59.000Z');
    write('{"n":2}\n', '2026-11-26T00:00:00.000Z');
    write('{"n":3}\n', '2026-11-27T00:00:00.000Z');
    await sink.close();
    expect(sink.error).toBeUndefined();
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'calls-2026-11-25.ndjson.gz'))).toString()).toBe('{"n":1}\n');
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'calls-2026-11-26.ndjson.gz'))).toString()).toBe('{"n":2}\n');
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'calls-2026-11-27.ndjson.gz'))).toString()).toBe('{"n":3}\n');
  });
});
