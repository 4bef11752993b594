import { usageError } from '../errors.js';
import { COLOR_CHOICES, type ColorMode } from '../choices.js';
import { DEFAULT_STATE_MAX } from '../stages/bounded-map.js';
import type { FilterSpec } from '../stages/filter.js';
import { loadConfig, oneOf, resolveFilter, resolveLog, resolveStream, Settings, type Environment, type Flags, type LoadedConfig, type LogOptions, type StreamOptions } from './options.js';
import { unknownConfigKeys } from './config-file.js';
import type { OptionKey } from './option-table.js';
import { parseAge, parseCount, parseDuration } from './units.js';
import { DEFAULT_HIT, DEFAULT_HORIZON_MS, parseHit } from './callers.js';
import { resolveCallerFile, type CallerFile } from './caller-file.js';

/**
 * top's settings: what it reads as tail does (connection, filters, --duration), and the board's
 * own (the Heating up window and highlight, the caller board, the history to prime it with).
 * --window and --min-callers mean something else here than for tail's signals, so they are read
 * here and tail's signal resolver (and its "does nothing without --min-callers" warnings) is not.
 */

export interface BoardSettings {
  /** Heating up: the sliding window. */
  windowMs: number;
  /** --window as typed, for the panel's title. */
  windowText: string;
  /** Heating up: highlighted from this many distinct callers. */
  minCallers: number;
  /** Most tokens (and calls in their windows) held. */
  stateMax: number;
  /** The caller board's --horizon and --hit, and --min-calls for its ranking. */
  horizonMs: number;
  hit: number;
  minCalls: number;
}

export interface TopOptions {
  config: LoadedConfig;
  /** The lookup every area was resolved from, for where to connect. */
  settings: Settings;
  stream: StreamOptions;
  filter: FilterSpec;
  color: ColorMode;
  durationMs: number | undefined;
  log: LogOptions;
  warnings: string[];
  board: BoardSettings;
  /** --caller-file, loaded (the filter reads its list); the run follows its changes. */
  callerFile: CallerFile | undefined;
  /** --history: captures read into the caller board before the stream starts. */
  history: string[];
  /** --demo: the embedded feed, with demo's --rate and --seed (read by the feed's own options). */
  demo: boolean;
}

/** top's own defaults; the caller board's --horizon and --hit are those of `callers`. */
export const TOP_DEFAULTS = { window: '10m', minCallers: 3, minCalls: 1 } as const;

export function resolveTop(flags: Flags, environment: Environment): TopOptions {
  const config = loadConfig(flags.config, environment);
  const s = new Settings(flags, config, environment.env);
  const warnings = [...config.warnings, ...unknownConfigKeys(config)];
  if (typeof flags.apiKey === 'string') warnings.push('--api-key shows the key in the process list: prefer REXI_API_KEY or --api-key-file');

  const demo = flags.demo === true;
  if (!demo) {
    const misplaced = (['rate', 'seed'] as const).find((k) => flags[k] !== undefined);
    if (misplaced !== undefined) throw usageError(`--${misplaced} goes with --demo`);
  } else if (typeof flags.url === 'string' || typeof flags.baseUrl === 'string') {
    throw usageError(`--demo and ${typeof flags.url === 'string' ? '--url' : '--base-url'} are both set: use one`);
  }

  const positive = (key: OptionKey, fallbackMs: number): number => {
    const v = s.get(key);
    if (v === undefined) return fallbackMs;
    const ms = parseDuration(v.value, v.source);
    if (ms <= 0) throw usageError(`${v.source}: '${v.value}' must be above 0`);
    return ms;
  };
  const count = (key: OptionKey, min: number, fallback: number): number => {
    const v = s.get(key);
    return v === undefined ? fallback : parseCount(v.value, v.source, min);
  };
  const hitSetting = s.get('hit');
  const horizon = s.get('horizon');
  const duration = s.get('duration');
  const history = Array.isArray(flags.history) ? flags.history.map(String) : [];
  const filter = resolveFilter(s);
  const callerFile = resolveCallerFile(flags, config);
  if (callerFile !== undefined) filter.callerList = callerFile.list;

  return {
    config,
    settings: s,
    stream: resolveStream(s),
    filter,
    color: oneOf<ColorMode>(s, 'color', COLOR_CHOICES, 'auto'),
    durationMs: duration ? parseDuration(duration.value, duration.source) : undefined,
    log: resolveLog(flags, config, environment),
    warnings,
    board: {
      windowMs: positive('window', 10 * 60_000),
      windowText: s.get('window')?.value.trim() ?? TOP_DEFAULTS.window,
      minCallers: count('minCallers', 2, TOP_DEFAULTS.minCallers),
      stateMax: count('stateMax', 1, DEFAULT_STATE_MAX),
      horizonMs: horizon === undefined ? DEFAULT_HORIZON_MS : parseAge(horizon.value, horizon.source),
      hit: hitSetting === undefined ? DEFAULT_HIT : parseHit(hitSetting.value, hitSetting.source),
      minCalls: count('minCalls', 1, TOP_DEFAULTS.minCalls),
    },
    callerFile,
    history,
    demo,
  };
}
