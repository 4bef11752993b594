import { usageError } from '../errors.js';
import { DEFAULT_STATE_MAX } from '../stages/bounded-map.js';
import type { DedupeSpec } from '../stages/dedupe.js';
import { DEDUPE_KINDS, type DedupeKind } from '../stages/identity.js';
import type { MultiCallSpec } from '../stages/multi-call.js';
import type { OptionKey } from './option-table.js';
import type { OptionLookup } from './settings.js';

/**
 * Dedupe, --state, multi-call and hooks, validated into one object for the CLI and the library
 * (which has no state file, hooks or bell). Each error names the option as its user wrote it:
 * `--window`, `window in <config>`, or `windowMs`.
 */

export interface SignalOptions {
  dedupe: DedupeSpec | undefined;
  state: { path: string | undefined; max: number };
  multiCall: MultiCallSpec | undefined;
  hooks: { command: string; jobs: number; timeoutMs: number } | undefined;
  bell: boolean;
}

export const SIGNAL_DEFAULTS = {
  dedupeTtlMs: 24 * 3_600_000,
  windowMs: 10 * 60_000,
  execJobs: 1,
  execTimeoutMs: 10_000,
  stateMax: DEFAULT_STATE_MAX,
} as const;

export function resolveSignalOptions(s: OptionLookup): SignalOptions {
  const positive = (key: OptionKey, fallbackMs: number): number => {
    const ms = s.duration(key);
    if (ms === undefined) return fallbackMs;
    if (ms <= 0) throw usageError(`${s.get(key)!.source}: '${s.get(key)!.value}' must be above 0`);
    return ms;
  };

  const dedupeSetting = s.get('dedupe');
  let kind: DedupeKind | undefined;
  if (dedupeSetting !== undefined) {
    const k = dedupeSetting.value.trim().toLowerCase() as DedupeKind;
    if (!DEDUPE_KINDS.includes(k)) throw usageError(`${dedupeSetting.source}: '${dedupeSetting.value}' is not one of ${DEDUPE_KINDS.join(', ')}`);
    kind = k;
  }
  if (s.bool('firstCall')) {
    if (kind !== undefined && kind !== 'token') throw usageError(`${s.name('firstCall')} is ${s.name('dedupe')} token: it cannot go with ${dedupeSetting!.source} ${kind}`);
    kind = 'token';
  }
  const ttlMs = positive('dedupeTtl', SIGNAL_DEFAULTS.dedupeTtlMs);

  const stateSetting = s.get('state');
  if (stateSetting !== undefined && stateSetting.value.trim() === '') throw usageError(`${stateSetting.source}: the file name is empty`);
  const stateMax = s.count('stateMax', 1) ?? SIGNAL_DEFAULTS.stateMax;

  const minCallers = s.count('minCallers', 2);
  if (s.bool('withCalls') && minCallers === undefined) throw usageError(`${s.name('withCalls')} goes with ${s.name('minCallers')}`);
  const windowMs = positive('window', SIGNAL_DEFAULTS.windowMs);
  const cooldownMs = s.duration('cooldown') ?? windowMs;
  // The signal's `window` is the flag's value as given; milliseconds are written as a flag would be.
  const windowText = s.written('window') ?? formatWindow(windowMs);

  const exec = s.get('exec');
  if (exec !== undefined && exec.value.trim() === '') throw usageError(`${exec.source}: the command is empty`);
  const jobs = s.count('execJobs', 1) ?? SIGNAL_DEFAULTS.execJobs;
  const timeoutMs = positive('execTimeout', SIGNAL_DEFAULTS.execTimeoutMs);

  return {
    dedupe: kind === undefined ? undefined : { kind, ttlMs },
    state: { path: stateSetting?.value, max: stateMax },
    multiCall: minCallers === undefined ? undefined : { minCallers, windowMs, windowText, cooldownMs, withCalls: s.bool('withCalls') },
    hooks: exec === undefined ? undefined : { command: exec.value, jobs, timeoutMs },
    bell: s.bool('bell'),
  };
}

/** A window as --window would be written: `10m`, `90s`, `1h`, `1500ms`. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Settings that do nothing with the others given: not errors (a config file may hold them for
 * runs that use them), but a flag typed in vain deserves a word.
 */
export function signalOptionWarnings(s: OptionLookup, o: SignalOptions): string[] {
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
