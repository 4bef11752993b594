import fs from 'node:fs';
import { usageError } from '../errors.js';
import { CallerList } from '../stages/filter.js';
import { Settings, type Flags, type LoadedConfig } from './options.js';

/**
 * `--caller-file <path>`: the callers to keep, one name or id a line, as `callers -f ids` writes
 * them. Read once here at start (a file that cannot be used is a usage error, exit 2); a long run
 * then follows its changes (cli/caller-file-watch.ts) through the CallerList the filter reads.
 */

export interface CallerFile {
  path: string;
  /** What named it: `--caller-file` or `callerFile in <config>`. */
  source: string;
  list: CallerList;
}

/** The names and ids in a caller file's text: blank lines and `#` lines are not callers. */
export function parseCallerFile(text: string): string[] {
  const callers: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) callers.push(line);
  }
  return callers;
}

/** A file's callers, or why it cannot be used: a reason, not an exception, for a running reload. */
export type CallerFileRead = { callers: string[] } | { problem: string };

export function readCallerFile(path: string): CallerFileRead {
  let text: string;
  try {
    if (fs.statSync(path).isDirectory()) return { problem: `'${path}' is a directory` };
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    // "ENOENT: no such file or directory", without the path node appends.
    return { problem: `cannot read '${path}': ${(err as Error).message.replace(/, \w+ '.*'$/, '')}` };
  }
  const callers = parseCallerFile(text);
  return callers.length > 0 ? { callers } : { problem: `'${path}' names no callers` };
}

/** The caller file of a run, loaded; undefined when none is set. */
export function resolveCallerFile(flags: Flags, config: LoadedConfig): CallerFile | undefined {
  const setting = new Settings(flags, config).get('callerFile');
  if (setting === undefined) return undefined;
  if (setting.value.trim() === '') throw usageError(`${setting.source} needs a file name`);
  const read = readCallerFile(setting.value);
  // An empty file at start is refused too: following nobody is never what a user meant.
  if ('problem' in read) throw usageError(`${setting.source}: ${read.problem}`);
  return { path: setting.value, source: setting.source, list: new CallerList(read.callers) };
}
