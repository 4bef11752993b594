import { usageError } from '../errors.js';
import type { LoadedConfig } from './config-file.js';
import { CONFIG_TYPES, OPTIONS, flagOf, type Flags, type OptionKey } from './option-table.js';
import { parseAmount, parseCount, parseDuration, parseSize } from './units.js';

/**
 * The one lookup every resolver reads options through. The CLI's answers come from flags, the
 * environment and the config file (in that order); the library's from its options object. Both
 * answer in the same units (milliseconds, dollars, bytes), so one resolver validates and defaults
 * an area for both, and every error names the option as its user wrote it: `--backoff-max`,
 * `REXI_AUTH`, `backoffMax in <config>`, or `backoffMaxMs`.
 */

export interface Setting {
  /** The value as text, for messages and the text-valued options. */
  value: string;
  /** Where it came from, as the user would fix it. */
  source: string;
  /** 0 for a flag or a library option, 1 for the environment, 2 for the config file. */
  layer: number;
}

export interface OptionLookup {
  /** How the user names the option: `--with-calls` or `withCalls`. */
  name(key: OptionKey): string;
  get(key: OptionKey): Setting | undefined;
  list(key: OptionKey): string[];
  bool(key: OptionKey): boolean;
  /** Where a boolean that is on was set (for "goes with" messages); undefined when off. */
  on(key: OptionKey): Setting | undefined;
  /** Milliseconds; undefined when not set. */
  duration(key: OptionKey): number | undefined;
  /** A whole number of at least `min`; undefined when not set. */
  count(key: OptionKey, min?: number): number | undefined;
  /** Dollars; undefined when not set. */
  amount(key: OptionKey): number | undefined;
  /** Bytes; undefined when not set. */
  size(key: OptionKey): number | undefined;
  /** The value as the user wrote it, when they wrote text (`10m`); undefined for the library's numbers. */
  written(key: OptionKey): string | undefined;
  /** The first place (in precedence order) that sets any of `keys`, with what it sets of them. */
  firstOf<K extends OptionKey>(keys: readonly K[]): Partial<Record<K, Setting>>;
}

/** A choice, checked the same way whoever gave it. */
export function oneOf<T extends string>(s: OptionLookup, key: OptionKey, choices: readonly T[], fallback: T): T {
  const v = s.get(key);
  if (!v) return fallback;
  const value = v.value.trim().toLowerCase() as T;
  if (!choices.includes(value)) throw usageError(`${v.source}: '${v.value}' is not one of ${choices.join(', ')}`);
  return value;
}

const envName = (key: OptionKey): string | undefined => (OPTIONS[key] as { env?: string }).env;

/** The CLI's lookup: a flag, then its environment variable (from the option table), then the config file. */
export class Settings implements OptionLookup {
  constructor(
    private readonly flags: Flags,
    private readonly config: LoadedConfig,
    private readonly env: Record<string, string | undefined> = {},
  ) {}

  name(key: OptionKey): string {
    return flagOf(key);
  }

  private layers(key: OptionKey): Array<Setting | undefined> {
    const flag = this.flag(key);
    const variable = envName(key);
    const fromEnv = variable === undefined ? undefined : this.env[variable];
    const conf = this.fromConfig(key);
    return [
      flag !== undefined && flag !== null && !Array.isArray(flag) ? { value: String(flag), source: flagOf(key), layer: 0 } : undefined,
      fromEnv !== undefined && fromEnv.trim() !== '' ? { value: fromEnv, source: variable!, layer: 1 } : undefined,
      conf !== undefined && conf !== null && !Array.isArray(conf) ? { value: String(conf), source: `${key} in ${this.config.path}`, layer: 2 } : undefined,
    ];
  }

  get(key: OptionKey): Setting | undefined {
    return this.layers(key).find((s) => s !== undefined);
  }

  list(key: OptionKey): string[] {
    const flag = this.flags[key];
    if (Array.isArray(flag) && flag.length > 0) return flag.map(String);
    const variable = envName(key);
    const fromEnv = variable === undefined ? undefined : this.env[variable];
    // A variable holds a list as comma-separated values.
    if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.split(',').map((v) => v.trim()).filter(Boolean);
    const conf = this.fromConfig(key);
    if (Array.isArray(conf)) return conf.map(String);
    if (typeof conf === 'string' || typeof conf === 'number') return [String(conf)];
    return [];
  }

  /**
   * A config-file value, for the keys a config file may hold: any other key there was warned of as
   * ignored (unknownConfigKeys), and so it must be (a file's `apiKeyFile` would outrank REXI_API_KEY).
   */
  private fromConfig(key: OptionKey): unknown {
    return CONFIG_TYPES.has(key) ? this.config.values[key] : undefined;
  }

  /**
   * The flag as given. commander sets a negatable flag (`--no-retry`) to true when it is absent:
   * that true is no choice of the user's, so it must not hide the config file's value.
   */
  private flag(key: OptionKey): Flags[OptionKey] {
    const flag = this.flags[key];
    return flag === true && OPTIONS[key].flags.startsWith('--no-') ? undefined : flag;
  }

  bool(key: OptionKey): boolean {
    const flag = this.flag(key);
    if (typeof flag === 'boolean') return flag;
    return this.fromConfig(key) === true;
  }

  on(key: OptionKey): Setting | undefined {
    if (!this.bool(key)) return undefined;
    return typeof this.flag(key) === 'boolean' ? { value: 'true', source: flagOf(key), layer: 0 } : { value: 'true', source: `${key} in ${this.config.path}`, layer: 2 };
  }

  written(key: OptionKey): string | undefined {
    return this.get(key)?.value.trim();
  }

  duration(key: OptionKey): number | undefined {
    const s = this.get(key);
    return s && parseDuration(s.value, s.source);
  }

  count(key: OptionKey, min = 1): number | undefined {
    const s = this.get(key);
    return s && parseCount(s.value, s.source, min);
  }

  amount(key: OptionKey): number | undefined {
    const s = this.get(key);
    return s && parseAmount(s.value, s.source);
  }

  size(key: OptionKey): number | undefined {
    const s = this.get(key);
    return s && parseSize(s.value, s.source);
  }

  firstOf<K extends OptionKey>(keys: readonly K[]): Partial<Record<K, Setting>> {
    const perKey = keys.map((k) => this.layers(k).map((s) => (s !== undefined && s.value !== '' ? s : undefined)));
    for (let layer = 0; layer < 3; layer++) {
      if (!perKey.some((l) => l[layer] !== undefined)) continue;
      const out: Partial<Record<K, Setting>> = {};
      keys.forEach((k, i) => {
        const s = perKey[i]![layer];
        if (s !== undefined) out[k] = s;
      });
      return out;
    }
    return {};
  }
}

/**
 * How the library names an option (the table's `library`); options without one are the CLI's
 * alone (files, formats, hooks, publishing).
 */
const LIBRARY: Partial<Record<OptionKey, string>> = Object.fromEntries(
  (Object.entries(OPTIONS) as Array<[OptionKey, { library?: string }]>).filter(([, d]) => d.library !== undefined).map(([key, d]) => [key, d.library!]),
);

/** Largest timer Node runs as asked (past it, timers fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The library's lookup: its options object, values already typed and in the library's units. */
export class LibrarySettings implements OptionLookup {
  constructor(private readonly options: Readonly<Record<string, unknown>>) {}

  name(key: OptionKey): string {
    return LIBRARY[key] ?? key;
  }

  private raw(key: OptionKey): unknown {
    const name = LIBRARY[key];
    return name === undefined ? undefined : this.options[name];
  }

  get(key: OptionKey): Setting | undefined {
    let v = this.raw(key);
    if (v === undefined) return undefined;
    // A time (`since`) comes as a Date or epoch ms; the resolvers read times written as text.
    if (key === 'since') v = isoTime(v, this.name(key));
    // Numbers come as text too, for the messages and checks that quote a value; but a number
    // option takes a number only (`maxRetries: 'Infinity'`), and a text option text only (`apiKey: 42`).
    else if (OPTIONS[key].type === 'number') {
      if (typeof v !== 'number') throw usageError(`${this.name(key)} must be a number, not ${JSON.stringify(v) ?? String(v)}`);
    } else if (typeof v !== 'string' || v === '') throw usageError(`${this.name(key)} must be a non-empty string`);
    return { value: String(v), source: this.name(key), layer: 0 };
  }

  list(key: OptionKey): string[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '')) throw usageError(`${this.name(key)} must be an array of non-empty strings`);
    return v as string[];
  }

  bool(key: OptionKey): boolean {
    const v = this.raw(key);
    if (v !== undefined && typeof v !== 'boolean') throw usageError(`${this.name(key)} must be true or false`);
    return v === true;
  }

  on(key: OptionKey): Setting | undefined {
    return this.bool(key) ? { value: 'true', source: this.name(key), layer: 0 } : undefined;
  }

  written(): undefined {
    return undefined;
  }

  private number(key: OptionKey, what: string, ok: (n: number) => boolean): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !ok(v)) throw usageError(`${this.name(key)} must be ${what}, not ${JSON.stringify(v) ?? String(v)}`);
    return v;
  }

  duration(key: OptionKey): number | undefined {
    return this.number(key, `a number of milliseconds from 0 to ${MAX_TIMER_MS}`, (n) => Number.isFinite(n) && n >= 0 && n <= MAX_TIMER_MS);
  }

  count(key: OptionKey, min = 1): number | undefined {
    return this.number(key, `a whole number of at least ${min}`, (n) => Number.isSafeInteger(n) && n >= min);
  }

  amount(key: OptionKey): number | undefined {
    return this.number(key, 'a number of dollars', Number.isFinite);
  }

  size(key: OptionKey): number | undefined {
    return this.number(key, 'a whole number of bytes of at least 1', (n) => Number.isSafeInteger(n) && n >= 1);
  }

  firstOf<K extends OptionKey>(keys: readonly K[]): Partial<Record<K, Setting>> {
    const out: Partial<Record<K, Setting>> = {};
    for (const k of keys) {
      const s = this.get(k);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
}

function isoTime(v: unknown, name: string): string {
  const ms = v instanceof Date ? v.getTime() : v;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw usageError(`${name} must be a Date or a number of epoch milliseconds`);
  return new Date(ms).toISOString();
}
