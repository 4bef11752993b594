import { usageError } from '../errors.js';
import type { OptionKey } from './option-table.js';
import { parseCount, parseDuration } from './units.js';
import { DEFAULT_STATE_MAX } from '../stages/bounded-map.js';
import { DEDUPE_KINDS, type DedupeKind } from '../stages/identity.js';

/**
 * The flags of dedupe, --state, multi-call and hooks, validated into one object. It reads them
 * through the same lookup as every other option (options.ts's Settings: flag > config file), so each
 * error names where the bad value came from: `--window` or `window in <config>`.
 */

export interface SettingLookup {
  /** The value and the name a user would fix; undefined when not set. */
  get(key: OptionKey): { value: string; source: string } | undefined;
  bool(key: OptionKey): boolean;
}

export interface SignalOptions {
  dedupe: { kind: DedupeKind; ttlMs: number } | undefined;
  state: { path: string | undefined; max: number };
  multiCall: { minCallers: number; windowMs: number; windowText: string; cooldownMs: number; withCalls: boolean } | undefined;
  hooks: { command: string; jobs: number; timeoutMs: number } | undefined;
  bell: boolean;
}

const DEFAULT_TTL_MS = 24 * 3_600_000;
const DEFAULT_WINDOW = '10m';
const DEFAULT_EXEC_TIMEOUT_MS = 10_000;

export function resolveSignalOptions(s: SettingLookup): SignalOptions {
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

  const dedupeSetting = s.get('dedupe');
  let kind: DedupeKind | undefined;
  if (dedupeSetting !== undefined) {
    const k = dedupeSetting.value.trim().toLowerCase() as DedupeKind;
    if (!DEDUPE_KINDS.includes(k)) throw usageError(`${dedupeSetting.source}: '${dedupeSetting.value}' is not one of ${DEDUPE_KINDS.join(', ')}`);
    kind = k;
  }
  if (s.bool('firstCall')) {
    if (kind !== undefined && kind !== 'token') throw usageError(`--first-call is --dedupe token: it cannot go with ${dedupeSetting!.source} ${kind}`);
    kind = 'token';
  }
  const ttlMs = positive('dedupeTtl', DEFAULT_TTL_MS);

  const stateSetting = s.get('state');
  if (stateSetting !== undefined && stateSetting.value.trim() === '') throw usageError(`${stateSetting.source}: the file name is empty`);
  const stateMax = count('stateMax', 1, DEFAULT_STATE_MAX);

  const minCallers = s.get('minCallers');
  const withCalls = s.bool('withCalls');
  if (withCalls && minCallers === undefined) throw usageError('--with-calls goes with --min-callers');
  const windowSetting = s.get('window');
  const windowMs = positive('window', 10 * 60_000);
  const cooldown = s.get('cooldown');
  const cooldownMs = cooldown === undefined ? windowMs : parseDuration(cooldown.value, cooldown.source);

  const exec = s.get('exec');
  if (exec !== undefined && exec.value.trim() === '') throw usageError(`${exec.source}: the command is empty`);
  const jobs = count('execJobs', 1, 1);
  const timeoutMs = positive('execTimeout', DEFAULT_EXEC_TIMEOUT_MS);

  return {
    dedupe: kind === undefined ? undefined : { kind, ttlMs },
    state: { path: stateSetting?.value, max: stateMax },
    multiCall:
      minCallers === undefined
        ? undefined
        : { minCallers: parseCount(minCallers.value, minCallers.source, 2), windowMs, windowText: windowSetting?.value.trim() ?? DEFAULT_WINDOW, cooldownMs, withCalls },
    hooks: exec === undefined ? undefined : { command: exec.value, jobs, timeoutMs },
    bell: s.bool('bell'),
  };
}

/**
 * Settings that do nothing with the others given: not errors (a config file may hold them for
 * runs that use them), but a flag typed in vain deserves a word.
 */
export function signalOptionWarnings(s: SettingLookup, o: SignalOptions): string[] {
  const warnings: string[] = [];
  const idle = (key: OptionKey, needs: string): void => {
    const v = s.get(key);
    if (v !== undefined) warnings.push(`${v.source} does nothing without ${needs}`);
  };
  if (o.multiCall === undefined) {
    idle('window', '--min-callers');
    idle('cooldown', '--min-callers');
  }
  if (o.dedupe === undefined) idle('dedupeTtl', '--dedupe or --first-call');
  if (o.hooks === undefined) {
    idle('execJobs', '--exec');
    idle('execTimeout', '--exec');
  }
  if (o.dedupe === undefined && o.multiCall === undefined) idle('state', '--dedupe, --first-call or --min-callers');
  return warnings;
}
