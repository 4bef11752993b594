import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };

describe('package.json scripts keep an install quiet', () => {
  it('has no install-time script: npm 11 warns about them (prepare too, for git and file installs)', () => {
    // `npm install git+https://...rexi-live` listed `rexi-live (prepare: npm run build)` under
    // "npm warn install-scripts ... not yet covered by allowScripts"; npm 12 blocks them.
    for (const name of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[name], name).toBeUndefined();
  });

  it('builds dist/ where it is needed: when packing (npm pack, publish, a git dependency) and before the first npm start', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.scripts.prestart).toMatch(/dist\/cli\/main\.js.*\|\| npm run build$/);
    expect(pkg.scripts.test).toMatch(/^npm run build && /);
    expect(pkg.files).toContain('dist');
  });
});

describe('bin/rexi-live.js in a checkout never built', () => {
  it('says what to run, in one line, instead of a stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rexi-nodist-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.copyFileSync(path.join(ROOT, 'bin/rexi-live.js'), path.join(dir, 'bin/rexi-live.js'));
      const r = spawnSync(process.execPath, [path.join(dir, 'bin/rexi-live.js'), '--version'], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`rexi-live: error: not built yet: run 'npm run build' in ${dir}/\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
