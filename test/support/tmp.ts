import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';

/**
 * A tmpdir() for the calling test file; every directory it made is removed after each test, or
 * after the file's last test with `{ until: 'all' }` (for fixtures made in beforeAll).
 */
export function tmpdirs(prefix: string, options: { until?: 'each' | 'all' } = {}): () => string {
  const dirs: string[] = [];
  (options.until === 'all' ? afterAll : afterEach)(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
