import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { OPTIONS, type OptionDef } from '../../src/config/option-table.js';
import { itWith, SYSTEMD_ANALYZE } from '../support/tools.js';
import { tmpdirs } from '../support/tmp.js';

const UNIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/rexi-live.service');
const tmpdir = tmpdirs('rexi-unit-');
const text = fs.readFileSync(UNIT, 'utf8');

/** `Key=value` lines of the unit (comments out, continuation lines joined). */
function settings(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

describe('examples/rexi-live.service', () => {
  it('restarts on a failure but not on a usage error or a rejected key, stops by SIGTERM, keeps the key out of the unit', () => {
    const s = settings();
    expect(s.get('Restart')).toBe('on-failure');
    expect(s.get('RestartPreventExitStatus')).toBe('2 3');
    expect(s.get('KillSignal')).toBe('SIGTERM');
    expect(s.get('LoadCredential')).toMatch(/^rexi-api-key:\/etc\/rexi-live\/api-key$/);
    expect(s.get('StateDirectory')).toBe('rexi-live');
    const exec = s.get('ExecStart')!;
    expect(exec).toContain('--api-key-file %d/rexi-api-key');
    expect(exec).toContain('--state %S/rexi-live/');
    expect(exec).toMatch(/ tail .*--publish nats:\/\//);
    expect(exec).not.toMatch(/--api-key /);
  });

  it('every flag of its ExecStart is one tail has', () => {
    const tailFlags = new Set((Object.values(OPTIONS) as OptionDef[]).filter((d) => d.commands.includes('tail')).map((d) => /--[a-z0-9-]+/.exec(d.flags)![0]));
    const used = [...settings().get('ExecStart')!.matchAll(/\s(--[a-z0-9-]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(4);
    for (const flag of used) expect(tailFlags, flag).toContain(flag);
  });

  itWith(SYSTEMD_ANALYZE, 'systemd-analyze verify finds nothing to say', () => {
    // verify wants the program to exist: the built CLI stands in for the installed one.
    const unit = path.join(tmpdir(), 'rexi-live.service');
    fs.writeFileSync(unit, text.replace('/usr/local/bin/rexi-live', BIN));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    // It exits 0 on an unknown key or a bad value too, saying so on stderr.
    expect(r.stderr.split('\n').filter((l) => l.includes('rexi-live.service'))).toEqual([]);
    const bad = path.join(tmpdir(), 'bad.service');
    fs.writeFileSync(bad, text.replace('/usr/local/bin/rexi-live', BIN).replace('Restart=on-failure', 'Restart=onfailure'));
    expect(spawnSync('systemd-analyze', ['verify', '--man=no', bad], { encoding: 'utf8', timeout: 20_000 }).stderr).toMatch(/restart specifier/);
  });
});
