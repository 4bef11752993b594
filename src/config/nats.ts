import { usageError } from '../errors.js';
import { DEFAULT_PUBLISH_SUBJECT, DEFAULT_READ_SUBJECT, captureSubject, subjectsOverlap } from '../nats/subjects.js';
import type { StartPosition } from '../nats/start-position.js';
import { isNatsUrl, parseNatsUrl, validateNatsName, validateSubject, type NatsFlags, type NatsTarget } from '../nats/url.js';
import { isLoopbackHost } from '../stream/endpoint.js';
import type { LoadedConfig } from './config-file.js';
import type { Environment } from './environment.js';
import { OPTIONS, type CommandName, type Flags, type OptionKey } from './option-table.js';
import { Settings, type OptionLookup, type Setting } from './settings.js';
import { parseAge, parseCount } from './units.js';

/**
 * NATS: publishing (--publish) and reading (tail --url nats://, replay nats://, and the library's
 * liveCalls on a nats:// URL). Reading is resolved once, here, for the CLI and the library.
 */

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
  const mine = (key: OptionKey): boolean => OPTIONS[key].commands.some((c) => c === command);
  const get = (key: OptionKey): Setting | undefined => (mine(key) ? s.get(key) : undefined);
  const on = (key: OptionKey): Setting | undefined => (mine(key) ? s.on(key) : undefined);
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
  if (stream !== undefined) validateNatsName(stream.value, stream.source);

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

  const read = readUrl === undefined ? undefined : resolveNatsRead(s, readUrl, { files: natsFlags, env: environment.env });

  if (publish !== undefined && read !== undefined && sameServers(publish.target, read.target) && subjectsOverlap(read.target.subject, captureSubject(publish.target.subject))) {
    throw usageError(
      `${publishUrl!.source} '${publish.target.subject}' overlaps '${read.target.subject}' that ${readUrl!.source} reads from the same servers: the run would read its own publishes back`,
    );
  }
  return { publish, read };
}

/**
 * Reading a stream: the target, the stream's name, where to start and the durable's name. `url`
 * is the nats:// source; `files` the credential and TLS files by the caller's own precedence.
 */
export function resolveNatsRead(s: OptionLookup, url: Setting, context: { files: NatsFlags; env?: Record<string, string | undefined> }): NatsReadOptions {
  const target = parseNatsUrl({
    url: url.value,
    source: url.source,
    defaultSubject: DEFAULT_READ_SUBJECT,
    flags: context.files,
    ...(context.env !== undefined && { env: context.env }),
    insecure: s.bool('insecure'),
    terms: (option) => s.name(option),
  });
  validateSubject(target.subject, 'read', url.source);
  const since = s.get('since');
  const startSeq = s.get('startSeq');
  if (since !== undefined && startSeq !== undefined) throw usageError(`${since.source} and ${startSeq.source} are both set: use one start position`);
  const name = (key: 'stream' | 'durable'): string | undefined => {
    const v = s.get(key);
    if (v !== undefined) validateNatsName(v.value, v.source);
    return v?.value;
  };
  const start: StartPosition | undefined =
    since !== undefined ? { kind: 'since', atMs: parseSince(since.value, since.source, Date.now()) }
    : startSeq !== undefined ? { kind: 'seq', seq: s.count('startSeq')! }
    : undefined;
  return { target, streamName: name('stream'), start, durable: name('durable') };
}

/** The library's credential and TLS files: its options alone (the CLI adds NATS_* and the config file). */
export function natsFiles(s: OptionLookup): NatsFlags {
  const out: NatsFlags = {};
  for (const key of NATS_FILE_KEYS) {
    const v = s.get(key);
    if (v !== undefined) out[key] = v.value;
  }
  return out;
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
