import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering the README's module map promises, checked on the source itself: a module imports
 * only from its own layer or the layers below, the contracts in pipeline/ know no implementation,
 * src/index.ts only re-exports, and no import circle exists between modules.
 */

const SRC = path.resolve(import.meta.dirname, '../src');

/** Lower numbers are the foundations; a module may import from its own rank or below. */
const RANK: Record<string, number> = {
  '.': 0, // errors.ts, log.ts, choices.ts: shared by every layer
  wire: 0,
  pipeline: 1,
  render: 2,
  stream: 2,
  nats: 2,
  stages: 2,
  outputs: 2,
  sources: 2,
  server: 3,
  config: 4,
  cli: 5,
  library: 5,
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Relative imports, static and dynamic, type-only ones included: a type is a dependency too. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const abs = path.resolve(path.dirname(file), m[1]!);
    const ts = [abs.replace(/\.js$/, '.ts'), abs.replace(/\.js$/, '.tsx')].find((p) => fs.existsSync(p));
    if (ts !== undefined) out.push(ts);
  }
  return out;
}

const folderOf = (file: string): string => {
  const rel = path.relative(SRC, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0]! : '.';
};

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('layering', () => {
  it('every folder has a rank', () => {
    const unranked = [...new Set(files.map(folderOf))].filter((f) => RANK[f] === undefined);
    expect(unranked).toEqual([]);
  });

  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      if (path.relative(SRC, file) === 'index.ts') continue;
      for (const dep of deps) {
        if (RANK[folderOf(dep)]! > RANK[folderOf(file)]!) upward.push(`${path.relative(SRC, file)} → ${path.relative(SRC, dep)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('pipeline/ holds contracts and the pump: it imports only the base layer and itself', () => {
    const bad = [...graph].filter(([f]) => folderOf(f) === 'pipeline').flatMap(([f, deps]) => deps.filter((d) => !['pipeline', 'wire', '.'].includes(folderOf(d))).map((d) => `${path.relative(SRC, f)} → ${path.relative(SRC, d)}`));
    expect(bad).toEqual([]);
  });

  it('src/index.ts only re-exports', () => {
    const code = fs
      .readFileSync(path.join(SRC, 'index.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/export (type )?\{[^}]*\} from '[^']+';/g, '')
      .replace(/export \* (as \w+ )?from '[^']+';/g, '')
      .trim();
    expect(code).toBe('');
  });

  it('cli/ and library/ share the top rank but not code: neither imports the other', () => {
    const across = [...graph].flatMap(([f, deps]) => {
      const from = folderOf(f);
      if (from !== 'cli' && from !== 'library') return [];
      return deps.filter((d) => ['cli', 'library'].includes(folderOf(d)) && folderOf(d) !== from).map((d) => `${path.relative(SRC, f)} → ${path.relative(SRC, d)}`);
    });
    expect(across).toEqual([]);
  });

  it('only cli/ touches process.env, process.argv and the console', () => {
    const bad = files
      .filter((f) => folderOf(f) !== 'cli')
      .filter((f) => /\bprocess\.(?:env|argv)\b|\bconsole\.\w+\(/.test(fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')))
      .map((f) => path.relative(SRC, f));
    expect(bad).toEqual([]);
  });

  it('config/option-table.ts, loaded before anything else, imports only commander and choices.ts', () => {
    const text = fs.readFileSync(path.join(SRC, 'config/option-table.ts'), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
    expect(specifiers.filter((s) => s !== 'commander' && s !== '../choices.js')).toEqual([]);
  });

  it('no import circle between modules', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(f)), f].map((p) => path.relative(SRC, p)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
