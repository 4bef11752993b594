import { LOG_LEVEL_CHOICES } from '../choices.js';
import type { LogLevel } from '../log.js';
import { EMPTY_CONFIG, type LoadedConfig } from './config-file.js';
import type { Environment } from './environment.js';
import type { Flags } from './option-table.js';
import { oneOf, Settings } from './settings.js';

export interface LogOptions {
  level: LogLevel;
  pretty: boolean;
  color: boolean;
}

/**
 * The log level from one place only: flags if any of --log-level, -q, -v is given, else the config
 * file's, so a config's `verbose` cannot override a flag. An explicit level beats -q and -v.
 */
export function resolveLog(flags: Flags, config: LoadedConfig, environment: Environment): LogOptions {
  const fromFlags = flags.logLevel !== undefined || flags.quiet === true || flags.verbose === true;
  const layer = fromFlags ? new Settings(flags, EMPTY_CONFIG) : new Settings({}, config);
  let level: LogLevel = oneOf<LogLevel>(layer, 'logLevel', LOG_LEVEL_CHOICES, 'info');
  if (layer.get('logLevel') === undefined) {
    if (layer.bool('verbose')) level = 'debug';
    if (layer.bool('quiet')) level = 'warn';
  }
  const { env } = environment;
  // Colour for the human-readable log on a terminal, by the same rules as NO_COLOR users expect.
  const color = environment.stderrIsTTY && !env.NO_COLOR && env.FORCE_COLOR !== '0' && env.TERM !== 'dumb';
  return { level, pretty: environment.stderrIsTTY, color };
}

