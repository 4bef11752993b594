import { COLOR_CHOICES, FORMAT_CHOICES, type ColorMode, type Format } from '../choices.js';
import { usageError } from '../errors.js';
import { checkOutputTemplate } from '../outputs/file.js';
import type { Environment } from './environment.js';
import { oneOf, type OptionLookup } from './settings.js';

/** Where and how the lines go: the CLI's alone (the library yields values, not lines). */
export interface OutputOptions {
  format: Format;
  receivedAt: boolean;
  color: ColorMode;
  file: string | undefined;
  count: number | undefined;
  durationMs: number | undefined;
}

export function resolveOutput(s: OptionLookup, environment: Environment): OutputOptions {
  const output = s.get('output');
  if (output !== undefined) checkOutputTemplate(output.value, output.source);
  const file = output?.value;
  // A terminal gets lines; a pipe or a file gets ndjson, the format tools read.
  const toTerminal = file === undefined && environment.stdoutIsTTY;
  const format = oneOf<Format>(s, 'format', FORMAT_CHOICES, toTerminal ? 'lines' : 'ndjson');
  const receivedAt = s.bool('receivedAt');
  if (receivedAt && format !== 'ndjson') throw usageError(`${s.name('receivedAt')} goes with ${s.name('format')} ndjson`);
  return {
    format,
    receivedAt,
    color: oneOf<ColorMode>(s, 'color', COLOR_CHOICES, 'auto'),
    file,
    count: s.count('count'),
    durationMs: s.duration('duration'),
  };
}
