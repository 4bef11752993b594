/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area (rexi-live's
 * own code, ws, other packages, node internals, GC), for `npm run bench -- --profile`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export async function summariseProfile(file, root, top = 20) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; charge the gap after it (the next delta) to it.
    const dt = timeDeltas[i + 1] ?? 0;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
    total += dt;
  }
  const functions = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    const cf = node.callFrame;
    const where = location(cf, root);
    const name = `${cf.functionName || '(anonymous)'} ${where}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(cf, root);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
  return { file, totalMs: total / 1000, functions: rank(functions).slice(0, top), areas: rank(areas) };
}

function location(cf, root) {
  if (!cf.url) return cf.functionName.startsWith('(') ? '' : '[native]';
  let url = cf.url.replace(/^file:\/\//, '');
  if (url.startsWith(root)) url = path.relative(root, url);
  return `${url}:${cf.lineNumber + 1}`;
}

function areaOf(cf, root) {
  const fn = cf.functionName;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return '(program: native, outside JS)';
  const url = cf.url.replace(/^file:\/\//, '');
  if (!url) return 'native / builtins';
  if (url.startsWith('node:')) return 'node internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return `package ${m[1]}`;
  if (url.startsWith(root)) {
    const rel = path.relative(root, url);
    return `rexi-live ${rel.replace(/^dist\//, 'dist/')}`;
  }
  return url;
}

export function formatProfile(summary) {
  const lines = [];
  const pct = (x) => `${(x * 100).toFixed(1).padStart(5)}%`;
  lines.push(`profile ${summary.file} (${summary.totalMs.toFixed(0)} ms sampled)`);
  lines.push('self time by area:');
  for (const a of summary.areas.slice(0, 15)) lines.push(`  ${pct(a.share)} ${a.ms.toFixed(0).padStart(6)} ms  ${a.name}`);
  lines.push('top functions by self time:');
  for (const f of summary.functions) lines.push(`  ${pct(f.share)} ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`);
  return lines.join('\n');
}
