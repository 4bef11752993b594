import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { choicesOf, COMMANDS, OPTIONS, type CommandName, type OptionDef } from '../config/option-table.js';

/**
 * `rexi-live completion <shell>`: a completion script written from the option table, so a new flag,
 * its choices or a path it takes complete with no other edit. Static scripts (nothing runs node at
 * each Tab): the well-kept generators that fit commander either call the program back on every
 * keypress (tabtab, omelette) or want a framework of their own, and the table already knows all a
 * script needs. Loads nothing but commander's option table.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** A command as the program declares it: the completion's list of commands and their help. */
export interface CommandInfo {
  name: string;
  description: string;
  /** Its first positional argument takes a file (replay <file>, callers <sources...>). */
  fileArgument?: boolean;
  /** That argument takes several (callers): every position completes files. */
  variadic?: boolean;
}

/** The positional arguments that name captures: replay's `<file|-|nats-url>`, callers' `<sources...>`. */
const FILE_ARGUMENT = /^(?:file|sources)\b/;

/** The program's commands, and commander's own `help`. */
export function commandsOf(program: Command): CommandInfo[] {
  const commands = program.commands.map((c): CommandInfo => {
    const first = c.registeredArguments[0];
    return { name: c.name(), description: c.description(), fileArgument: FILE_ARGUMENT.test(first?.name() ?? ''), variadic: first?.variadic === true };
  });
  if (!commands.some((c) => c.name === 'help')) commands.push({ name: 'help', description: 'show help for a command', fileArgument: false });
  return commands;
}

interface Flag {
  long: string;
  short: string | undefined;
  help: string;
  /** What follows it: nothing, a file, one of a few words, or anything. */
  value: 'none' | 'file' | 'words' | 'any';
  words: readonly string[];
  repeatable: boolean;
}

const FILE_PLACEHOLDER = /<(?:path|file)>/;

function flagOf(d: OptionDef, command: CommandName): Flag {
  const long = /--[a-z0-9-]+/.exec(d.flags)![0];
  const short = /^-([a-zA-Z]),/.exec(d.flags)?.[0].slice(0, 2);
  const words = choicesOf(d, command) ?? d.complete ?? [];
  const takes = /[<[]/.test(d.flags);
  const value = !takes ? 'none' : words.length > 0 ? 'words' : FILE_PLACEHOLDER.test(d.flags) ? 'file' : 'any';
  const help = typeof d.help === 'string' ? d.help : (d.help[command] ?? Object.values(d.help)[0]!);
  return { long, short, help, value, words, repeatable: d.type === 'list' };
}

/** The flags of one command, in the table's order, then help. */
export function flagsOf(command: string): Flag[] {
  const flags: Flag[] = [];
  if ((COMMANDS as readonly string[]).includes(command)) {
    for (const d of Object.values(OPTIONS) as OptionDef[]) if (d.commands.includes(command as CommandName)) flags.push(flagOf(d, command as CommandName));
  }
  flags.push({ long: '--help', short: '-h', help: 'show help', value: 'none', words: [], repeatable: false });
  return flags;
}

/** Every flag of every command once, for the values that follow a flag (the same flag takes the same value everywhere). */
function allFlags(): Flag[] {
  const byLong = new Map<string, Flag>();
  for (const c of COMMANDS) for (const f of flagsOf(c)) if (!byLong.has(f.long)) byLong.set(f.long, f);
  return [...byLong.values()];
}

export function parseShell(value: string): Shell {
  if (!(SHELLS as readonly string[]).includes(value)) throw usageError(`completion: '${value}' is not a shell this supports: ${SHELLS.join(', ')}`);
  return value as Shell;
}

export function completionScript(shell: Shell, commands: readonly CommandInfo[]): string {
  switch (shell) {
    case 'bash':
      return bashScript(commands);
    case 'zsh':
      return zshScript(commands);
    case 'fish':
      return fishScript(commands);
  }
}

const names = (f: Flag): string[] => (f.short !== undefined ? [f.short, f.long] : [f.long]);
/** Shell words that need no quoting: our flags, commands and choices are all of this kind. */
const plain = (s: string): string => {
  if (!/^[A-Za-z0-9_.:/=+-]+$/.test(s)) throw new Error(`completion: '${s}' would need quoting`);
  return s;
};
const singleQuoted = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The words a flag takes, by command where they differ (`-f`: tail's formats, callers' own), as a
 * bash `case` on the command.
 */
function wordsByCommand(flag: Flag, commands: readonly CommandInfo[]): string {
  const reply = (words: readonly string[]): string => `COMPREPLY=($(compgen -W "${words.map(plain).join(' ')}" -- "$cur"))`;
  const own = commands
    .map((c) => ({ name: c.name, words: flagsOf(c.name).find((f) => f.long === flag.long)?.words }))
    .filter((c): c is { name: string; words: readonly string[] } => c.words !== undefined && c.words.join(' ') !== flag.words.join(' '));
  if (own.length === 0) return `      ${reply(flag.words)}`;
  return `      case "$cmd" in\n${own.map((c) => `        ${plain(c.name)}) ${reply(c.words)} ;;`).join('\n')}\n        *) ${reply(flag.words)} ;;\n      esac`;
}

function bashScript(commands: readonly CommandInfo[]): string {
  const flags = allFlags();
  const valueCases = [
    ...flags.filter((f) => f.value === 'words').map((f) => `    ${names(f).join('|')})\n${wordsByCommand(f, commands)}\n      return ;;`),
    `    ${flags.filter((f) => f.value === 'file').flatMap(names).join('|')})\n      compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;`,
    // Anything may follow these: nothing to offer, and not the flags either.
    `    ${flags.filter((f) => f.value === 'any').flatMap(names).join('|')})\n      COMPREPLY=(); return ;;`,
  ];
  const commandFlags = commands.map((c) => `    ${plain(c.name)}) words="${flagsOf(c.name).flatMap(names).join(' ')}" ;;`);
  const fileArgs = commands.filter((c) => c.fileArgument).map((c) => plain(c.name));
  return `# bash completion for rexi-live, written by \`rexi-live completion bash\`
_rexi_live() {
  local cur prev cmd words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --flag=value: bash splits at '='.
  if [[ $cur == = ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; cur=""; elif [[ $prev == = ]]; then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  cmd=tail
  case "\${COMP_WORDS[1]}" in
    ${commands.map((c) => plain(c.name)).join('|')}) (( COMP_CWORD > 1 )) && cmd="\${COMP_WORDS[1]}" ;;
  esac
  case "$prev" in
${valueCases.join('\n')}
  esac
  if (( COMP_CWORD == 1 )) && [[ $cur != -* ]]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => plain(c.name)).join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
    completion) COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")); return ;;
    help) COMPREPLY=($(compgen -W "${commands.map((c) => plain(c.name)).join(' ')}" -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    case "$cmd" in
${commandFlags.join('\n')}
    esac
    (( COMP_CWORD == 1 )) && words="$words -V --version"
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  case "$cmd" in
${fileArgs.length > 0 ? `    ${fileArgs.join('|')}) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;` : ''}
    *) COMPREPLY=() ;;
  esac
}
complete -F _rexi_live rexi-live
`;
}

/** Text inside an _arguments spec's [help] or a _describe entry. */
const zshText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');

function zshSpecs(f: Flag): string[] {
  const exclusive = f.repeatable ? '*' : f.short !== undefined ? `(${f.short} ${f.long})` : '';
  const action = f.value === 'file' ? ':file:_files' : f.value === 'words' ? `:value:(${f.words.map(plain).join(' ')})` : f.value === 'any' ? ':value: ' : '';
  const help = `[${zshText(f.help)}]`;
  const specs = [`${exclusive}${f.long}${f.value === 'none' ? '' : '='}${help}${action}`];
  if (f.short !== undefined) specs.push(`${exclusive}${f.short}${f.value === 'none' ? '' : '+'}${help}${action}`);
  return specs.map(singleQuoted);
}

function zshScript(commands: readonly CommandInfo[]): string {
  // _describe splits name:description at the first colon: the description stays as it is.
  const described = commands.map((c) => singleQuoted(`${plain(c.name)}:${c.description}`));
  const cases = commands.map((c) => {
    const specs = flagsOf(c.name).flatMap(zshSpecs);
    if (c.name === 'completion') specs.push(singleQuoted(`1:shell:(${SHELLS.join(' ')})`));
    else if (c.name === 'help') specs.push(singleQuoted(`1:command:(${commands.map((x) => plain(x.name)).join(' ')})`));
    else if (c.fileArgument) specs.push(singleQuoted(c.variadic ? '*:file:_files' : '1:file:_files'));
    return `    ${plain(c.name)})\n      _arguments -s -S \\\n        ${specs.join(' \\\n        ')}\n      ;;`;
  });
  return `#compdef rexi-live
# zsh completion for rexi-live, written by \`rexi-live completion zsh\`
_rexi_live() {
  local cmd=tail
  local -a commands
  commands=(${described.join(' ')})
  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then
    _describe -t commands 'rexi-live command' commands
    return
  fi
  if (( \${commands[(I)\${words[2]}:*]} )); then
    cmd=$words[2]
    shift words
    (( CURRENT-- ))
  fi
  case $cmd in
${cases.join('\n')}
  esac
}
# Autoloaded from $fpath, or sourced (then compinit must have run).
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _rexi_live "$@"
else
  compdef _rexi_live rexi-live
fi
`;
}

function fishScript(commands: readonly CommandInfo[]): string {
  const all = commands.map((c) => plain(c.name)).join(' ');
  const lines = [
    '# fish completion for rexi-live, written by `rexi-live completion fish`',
    'function __rexi_live_command',
    '    set -l words (commandline -opc)',
    '    set -l cmd tail',
    `    if test (count $words) -ge 2; and contains -- $words[2] ${all}`,
    '        set cmd $words[2]',
    '    end',
    '    test "$cmd" = "$argv[1]"',
    'end',
    'complete -c rexi-live -f',
    "complete -c rexi-live -n '__fish_use_subcommand' -s V -l version -d 'print the version'",
  ];
  for (const c of commands) lines.push(`complete -c rexi-live -n '__fish_use_subcommand' -a ${plain(c.name)} -d ${singleQuoted(c.description)}`);
  for (const c of commands) {
    const when = `-n '__rexi_live_command ${plain(c.name)}'`;
    if (c.name === 'completion') lines.push(`complete -c rexi-live ${when} -a '${SHELLS.join(' ')}'`);
    if (c.name === 'help') lines.push(`complete -c rexi-live ${when} -a '${all}'`);
    if (c.fileArgument) lines.push(`complete -c rexi-live ${when} -F`);
    for (const f of flagsOf(c.name)) {
      const parts = ['complete -c rexi-live', when, `-l ${plain(f.long.slice(2))}`];
      if (f.short !== undefined) parts.push(`-s ${plain(f.short.slice(1))}`);
      if (f.value === 'file') parts.push('-r -F');
      else if (f.value === 'words') parts.push(`-r -f -a '${f.words.map(plain).join(' ')}'`);
      else if (f.value === 'any') parts.push('-r -f');
      parts.push(`-d ${singleQuoted(f.help)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}
