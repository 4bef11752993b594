/**
 * The options core, as the CLI's commands use it: one resolver per area, each shared with the
 * library through the lookup in settings.ts. Only re-exports: each area lives in its own file.
 */
export type { Environment } from './environment.js';
export type { Flags, OptionKey, CommandName } from './option-table.js';
export { defaultConfigPath, EMPTY_CONFIG, loadConfig, type ConfigFile, type LoadedConfig } from './config-file.js';
export { LibrarySettings, oneOf, Settings, type OptionLookup, type Setting } from './settings.js';
export { natsSourceUrl, resolveAuth, resolveStream, resolveTarget, type ConnectTarget, type StreamOptions } from './connection.js';
export { resolveFilter } from './filters.js';
export { resolveOutput, type OutputOptions } from './outputs.js';
export { resolveLog, type LogOptions } from './logging.js';
export { resolveSignalOptions, signalOptionWarnings, type SignalOptions } from './signals.js';
export {
  natsFiles,
  parseSince,
  resolveNats,
  resolveNatsRead,
  type CreateStreamSettings,
  type NatsOptions,
  type NatsReadOptions,
  type PublishOptions,
} from './nats.js';
export { resolveTail, type TailOptions } from './tail.js';
