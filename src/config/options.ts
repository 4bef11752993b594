import fs from 'node:fs';
import path from 'node:path';
import { buildEndpoint, isLoopbackHost, type AuthMode, type Endpoint } from '../stream/endpoint.js';
import { usageError } from '../errors.js';
import type { LogLevel } from '../log.js';
import { AUTH_CHOICES, COLOR_CHOICES, FORMAT_CHOICES, LOG_LEVEL_CHOICES } from '../choices.js';
import { CONFIG_TYPES, OPTIONS, flagOf, type CommandName, type Flags, type OptionKey } from './option-table.js';
import { proxyFor, type ProxySetting } from '../stream/proxy.js';
import type { ColorMode } from '../render/color.js';
import type { Format } from '../render/renderer.js';
import { validateFilterSpec, type FilterSpec } from '../stages/filter.js';
import { checkOutputTemplate } from '../outputs/file.js';
import { resolveSignalOptions, signalOptionWarnings, type SignalOptions } from './signals.js';
import type { ConnectionTuning } from '../stream/connection.js';
import type { BackoffPolicy } from '../stream/policy.js';
import { parseAge, parseAmount, parseCount, parseDuration, parseSize } from './units.js';
import { isNatsUrl, parseNatsUrl, validateNatsName, validateSubject, type NatsFlags, type NatsTarget } from '../nats/url.js';
import { DEFAULT_PUBLISH_SUBJECT, DEFAULT_READ_SUBJECT, captureSubject, subjectsOverlap } from '../nats/subjects.js';
import type { StartPosition } from '../sources/jetstream.js';

export type { Flags };

/**
 * Turns flags, environment and the config file into one validated options object, with the
 * precedence flag > env > config file > default. Nothing below this module reads process.argv or
 * process.env: the environment arrives here as a value.
 */

export interface Environment {
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  homedir: string;
}

export interface LogOptions {
  level: LogLevel;
  pretty: boolean;
  color: boolean;
}

export interface OutputOptions {
  format: Format;
  receivedAt: boolean;
  color: ColorMode;
  file: string | undefined;
  count: number | undefined;
  durationMs: number | undefined;
}

export interface StreamOptions extends ConnectionTuning {
  policy: BackoffPolicy;
  allTypes: boolean;
}

export interface ConnectTarget {
  endpoint: Endpoint;
  /** The variable or flag to fix when the key is rejected. */
  keyHint: string;
  /** The proxy to CONNECT through, from the environment. */
  proxy: ProxySetting | undefined;
}

export interface TailOptions {
  /** The config file, for resolveTarget(): demo connects to its own feed instead. */
  config: LoadedConfig;
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

type Setting = { value: string; source: string };

/**
 * Looks a setting up flag first, then its environment variable (from the option table), then the
 * config file; `undefined` means use the default. Every value comes with the name a user would
 * fix: `--backoff-max`, `REXI_AUTH` or `backoffMax in <config>`.
 */
export class Settings {
  constructor(
    private readonly flags: Flags,
    private readonly config: LoadedConfig,
    private readonly env: Record<string, string | undefined> = {},
  ) {}

  get(key: OptionKey): Setting | undefined {
    const flag = this.flags[key];
    if (flag !== undefined && flag !== null) return { value: String(flag), source: flagOf(key) };
    const name = (OPTIONS[key] as { env?: string }).env;
    const fromEnv = name === undefined ? undefined : this.env[name];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, source: name! };
    const conf = this.config.values[key];
    if (conf !== undefined && conf !== null) return { value: String(conf), source: `${key} in ${this.config.path}` };
    return undefined;
  }

  list(key: OptionKey): string[] {
    const flag = this.flags[key];
    if (Array.isArray(flag) && flag.length > 0) return flag.map(String);
    const name = (OPTIONS[key] as { env?: string }).env;
    const fromEnv = name === undefined ? undefined : this.env[name];
    // A variable holds a list as comma-separated values.
    if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.split(',').map((v) => v.trim()).filter(Boolean);
    const conf = this.config.values[key];
    if (Array.isArray(conf)) return conf.map(String);
    if (typeof conf === 'string' || typeof conf === 'number') return [String(conf)];
    return [];
  }

  bool(key: OptionKey): boolean {
    const flag = this.flags[key];
    if (typeof flag === 'boolean') return flag;
    return this.config.values[key] === true;
  }

  duration(key: OptionKey, fallbackMs: number): number {
    const s = this.get(key);
    return s ? parseDuration(s.value, s.source) : fallbackMs;
  }

  oneOf<T extends string>(key: OptionKey, choices: readonly T[], fallback: T): T {
    const s = this.get(key);
    if (!s) return fallback;
    const v = s.value.trim().toLowerCase() as T;
    if (!choices.includes(v)) throw usageError(`${s.source}: '${s.value}' is not one of ${choices.join(', ')}`);
    return v;
  }
}

/**
 * The log level from one place only: flags if any of --log-level, -q, -v is given, else the config
 * file's, so a config's `verbose` cannot override a flag. An explicit level beats -q and -v.
 */
export function resolveLog(flags: Flags, config: LoadedConfig, environment: Environment): LogOptions {
  const fromFlags = flags.logLevel !== undefined || flags.quiet === true || flags.verbose === true;
  const layer = fromFlags ? new Settings(flags, EMPTY_CONFIG) : new Settings({}, config);
  let level: LogLevel = layer.oneOf<LogLevel>('logLevel', LOG_LEVEL_CHOICES, 'info');
  if (layer.get('logLevel') === undefined) {
    if (layer.bool('verbose')) level = 'debug';
    if (layer.bool('quiet')) level = 'warn';
  }
  const { env } = environment;
  // Colour for the human-readable log on a terminal, by the same rules as NO_COLOR users expect.
  const color = environment.stderrIsTTY && !env.NO_COLOR && env.FORCE_COLOR !== '0' && env.TERM !== 'dumb';
  return { level, pretty: environment.stderrIsTTY, color };
}

/** No config file: serve reads none, and some settings are taken from flags alone. */
export const EMPTY_CONFIG: LoadedConfig = { values: {}, path: undefined, warnings: [] };

type EndpointLayer = { url?: Setting | undefined; baseUrl?: Setting | undefined };

/** Where --url / --base-url may come from, in precedence order. */
function endpointLayers(flags: Flags, config: LoadedConfig, environment: Environment): EndpointLayer[] {
  const { env } = environment;
  const fromEnv = (key: 'url' | 'baseUrl'): Setting | undefined => {
    const name = OPTIONS[key].env;
    return env[name] ? { value: env[name]!, source: name } : undefined;
  };
  return [
    { url: flagValue(flags.url, '--url'), baseUrl: flagValue(flags.baseUrl, '--base-url') },
    { url: fromEnv('url'), baseUrl: fromEnv('baseUrl') },
    { url: configValue(config, 'url'), baseUrl: configValue(config, 'baseUrl') },
  ];
}

/** The first place that names an endpoint decides it; one place naming two is ambiguous. */
function endpointLayer(layers: EndpointLayer[]): EndpointLayer {
  const layer = layers.find((l) => l.url || l.baseUrl) ?? {};
  if (layer.url && layer.baseUrl) {
    throw usageError(`${layer.url.source} and ${layer.baseUrl.source} are both set: use one`);
  }
  return layer;
}

/**
 * The nats:// (or tls://) URL tail reads instead of the service, when the URL that decides the
 * endpoint is one: no API key is needed then.
 */
export function natsSourceUrl(flags: Flags, config: LoadedConfig, environment: Environment): Setting | undefined {
  const { url } = endpointLayer(endpointLayers(flags, config, environment));
  return url !== undefined && isNatsUrl(url.value) ? url : undefined;
}

export function resolveTarget(flags: Flags, config: LoadedConfig, environment: Environment): ConnectTarget {
  const settings = new Settings(flags, config);
  const layers = endpointLayers(flags, config, environment);
  const layer = endpointLayer(layers);
  if (layer.url !== undefined && isNatsUrl(layer.url.value)) {
    throw usageError(`${layer.url.source}: a NATS URL is read by 'rexi-live tail' (and 'replay'); this command needs the service's WebSocket URL`);
  }

  const apiKey = resolveApiKey(flags, config, environment);
  // A key written into the URL ranks as its URL does: --url '...?api_key=' beats REXI_API_KEY.
  const urlText = (layer.url ?? layer.baseUrl)?.value ?? '';
  const urlKeyWins = /[?&]api_key=[^&#]/.test(urlText) && (apiKey === undefined || layers.indexOf(layer) < apiKey.rank);
  const auth = resolveAuth(flags, config, environment);
  const endpoint = buildEndpoint({ ...(layer.url && { url: layer.url }), ...(layer.baseUrl && { baseUrl: layer.baseUrl }), ...(apiKey && !urlKeyWins && { apiKey }), auth, insecure: settings.bool('insecure') });
  const keyHint = endpoint.keySource ? `${endpoint.keySource}` : 'REXI_API_KEY (or --api-key-file)';
  return { endpoint, keyHint, proxy: proxyFor(endpoint.url, environment.env) };
}

/** `--auth`, then `REXI_AUTH`, then the config's `auth`; an error names where the bad value came from. */
export function resolveAuth(flags: Flags, config: LoadedConfig, environment: Environment): AuthMode {
  return new Settings(flags, config, environment.env).oneOf<AuthMode>('auth', AUTH_CHOICES, 'query');
}

function flagValue(v: unknown, source: string): Setting | undefined {
  return typeof v === 'string' && v !== '' ? { value: v, source } : undefined;
}

function configValue(config: LoadedConfig, key: OptionKey): Setting | undefined {
  const v = config.values[key];
  return typeof v === 'string' && v !== '' ? { value: v, source: `${key} in ${config.path}` } : undefined;
}

/** The key and where it came from; rank 0 for a flag, 1 for the environment, 2 for the config file. */
function resolveApiKey(flags: Flags, config: LoadedConfig, environment: Environment): (Setting & { rank: number }) | undefined {
  if (flags.apiKey !== undefined && flags.apiKeyFile !== undefined) {
    throw usageError('--api-key and --api-key-file are both set: use one');
  }
  if (typeof flags.apiKeyFile === 'string') {
    let text: string;
    try {
      text = fs.readFileSync(flags.apiKeyFile, 'utf8');
    } catch (err) {
      throw usageError(`--api-key-file: cannot read '${flags.apiKeyFile}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const key = text.trim();
    if (key === '') throw usageError(`--api-key-file: '${flags.apiKeyFile}' is empty`);
    return { value: key, source: '--api-key-file', rank: 0 };
  }
  if (typeof flags.apiKey === 'string') {
    if (flags.apiKey === '') throw usageError('--api-key: the key is empty');
    return { value: flags.apiKey, source: '--api-key', rank: 0 };
  }
  // A key of blanks is no key: it would only be rejected by the server, one round trip later.
  const env = environment.env.REXI_API_KEY?.trim();
  if (env) return { value: env, source: 'REXI_API_KEY', rank: 1 };
  const fromConfig = configValue(config, 'apiKey');
  return fromConfig && { ...fromConfig, rank: 2 };
}

// newcomer: `defaultMaxRetries` is the one-shot commands' default (replay nats://: 3), passed
// down from resolveTail; the lead's rework may move per-command defaults elsewhere.
export function resolveStream(flags: Flags, config: LoadedConfig, defaultMaxRetries = Infinity): StreamOptions {
  const s = new Settings(flags, config);
  const minMs = s.duration('backoffMin', 1000);
  const maxMs = s.duration('backoffMax', 30_000);
  if (minMs > maxMs) throw usageError(`--backoff-min (${minMs}ms) is above --backoff-max (${maxMs}ms)`);
  const maxRetries = resolveMaxRetries(flags, config, defaultMaxRetries);
  if (minMs <= 0) throw usageError('--backoff-min must be above 0 (a zero wait would hammer the server)');
  const connectTimeoutMs = s.duration('connectTimeout', 10_000);
  const pingIntervalMs = s.duration('pingInterval', 15_000);
  const pongTimeoutMs = s.duration('pongTimeout', 10_000);
  if (connectTimeoutMs <= 0) throw usageError('--connect-timeout must be above 0');
  if (pingIntervalMs > 0 && pongTimeoutMs <= 0) throw usageError('--pong-timeout must be above 0');
  const size = s.get('maxMessageSize');
  return {
    policy: { minMs, maxMs, maxRetries },
    connectTimeoutMs,
    pingIntervalMs,
    pongTimeoutMs,
    idleTimeoutMs: s.duration('idleTimeout', 0),
    maxMessageSize: size ? parseSize(size.value, size.source) : 1024 * 1024,
    compress: s.bool('compress'),
    allTypes: s.bool('allTypes'),
  };
}

/** --no-retry and --max-retries are one setting: the flags' answer wins over the config's. */
function resolveMaxRetries(flags: Flags, config: LoadedConfig, defaultMaxRetries: number): number {
  const fromFlags = flags.retry === false || flags.maxRetries !== undefined;
  const [layer, noRetry] = fromFlags ? [new Settings(flags, EMPTY_CONFIG), flags.retry === false] : [new Settings({}, config), config.values.retry === false];
  if (noRetry) return 0;
  const retries = layer.get('maxRetries');
  return retries ? parseCount(retries.value, retries.source, 0) : defaultMaxRetries;
}

export function resolveFilter(flags: Flags, config: LoadedConfig): FilterSpec {
  const s = new Settings(flags, config);
  const amount = (key: OptionKey): number | undefined => {
    const v = s.get(key);
    return v ? parseAmount(v.value, v.source) : undefined;
  };
  const minMcap = amount('minMcap');
  const maxMcap = amount('maxMcap');
  const spec: FilterSpec = {
    callers: s.list('caller'),
    excludeCallers: s.list('excludeCaller'),
    platforms: s.list('platform'),
    tokens: s.list('token'),
    symbols: s.list('symbol'),
    ...(minMcap !== undefined && { minMcap }),
    ...(maxMcap !== undefined && { maxMcap }),
  };
  validateFilterSpec(spec);
  return spec;
}

export function resolveOutput(flags: Flags, config: LoadedConfig, environment: Environment): OutputOptions {
  const s = new Settings(flags, config);
  const output = s.get('output');
  if (output !== undefined) checkOutputTemplate(output.value, output.source);
  const file = output?.value;
  // A terminal gets lines; a pipe or a file gets ndjson, the format tools read.
  const toTerminal = file === undefined && environment.stdoutIsTTY;
  const format = s.oneOf<Format>('format', FORMAT_CHOICES, toTerminal ? 'lines' : 'ndjson');
  const receivedAt = s.bool('receivedAt');
  if (receivedAt && format !== 'ndjson') throw usageError('--received-at goes with --format ndjson');
  const count = s.get('count');
  const duration = s.get('duration');
  return {
    format,
    receivedAt,
    color: s.oneOf<ColorMode>('color', COLOR_CHOICES, 'auto'),
    file,
    count: count ? parseCount(count.value, count.source) : undefined,
    durationMs: duration ? parseDuration(duration.value, duration.source) : undefined,
  };
}

/** Everything tail needs but where to connect (resolveTarget), which demo decides itself. */
export function resolveTail(flags: Flags, environment: Environment, defaults: { maxRetries?: number } = {}): TailOptions {
  const config = loadConfig(flags.config, environment);
  const warnings = [...config.warnings, ...unknownConfigKeys(config)];
  if (typeof flags.apiKey === 'string') {
    warnings.push('--api-key shows the key in the process list: prefer REXI_API_KEY or --api-key-file');
  }
  const stream = resolveStream(flags, config, defaults.maxRetries);
  const filter = resolveFilter(flags, config);
  const output = resolveOutput(flags, config, environment);
  const settings = new Settings(flags, config);
  const signals = resolveSignalOptions(settings);
  warnings.push(...signalOptionWarnings(settings, signals));
  return { config, stream, filter, output, signals, log: resolveLog(flags, config, environment), warnings };
}

function unknownConfigKeys(config: LoadedConfig): string[] {
  const unknown = Object.keys(config.values).filter((k) => !CONFIG_TYPES.has(k));
  return unknown.length > 0 ? [`config file '${config.path}': unknown keys ignored: ${unknown.join(', ')}`] : [];
}

// NATS

export interface CreateStreamSettings {
  /** --stream; the module's default (REXI_CALLS) when undefined. */
  name?: string;
  /** --replicas and --retention, undefined when not given: an existing stream then warns of nothing. */
  replicas?: number;
  retentionMs?: number;
}

export interface PublishOptions {
  target: NatsTarget;
  /** --tee: stdout gets the lines too. */
  tee: boolean;
  window: number;
  createStream: CreateStreamSettings | undefined;
}

export interface NatsReadOptions {
  target: NatsTarget;
  /** --stream: when the subject alone does not find it. */
  streamName: string | undefined;
  /** --since / --start-seq; undefined: new messages (tail) or all (replay). */
  start: StartPosition | undefined;
  durable: string | undefined;
}

export interface NatsOptions {
  publish: PublishOptions | undefined;
  read: NatsReadOptions | undefined;
}

const DEFAULT_PUBLISH_WINDOW = 256;
const MAX_REPLICAS = 5;
const NATS_FILE_KEYS = ['natsCreds', 'natsNkey', 'natsCa', 'natsCert', 'natsKey'] as const;

/**
 * The NATS settings of one command, every rule between them checked here, before anything
 * connects: `readUrl` is the nats:// source (tail --url, the replay argument), if any. Only the
 * command's own options count, so a config file's `publish` does not make replay publish.
 * Credentials go the URL, then the flags, then the NATS_* variables (then the config file).
 */
export function resolveNats(flags: Flags, config: LoadedConfig, environment: Environment, command: CommandName, readUrl: Setting | undefined): NatsOptions {
  const s = new Settings(flags, config);
  const get = (key: OptionKey): Setting | undefined => (OPTIONS[key].commands.some((c) => c === command) ? s.get(key) : undefined);
  const on = (key: OptionKey): Setting | undefined => (OPTIONS[key].commands.some((c) => c === command) && s.bool(key) ? { value: 'true', source: boolSource(key, flags, config) } : undefined);
  const natsFlags = natsFileFlags(flags, config, environment.env);
  const insecure = s.bool('insecure');
  const parse = (url: Setting, defaultSubject: string): NatsTarget =>
    parseNatsUrl({ url: url.value, source: url.source, defaultSubject, flags: natsFlags, env: environment.env, insecure });

  const publishUrl = get('publish');
  const tee = on('tee');
  const window = get('publishWindow');
  const create = on('createStream');
  const replicas = get('replicas');
  const retention = get('retention');
  const stream = get('stream');
  const since = get('since');
  const startSeq = get('startSeq');
  const durable = get('durable');

  if (readUrl === undefined) {
    const misplaced = since ?? startSeq ?? durable;
    if (misplaced !== undefined) {
      throw usageError(`${misplaced.source} goes with a nats:// source (tail --url nats://..., replay nats://...)`);
    }
  }
  if (publishUrl === undefined) {
    const misplaced = tee ?? window ?? create;
    if (misplaced !== undefined) throw usageError(`${misplaced.source} goes with --publish <nats-url>`);
    if (stream !== undefined && readUrl === undefined) throw usageError(`${stream.source} goes with a nats:// source or --publish`);
  }
  if (create === undefined) {
    const misplaced = replicas ?? retention;
    if (misplaced !== undefined) throw usageError(`${misplaced.source} goes with --create-stream`);
  }
  if (since !== undefined && startSeq !== undefined) throw usageError(`${since.source} and ${startSeq.source} are both set: use one start position`);
  if (stream !== undefined) validateNatsName(stream.value, stream.source);
  if (durable !== undefined) validateNatsName(durable.value, durable.source);

  let publish: PublishOptions | undefined;
  if (publishUrl !== undefined) {
    if (!isNatsUrl(publishUrl.value)) {
      throw usageError(`${publishUrl.source}: '${publishUrl.value.replace(/\/\/[^/@]*@/, '//***@')}' is not a NATS URL: write nats://host[:port]/<subject> (tls:// for TLS)`);
    }
    const target = parse(publishUrl, DEFAULT_PUBLISH_SUBJECT);
    validateSubject(target.subject, 'publish', publishUrl.source);
    const replicasN = replicas !== undefined ? parseCount(replicas.value, replicas.source) : undefined;
    if (replicasN !== undefined && replicasN > MAX_REPLICAS) throw usageError(`${replicas!.source}: '${replicas!.value}' is above ${MAX_REPLICAS}, the most JetStream allows`);
    publish = {
      target,
      tee: tee !== undefined,
      window: window !== undefined ? parseCount(window.value, window.source) : DEFAULT_PUBLISH_WINDOW,
      createStream:
        create === undefined
          ? undefined
          : {
              ...(stream !== undefined && { name: stream.value }),
              ...(replicasN !== undefined && { replicas: replicasN }),
              ...(retention !== undefined && { retentionMs: parseAge(retention.value, retention.source) }),
            },
    };
  }

  let read: NatsReadOptions | undefined;
  if (readUrl !== undefined) {
    const target = parse(readUrl, DEFAULT_READ_SUBJECT);
    validateSubject(target.subject, 'read', readUrl.source);
    const start: StartPosition | undefined =
      since !== undefined ? { kind: 'since', atMs: parseSince(since.value, since.source, Date.now()) }
      : startSeq !== undefined ? { kind: 'seq', seq: parseCount(startSeq.value, startSeq.source) }
      : undefined;
    read = { target, streamName: stream?.value, start, durable: durable?.value };
  }

  if (publish !== undefined && read !== undefined && sameServers(publish.target, read.target) && subjectsOverlap(read.target.subject, captureSubject(publish.target.subject))) {
    throw usageError(
      `${publishUrl!.source} '${publish.target.subject}' overlaps '${read.target.subject}' that ${readUrl!.source} reads from the same servers: the run would read its own publishes back`,
    );
  }
  return { publish, read };
}

/** `--since 1h` (that long before `now`) or `--since 2026-12-01T07:00:00Z`. */
export function parseSince(text: string, source: string, now: number): number {
  const t = text.trim();
  if (/^\d{4}-\d\d-\d\d(?:[T ]|$)/.test(t)) {
    const at = Date.parse(t);
    if (!Number.isFinite(at)) throw usageError(`${source}: '${text}' is not a valid ISO-8601 time (e.g. 2026-12-01T07:00:00Z)`);
    return at;
  }
  try {
    return now - parseAge(t, source);
  } catch {
    throw usageError(`${source}: '${text}' is neither a duration (30m, 1h, 7d) nor an ISO-8601 time (2026-12-01T07:00:00Z)`);
  }
}

function boolSource(key: OptionKey, flags: Flags, config: LoadedConfig): string {
  return typeof flags[key] === 'boolean' ? flagOf(key) : `${key} in ${config.path}`;
}

/**
 * The NATS file flags for parseNatsUrl, which puts them above the NATS_* variables: a config
 * file's value counts only where the variable is not set, so the usual flag > env > config holds.
 */
function natsFileFlags(flags: Flags, config: LoadedConfig, env: Record<string, string | undefined>): NatsFlags {
  const out: NatsFlags = {};
  for (const key of NATS_FILE_KEYS) {
    const flag = flags[key];
    const fromConfig = config.values[key];
    const variable = env[OPTIONS[key].env];
    if (typeof flag === 'string' && flag !== '') out[key] = flag;
    else if ((variable === undefined || variable === '') && typeof fromConfig === 'string' && fromConfig !== '') out[key] = fromConfig;
  }
  return out;
}

/** Whether two targets share a server (loopback names for one port counted as the same). */
function sameServers(a: NatsTarget, b: NatsTarget): boolean {
  const key = (hostPort: string): string => {
    const colon = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, colon);
    return isLoopbackHost(host) ? `loopback${hostPort.slice(colon)}` : hostPort.toLowerCase();
  };
  const mine = new Set(a.servers.map(key));
  return b.servers.some((h) => mine.has(key(h)));
}
