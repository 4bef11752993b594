import type { FilterSpec } from '../stages/filter.js';
import { loadConfig, unknownConfigKeys, type LoadedConfig } from './config-file.js';
import { resolveStream, type StreamOptions } from './connection.js';
import type { Environment } from './environment.js';
import { resolveFilter } from './filters.js';
import { resolveLog, type LogOptions } from './logging.js';
import type { PublishOptions } from './nats.js';
import type { Flags } from './option-table.js';
import { resolveOutput, type OutputOptions } from './outputs.js';
import { Settings } from './settings.js';
import { resolveSignalOptions, signalOptionWarnings, type SignalOptions } from './signals.js';

export interface TailOptions {
  /** The config file, for resolveTarget(): demo connects to its own feed instead. */
  config: LoadedConfig;
  /** The lookup every area was resolved from, for the command's own settings. */
  settings: Settings;
  stream: StreamOptions;
  filter: FilterSpec;
  output: OutputOptions;
  /** Dedupe, --state, multi-call signals, hooks. */
  signals: SignalOptions;
  log: LogOptions;
  warnings: string[];
  /** --publish: set by the commands that publish, from resolveNats(). */
  publish?: PublishOptions | undefined;
}

/** Everything tail, demo and replay need but where to connect (resolveTarget), which demo decides itself. */
export function resolveTail(flags: Flags, environment: Environment, defaults: { maxRetries?: number } = {}): TailOptions {
  const config = loadConfig(flags.config, environment);
  const settings = new Settings(flags, config, environment.env);
  const warnings = [...config.warnings, ...unknownConfigKeys(config)];
  if (typeof flags.apiKey === 'string') {
    warnings.push('--api-key shows the key in the process list: prefer REXI_API_KEY or --api-key-file');
  }
  const signals = resolveSignalOptions(settings);
  warnings.push(...signalOptionWarnings(settings, signals));
  return {
    config,
    settings,
    stream: resolveStream(settings, defaults),
    filter: resolveFilter(settings),
    output: resolveOutput(settings, environment),
    signals,
    log: resolveLog(flags, config, environment),
    warnings,
  };
}
