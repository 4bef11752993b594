import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
