import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RexiLiveError } from '../../src/errors.js';
import { captureInput, openCaptureFile } from '../../src/sources/capture-input.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-capture-input-');

/** Everything a capture input yields, as text. */
async function read(chunks: Buffer[]): Promise<string> {
  const input = captureInput(Readable.from(chunks, { objectMode: false }), 'test');
  const out: Buffer[] = [];
  for await (const chunk of input.bytes) out.push(chunk);
  return Buffer.concat(out).toString('utf8');
}

/** One byte per read, as a slow pipe may deliver them. */
const bytewise = (buf: Buffer): Buffer[] => Array.from(buf, (b) => Buffer.from([b]));

const TEXT = '{"type":"NEW_SCAN","data":{"token_address":"A"}}\n{"type":"NEW_SCAN","data":{"token_address":"B"}}\n';

describe('captureInput: plain or gzip, by the first two bytes', () => {
  it('passes plain text through as it is, however it is cut', async () => {
    expect(await read([Buffer.from(TEXT)])).toBe(TEXT);
    expect(await read(bytewise(Buffer.from(TEXT)))).toBe(TEXT);
    expect(await read([Buffer.from('x')])).toBe('x');
    expect(await read([])).toBe('');
  });

  it('decompresses gzip, however it is cut', async () => {
    const gz = zlib.gzipSync(TEXT);
    expect(await read([gz])).toBe(TEXT);
    expect(await read(bytewise(gz))).toBe(TEXT);
  });

  it('reads several members one after another (appending to a .gz) as one capture', async () => {
    const gz = Buffer.concat([zlib.gzipSync('one\n'), zlib.gzipSync('two\n'), zlib.gzipSync('three\n')]);
    expect(await read([gz])).toBe('one\ntwo\nthree\n');
  });

  it('reads a gzip stream cut short (still being written, or left by a crash) up to where it stops', async () => {
    const gzip = zlib.createGzip();
    const out: Buffer[] = [];
    gzip.on('data', (d: Buffer) => out.push(d));
    gzip.write('first\n');
    await new Promise<void>((resolve) => gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    gzip.destroy();
    expect(await read([Buffer.concat(out)])).toBe('first\n');
  });

  it('damaged gzip data is a usage error that names the input', async () => {
    const gz = zlib.gzipSync(TEXT);
    gz[12] = gz[12]! ^ 0xff;
    gz[13] = gz[13]! ^ 0xff;
    const err = await read([gz]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RexiLiveError);
    expect((err as RexiLiveError).code).toBe('REXI_BAD_OPTION');
    expect((err as RexiLiveError).message).toMatch(/^test: damaged gzip data/);
  });
});

describe('openCaptureFile', () => {
  it('reads a plain file and a gzip file alike', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'plain.ndjson'), TEXT);
    fs.writeFileSync(path.join(dir, 'packed.ndjson.gz'), zlib.gzipSync(TEXT));
    // A .gz name is not what decides: the bytes are.
    fs.writeFileSync(path.join(dir, 'misnamed.ndjson'), zlib.gzipSync(TEXT));
    for (const name of ['plain.ndjson', 'packed.ndjson.gz', 'misnamed.ndjson']) {
      const input = openCaptureFile(path.join(dir, name), 'replay');
      const out: Buffer[] = [];
      for await (const chunk of input.bytes) out.push(chunk);
      input.close();
      expect(Buffer.concat(out).toString(), name).toBe(TEXT);
    }
  });

  it('refuses a directory and a missing file with usage errors naming the path', () => {
    const dir = tmpdir();
    expect(() => openCaptureFile(dir, '--replay')).toThrow(`--replay: '${dir}' is a directory, not a capture file`);
    const missing = path.join(dir, 'nope.ndjson');
    expect(() => openCaptureFile(missing, 'replay')).toThrow(`replay: cannot read '${missing}': ENOENT: no such file or directory`);
  });
});
