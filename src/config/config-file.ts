import fs from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { Environment } from './environment.js';
import { CONFIG_TYPES } from './option-table.js';

/** The config file: `url`, `baseUrl`, `apiKey`, `auth` and any tail option in camelCase. */
export type ConfigFile = Record<string, unknown>;

export interface LoadedConfig {
  values: ConfigFile;
  path: string | undefined;
  warnings: string[];
}

export function defaultConfigPath(environment: Environment): string {
  const base = environment.env.XDG_CONFIG_HOME || path.join(environment.homedir, '.config');
  return path.join(base, 'rexi-live', 'config.json');
}

/** A missing file is fine at the default path, an error when named by --config or REXI_CONFIG. */
export function loadConfig(flagPath: unknown, environment: Environment): LoadedConfig {
  const named = typeof flagPath === 'string' ? { path: flagPath, source: '--config' } : environment.env.REXI_CONFIG ? { path: environment.env.REXI_CONFIG, source: 'REXI_CONFIG' } : undefined;
  const file = named?.path ?? defaultConfigPath(environment);
  let text: string;
  let mode: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mode = fs.statSync(file).mode;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!named && code === 'ENOENT') return { values: {}, path: undefined, warnings: [] };
    throw usageError(`${named?.source ?? 'config file'}: cannot read '${file}': ${code ?? (err as Error).message}`);
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (err) {
    throw usageError(`config file '${file}' is not valid JSON: ${(err as Error).message}`);
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw usageError(`config file '${file}' must hold a JSON object`);
  }
  for (const [key, value] of Object.entries(values)) checkConfigType(file, key, value);
  const warnings: string[] = [];
  if ('apiKey' in values && (mode & 0o044) !== 0) {
    warnings.push(`config file '${file}' holds apiKey and is readable by group or others: chmod 600 '${file}'`);
  }
  return { values: values as ConfigFile, path: file, warnings };
}

/** A value of the wrong type is refused, not coerced: `"true"` is not true, and 7 is not a file name. */
function checkConfigType(file: string, key: string, value: unknown): void {
  const type = CONFIG_TYPES.get(key);
  if (type === undefined || value === null) return;
  const scalar = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
  const ok =
    type === 'boolean'
      ? typeof value === 'boolean'
      : type === 'string'
        ? typeof value === 'string'
        : type === 'number'
          ? scalar
          : scalar || (Array.isArray(value) && value.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))));
  if (ok) return;
  const wanted = { boolean: 'true or false', string: 'a string', number: 'a number or a string', list: 'a string or an array of strings' }[type];
  throw usageError(`config file '${file}': ${key} must be ${wanted}, not ${JSON.stringify(value)}`);
}

/** No config file: serve reads none, and some settings are taken from flags alone. */
export const EMPTY_CONFIG: LoadedConfig = { values: {}, path: undefined, warnings: [] };

/** Keys the file holds that no option has: a warning, not an error (a newer version may know them). */
export function unknownConfigKeys(config: LoadedConfig): string[] {
  const unknown = Object.keys(config.values).filter((k) => !CONFIG_TYPES.has(k));
  return unknown.length > 0 ? [`config file '${config.path}': unknown keys ignored: ${unknown.join(', ')}`] : [];
}
