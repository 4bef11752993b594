import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { commandsOf, completionScript, flagsOf, type CommandInfo } from '../../src/cli/completion.js';
import { choicesOf, COMMANDS, OPTIONS, type OptionDef } from '../../src/config/option-table.js';
import { BASH, FISH, itWith, ZSH } from '../support/tools.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-completion-', { until: 'all' });

let commands: CommandInfo[];
let dir: string;
const scripts: Record<string, string> = {};

beforeAll(() => {
  const program = buildProgram('0.0.0', { env: {}, stdoutIsTTY: false, stderrIsTTY: false, homedir: '/nonexistent' }, () => undefined);
  commands = commandsOf(program);
  dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'capture.ndjson'), '');
  fs.writeFileSync(path.join(dir, 'cert.pem'), '');
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    scripts[shell] = path.join(dir, `rexi-live.${shell}`);
    fs.writeFileSync(scripts[shell], completionScript(shell, commands));
  }
});

const entries = Object.values(OPTIONS) as OptionDef[];
const longOf = (d: OptionDef): string => /--[a-z0-9-]+/.exec(d.flags)![0];
const shortOf = (d: OptionDef): string | undefined => /^-[a-zA-Z](?=,)/.exec(d.flags)?.[0];
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** What bash's completion function offers for the command line `words`, the last being completed. */
function bashComplete(words: string[]): string[] {
  const script = `source ${quote(scripts.bash!)}; COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; _rexi_live; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', cwd: dir, timeout: 10_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('the completion scripts are written from the option table', () => {
  it('every table entry is in every script, under each of its commands', () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const text = fs.readFileSync(scripts[shell]!, 'utf8');
      for (const d of entries) {
        const long = longOf(d);
        expect(text, `${shell}: ${long}`).toContain(shell === 'fish' ? `-l ${long.slice(2)}` : long);
        for (const value of d.commands.flatMap((c) => choicesOf(d, c) ?? d.complete ?? [])) expect(text, `${shell}: ${long} ${value}`).toContain(value);
      }
      for (const c of commands) expect(text, `${shell}: ${c.name}`).toContain(c.name);
    }
  });

  it('flagsOf() follows the table: a flag is offered for exactly the commands that have it', () => {
    for (const c of COMMANDS) {
      const offered = flagsOf(c).map((f) => f.long);
      expect(offered).toEqual([...entries.filter((d) => d.commands.includes(c)).map(longOf), '--help']);
    }
  });
});

describe('bash, driving the completion function', () => {
  itWith(BASH, 'offers every flag of each command, and tail\'s with no command (the default)', () => {
    for (const c of COMMANDS) {
      const want = [...entries.filter((d) => d.commands.includes(c)).flatMap((d) => [longOf(d), shortOf(d)].filter((x): x is string => x !== undefined)), '-h', '--help'].sort();
      expect(bashComplete(['rexi-live', c, '-']), c).toEqual(want);
    }
    const tail = bashComplete(['rexi-live', 'tail', '--']);
    expect(bashComplete(['rexi-live', '--'])).toEqual([...tail, '--version'].sort());
    expect(bashComplete(['rexi-live', '--form'])).toEqual(['--format']);
  });

  itWith(BASH, 'offers the commands, the shells of completion, and the values of choice flags', () => {
    expect(bashComplete(['rexi-live', ''])).toEqual(commands.map((c) => c.name).sort());
    expect(bashComplete(['rexi-live', 're'])).toEqual(['replay']);
    expect(bashComplete(['rexi-live', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
    for (const d of entries) {
      const command = d.commands[0]!;
      const values = choicesOf(d, command) ?? d.complete;
      if (values === undefined) continue;
      expect(bashComplete(['rexi-live', command, longOf(d), '']), longOf(d)).toEqual([...values].sort());
    }
    // The named ones of the SPEC, with short flags and --flag=value.
    expect(bashComplete(['rexi-live', '-f', 'nd'])).toEqual(['ndjson']);
    expect(bashComplete(['rexi-live', '--format', '=', 't'])).toEqual(['table']);
    expect(bashComplete(['rexi-live', '--auth', ''])).toEqual(['bearer', 'header', 'query']);
    expect(bashComplete(['rexi-live', '--dedupe', 'c'])).toEqual(['call', 'caller']);
    expect(bashComplete(['rexi-live', '--color', ''])).toEqual(['always', 'auto', 'never']);
  });

  itWith(BASH, 'completes files where a flag takes a <path> or <file>, and replay\'s argument; nothing after a free-form flag', () => {
    const fileFlags = entries.filter((d) => /<(path|file)>/.test(d.flags));
    expect(fileFlags.length).toBeGreaterThan(5);
    for (const d of fileFlags) {
      expect(bashComplete(['rexi-live', d.commands[0]!, longOf(d), 'cap']), longOf(d)).toEqual(['capture.ndjson']);
    }
    expect(bashComplete(['rexi-live', '-o', 'ce'])).toEqual(['cert.pem']);
    expect(bashComplete(['rexi-live', 'replay', 'cap'])).toEqual(['capture.ndjson']);
    // callers reads captures too, as many as given.
    expect(bashComplete(['rexi-live', 'callers', 'cap'])).toEqual(['capture.ndjson']);
    expect(bashComplete(['rexi-live', 'callers', 'capture.ndjson', 'ce'])).toEqual(['cert.pem']);
    expect(bashComplete(['rexi-live', '--url', ''])).toEqual([]);
    expect(bashComplete(['rexi-live', 'serve', '--port', ''])).toEqual([]);
  });
});

describe('zsh and fish', () => {
  itWith(ZSH, 'zsh: the script parses and registers _rexi_live for rexi-live', () => {
    const r = spawnSync('zsh', ['-fc', `autoload -U compinit && compinit -u -D && source ${quote(scripts.zsh!)} && print -r -- $_comps[rexi-live]`], { encoding: 'utf8', cwd: dir, timeout: 10_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_rexi_live');
  });

  itWith(FISH, 'fish: complete -C offers flags, choice values and commands', () => {
    const complete = (line: string): string[] => {
      const r = spawnSync('fish', ['--no-config', '-c', `source ${quote(scripts.fish!)}; complete -C ${quote(line)}`], { encoding: 'utf8', cwd: dir, timeout: 10_000 });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    };
    expect(complete('rexi-live --form')).toContain('--format');
    expect(complete('rexi-live --format ').sort()).toEqual(['lines', 'ndjson', 'table']);
    expect(complete('rexi-live serve --dro')).toEqual(['--drop-every']);
    expect(complete('rexi-live comp')).toEqual(['completion']);
    expect(complete('rexi-live --output cap')).toEqual(['capture.ndjson']);
  });
});
