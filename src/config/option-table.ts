import { Option, type Command } from 'commander';
import { AUTH_CHOICES, CALLER_SORT_CHOICES, CALLERS_FORMAT_CHOICES, COLOR_CHOICES, DEDUPE_CHOICES, FORMAT_CHOICES, LOG_LEVEL_CHOICES } from '../choices.js';

/**
 * Every option, defined once: its flag, environment variable, config-file type, help text and the
 * commands that have it. The commander options, the config keys (and their types) and the typed
 * `Flags` are all derived from this table, so a new option is one entry here plus one line in the
 * resolver of its area (config/connection.ts, filters.ts, signals.ts, outputs.ts, nats.ts), which
 * parses it, checks it against the others and holds its default for the CLI and the library alike
 * (the help text states the default). `library` names it for liveCalls().
 *
 * Loaded by cli/main.ts before anything else: it imports nothing but commander.
 */

/** The commands that take options from this table, in the order help and completion list them. */
export const COMMANDS = ['tail', 'url', 'serve', 'demo', 'replay', 'callers', 'top'] as const;

export type CommandName = (typeof COMMANDS)[number];

/**
 * How a value is written in the config file. `string`: a JSON string; `number`: a string or a
 * number (`"250k"`, `250000`, `"5s"`, `5`); `boolean`: true or false; `list`: an array of strings or
 * numbers, or one of them.
 */
export type ConfigType = 'string' | 'number' | 'boolean' | 'list';

/**
 * Where `--help` lists an option: under its area's heading, or, for the commands in `ownIn` (and
 * every command for `own`), under `Options:` first, as the flags that make the command what it is.
 */
export type HelpGroup = 'own' | 'Connection' | 'Filters' | 'Output' | 'Signals' | 'NATS' | 'Logging';

/** The headings in the order `--help` shows them. */
export const HELP_GROUPS: ReadonlyArray<readonly [HelpGroup, string]> = [
  ['own', 'Options:'],
  ['Connection', 'Connection:'],
  ['Filters', 'Filters:'],
  ['Output', 'Output:'],
  ['Signals', 'Signals (dedupe, multi-call, hooks):'],
  ['NATS', 'NATS JetStream:'],
  ['Logging', 'Logging:'],
];

export interface OptionDef {
  /** The `--help` heading it is listed under. */
  readonly group: HelpGroup;
  /** Commands that list it first, among their own flags, instead. */
  readonly ownIn?: readonly CommandName[];
  /** One of tail's ten most used flags: `rexi-live --help` shows them. */
  readonly featured?: boolean;
  /** commander's flags: `-f, --format <format>`, `--no-retry`. */
  readonly flags: string;
  /** Help text, or one per command where they differ. */
  readonly help: string | Partial<Record<CommandName, string>>;
  readonly type: ConfigType;
  readonly commands: readonly CommandName[];
  /** The environment variable that sets it (below a flag, above the config file). */
  readonly env?: string;
  /** Allowed values (case-insensitive in variables and the config file), or one list per command. */
  readonly choices?: readonly string[] | Partial<Record<CommandName, readonly string[]>>;
  /**
   * Commands whose resolver checks the value against the choices itself: a bad value is then one
   * line naming the flag (commander's own error adds a hint line).
   */
  readonly checkedBy?: readonly CommandName[];
  /**
   * The library's name for it (liveCalls' options), in the library's units: durations in ms
   * (`windowMs`), amounts in dollars. Absent: the CLI's alone.
   */
  readonly library?: string;
  /** Not a config-file key (the config path itself, secrets kept out of files, serve's own). */
  readonly noConfig?: boolean;
  /**
   * Values shell completion offers where commander does not check them (`choices` are offered
   * too): --dedupe is checked where it is resolved, so a flag and a config value read alike.
   */
  readonly complete?: readonly string[];
}

const TAIL_LIKE = ['tail', 'demo', 'replay'] as const;
/** Reading a capture or a stream: replay, and callers (which ranks what it reads). */
const READING = ['tail', 'demo', 'replay', 'callers'] as const;
/** What top reads as tail does (the service, NATS, --demo), through the same filters. */
const READING_TOP = ['tail', 'demo', 'replay', 'callers', 'top'] as const;
const LIVE = ['tail', 'demo'] as const;
const LIVE_TOP = ['tail', 'demo', 'top'] as const;
const CONNECT = ['tail', 'url', 'top'] as const;
const ALL = ['tail', 'url', 'serve', 'demo', 'replay', 'callers', 'top'] as const;
/** Connecting to NATS: replay reads a nats:// URL too. */
const ALL_BUT_SERVE = ['tail', 'url', 'demo', 'replay', 'callers', 'top'] as const;
const RETRYING = ['tail', 'demo', 'replay', 'callers', 'top'] as const;


const def = <D extends OptionDef>(d: D): D => d;

export const OPTIONS = {
  // Connecting
  url: def({
    library: 'url',
    group: 'Connection', featured: true,
    flags: '--url <url>',
    help: { tail: 'full endpoint URL (ws:// or wss://), or nats://host[:port]/<subject> to read a JetStream stream instead (no key needed)', url: 'full endpoint URL' },
    env: 'REXI_WS_URL',
    type: 'string',
    commands: CONNECT,
  }),
  baseUrl: def({
    library: 'baseUrl',
    group: 'Connection', featured: true,
    flags: '--base-url <url>',
    help: 'service base URL; /solana/monitor/livecalls is appended, http→ws, https→wss',
    env: 'REXI_BASE_URL',
    type: 'string',
    commands: CONNECT,
  }),
  apiKeyFile: def({ group: 'Connection', featured: true, flags: '--api-key-file <path>', help: 'read the API key from a file (env REXI_API_KEY holds the key itself)', type: 'string', commands: CONNECT, noConfig: true }),
  apiKey: def({ library: 'apiKey', group: 'Connection', flags: '--api-key <key>', help: 'the API key (warns: it shows in the process list)', env: 'REXI_API_KEY', type: 'string', commands: CONNECT }),
  auth: def({
    library: 'auth',
    group: 'Connection',
    flags: '--auth <mode>',
    help: { tail: 'how the key is sent: ?api_key=, X-API-Key or Authorization: Bearer (default: query)', demo: 'how the demo key is sent (default: query)' },
    env: 'REXI_AUTH',
    type: 'string',
    choices: AUTH_CHOICES,
    commands: ['tail', 'url', 'demo', 'top'],
  }),
  insecure: def({
    library: 'insecure',
    group: 'Connection',
    flags: '--insecure',
    help: 'allow sending the key (or NATS credentials) over plain ws:// (nats://) to a non-loopback host',
    type: 'boolean',
    commands: ALL_BUT_SERVE,
  }),
  config: def({
    group: 'Connection',
    flags: '--config <path>',
    help: 'config file (default: $XDG_CONFIG_HOME/rexi-live/config.json)',
    env: 'REXI_CONFIG',
    type: 'string',
    commands: ['tail', 'url', 'demo', 'replay', 'callers', 'top'],
    noConfig: true,
  }),

  // The reader loop
  connectTimeout: def({ library: 'connectTimeoutMs', group: 'Connection', flags: '--connect-timeout <dur>', help: 'bound on TCP+TLS+upgrade (default: 10s)', type: 'number', commands: RETRYING }),
  backoffMin: def({ library: 'backoffMinMs', group: 'Connection', flags: '--backoff-min <dur>', help: 'shortest wait before a reconnect (default: 1s)', type: 'number', commands: RETRYING }),
  backoffMax: def({ library: 'backoffMaxMs', group: 'Connection', flags: '--backoff-max <dur>', help: 'longest wait before a reconnect (default: 30s)', type: 'number', commands: RETRYING }),
  maxRetries: def({
    library: 'maxRetries',
    group: 'Connection',
    flags: '--max-retries <n>',
    help: {
      tail: 'give up (exit 4) after n retries in a row (default: forever)',
      replay: 'give up (exit 4) after n retries in a row (default: 3 for a nats:// source)',
      callers: 'nats:// source: give up (exit 4) after n retries in a row (default: 3)',
    },
    type: 'number',
    commands: RETRYING,
  }),
  retry: def({ group: 'Connection', flags: '--no-retry', help: 'exactly one attempt: same as --max-retries 0', type: 'boolean', commands: RETRYING }),
  pingInterval: def({
    library: 'pingIntervalMs',
    group: 'Connection', ownIn: ['serve'],
    flags: '--ping-interval <dur>',
    help: { tail: 'send a ping this often (default: 15s; 0 turns heartbeats off)', demo: 'send a ping this often (default: 15s; 0 turns heartbeats off)', serve: 'ping clients this often, dropping those that did not answer (default: 15s)' },
    type: 'number',
    commands: ['tail', 'demo', 'serve', 'top'],
  }),
  pongTimeout: def({ library: 'pongTimeoutMs', group: 'Connection', flags: '--pong-timeout <dur>', help: 'reconnect when no pong or data arrives this long after a ping (default: 10s)', type: 'number', commands: LIVE_TOP }),
  idleTimeout: def({ library: 'idleTimeoutMs', group: 'Connection', flags: '--idle-timeout <dur>', help: 'reconnect when no message arrives for this long (default: off)', type: 'number', commands: LIVE_TOP }),
  maxMessageSize: def({
    library: 'maxMessageSize',
    group: 'Connection', ownIn: ['replay'],
    flags: '--max-message-size <size>',
    help: {
      tail: 'close and reconnect on a larger frame (default: 1MiB)',
      demo: 'close and reconnect on a larger frame (default: 1MiB)',
      replay: 'skip (and count) a longer line (default: 1MiB)',
      callers: 'skip (and count) a longer line (default: 1MiB)',
    },
    type: 'number',
    commands: READING_TOP,
  }),
  compress: def({ group: 'Connection', flags: '--compress', help: 'offer permessage-deflate (off by default: it costs memory and CPU)', type: 'boolean', commands: LIVE_TOP }),
  allTypes: def({ group: 'Filters', flags: '--all-types', help: 'pass every JSON object through, not only NEW_SCAN calls', type: 'boolean', commands: TAIL_LIKE }),

  // Filters
  caller: def({ library: 'caller', group: 'Filters', featured: true, flags: '--caller <name-or-id>', help: 'only calls by this caller (repeatable: any of them)', type: 'list', commands: READING_TOP }),
  excludeCaller: def({ library: 'excludeCaller', group: 'Filters', flags: '--exclude-caller <name-or-id>', help: 'drop calls by this caller (repeatable)', type: 'list', commands: READING_TOP }),
  platform: def({ library: 'platform', group: 'Filters', featured: true, flags: '--platform <name>', help: 'only this platform: telegram, discord, twitter (x is the same), ... (repeatable)', type: 'list', commands: READING_TOP }),
  minMcap: def({ library: 'minMcap', group: 'Filters', featured: true, flags: '--min-mcap <n>', help: 'market cap at least n dollars: 250000, 250k, 1.5M, 2b', type: 'number', commands: READING_TOP }),
  maxMcap: def({ library: 'maxMcap', group: 'Filters', flags: '--max-mcap <n>', help: 'market cap at most n dollars', type: 'number', commands: READING_TOP }),
  token: def({ library: 'token', group: 'Filters', flags: '--token <address>', help: 'only this token address (repeatable)', type: 'list', commands: READING_TOP }),
  callerFile: def({
    group: 'Filters',
    flags: '--caller-file <path>',
    help: {
      tail: 'only calls by the callers this file names, one name or id a line (# comments), with any --caller; a change is picked up within 5s',
      demo: 'only calls by the callers this file names, one name or id a line (# comments), with any --caller; a change is picked up within 5s',
      replay: 'only calls by the callers this file names, one name or id a line (# comments), with any --caller',
      callers: 'only calls by the callers this file names, one name or id a line (# comments), with any --caller',
      top: 'only calls by the callers this file names, one name or id a line (# comments), with any --caller; a change is picked up within 5s',
    },
    type: 'string',
    commands: READING_TOP,
  }),
  symbol: def({ library: 'symbol', group: 'Filters', flags: '--symbol <sym>', help: 'only this token symbol (repeatable)', type: 'list', commands: READING_TOP }),

  // Output
  format: def({
    group: 'Output',
    featured: true,
    ownIn: ['callers'],
    flags: '-f, --format <format>',
    help: {
      tail: 'lines (one row per call, fitted to a terminal), table or ndjson (default: lines on a terminal, ndjson otherwise)',
      callers: 'table, ndjson, csv or ids (default: table on a terminal, ndjson otherwise)',
    },
    type: 'string',
    choices: { tail: FORMAT_CHOICES, demo: FORMAT_CHOICES, replay: FORMAT_CHOICES, callers: CALLERS_FORMAT_CHOICES },
    checkedBy: ['callers'],
    commands: READING,
  }),
  receivedAt: def({ group: 'Output', flags: '--received-at', help: 'ndjson: add "received_at" (ISO-8601 UTC) to each line', type: 'boolean', commands: TAIL_LIKE }),
  color: def({
    group: 'Output',
    flags: '--color <when>',
    help: { tail: 'colour the human formats (default: auto; honours NO_COLOR, FORCE_COLOR)', top: 'colour the board (default: auto; honours NO_COLOR, FORCE_COLOR)' },
    type: 'string',
    choices: COLOR_CHOICES,
    commands: ['tail', 'demo', 'replay', 'top'],
  }),
  output: def({ group: 'Output', featured: true, flags: '-o, --output <file>', help: 'append to a file; {date} and {hour} (UTC) in the name rotate it (no other {word}); a .gz name writes gzip', type: 'string', commands: TAIL_LIKE }),
  count: def({ group: 'Output', featured: true, flags: '-n, --count <n>', help: 'exit 0 after n lines were output', type: 'number', commands: TAIL_LIKE }),
  duration: def({ group: 'Output', flags: '--duration <dur>', help: 'exit 0 after this long', type: 'number', commands: ['tail', 'demo', 'replay', 'top'] }),

  // Signals: dedupe, state, multi-call, hooks. Validated together by stages/signal-options.ts;
  // --dedupe has no commander choices so a flag and a config value get the same message.
  dedupe: def({
    library: 'dedupe',
    group: 'Signals',
    flags: '--dedupe <key>',
    help: 'drop a call whose key was already output within --dedupe-ttl: call (token+caller+timestamp), caller (token+caller) or token (the token alone)',
    type: 'string',
    complete: DEDUPE_CHOICES,
    commands: TAIL_LIKE,
  }),
  firstCall: def({ library: 'firstCall', group: 'Signals', flags: '--first-call', help: 'only the first call of each token (the same as --dedupe token)', type: 'boolean', commands: TAIL_LIKE }),
  dedupeTtl: def({ library: 'dedupeTtlMs', group: 'Signals', flags: '--dedupe-ttl <dur>', help: 'how long a dedupe key is remembered, counted from its first output (default: 24h)', type: 'number', commands: TAIL_LIKE }),
  state: def({
    group: 'Signals',
    flags: '--state <file>',
    help: 'keep dedupe keys and multi-call windows in this file across runs (saved every 30s and at exit, mode 0600; overlapping runs merge)',
    type: 'string',
    commands: TAIL_LIKE,
  }),
  stateMax: def({
    library: 'stateMax',
    group: 'Signals',
    flags: '--state-max <n>',
    help: 'most keys, and most token windows and calls in them, held; the least recently seen are forgotten first (default: 100000)',
    type: 'number',
    commands: ['tail', 'demo', 'replay', 'top'],
  }),
  minCallers: def({
    library: 'minCallers',
    group: 'Signals', featured: true, ownIn: ['top'],
    flags: '--min-callers <n>',
    help: {
      tail: 'emit a MULTI_CALL signal when n (2 or more) distinct callers have called one token within --window',
      top: 'highlight a token in Heating up once n (2 or more) distinct callers called it within --window (default: 3)',
    },
    type: 'number',
    commands: ['tail', 'demo', 'replay', 'top'],
  }),
  window: def({
    library: 'windowMs',
    group: 'Signals', ownIn: ['top'],
    flags: '--window <dur>',
    help: { tail: 'the multi-call sliding window (default: 10m)', top: 'the Heating up sliding window (default: 10m)' },
    type: 'number',
    commands: ['tail', 'demo', 'replay', 'top'],
  }),
  cooldown: def({ library: 'cooldownMs', group: 'Signals', flags: '--cooldown <dur>', help: 'after a signal, no new signal for that token for this long (default: --window)', type: 'number', commands: TAIL_LIKE }),
  withCalls: def({ library: 'withCalls', group: 'Signals', flags: '--with-calls', help: 'output the calls too, each signal after its trigger call (with --min-callers)', type: 'boolean', commands: TAIL_LIKE }),
  exec: def({
    group: 'Signals',
    flags: '--exec <command>',
    help: 'for every line output, run sh -c <command> with the line (ndjson) on stdin and REXI_TYPE, REXI_TOKEN, REXI_SYMBOL, REXI_NAME, REXI_CALLER, REXI_PLATFORM, REXI_MCAP, REXI_CALLERS in its environment',
    type: 'string',
    commands: TAIL_LIKE,
  }),
  execJobs: def({ group: 'Signals', flags: '--exec-jobs <n>', help: 'hooks running at once; at most 100 more wait, past that a run is dropped (default: 1)', type: 'number', commands: TAIL_LIKE }),
  execTimeout: def({ group: 'Signals', flags: '--exec-timeout <dur>', help: 'end a hook running longer, with its children: SIGTERM, SIGKILL 2s later (default: 10s)', type: 'number', commands: TAIL_LIKE }),
  bell: def({ group: 'Signals', flags: '--bell', help: 'ring the terminal bell for every line output (only when stderr is a terminal)', type: 'boolean', commands: TAIL_LIKE }),

  // NATS
  publish: def({
    group: 'NATS',
    flags: '--publish <nats-url>',
    help: 'publish every line output to a JetStream stream (subject from the URL path, {platform} allowed; default rexi.calls.{platform})',
    type: 'string',
    commands: LIVE,
  }),
  tee: def({ group: 'NATS', flags: '--tee', help: 'with --publish: write the lines to stdout too', type: 'boolean', commands: LIVE }),
  publishWindow: def({
    group: 'NATS',
    flags: '--publish-window <n>',
    help: 'with --publish: most publishes waiting for their acknowledgement; a full window pauses the stream (default: 256)',
    type: 'number',
    commands: LIVE,
  }),
  createStream: def({
    group: 'NATS',
    flags: '--create-stream',
    help: 'with --publish: create the stream when none captures the subject (never changes an existing one)',
    type: 'boolean',
    commands: LIVE,
  }),
  stream: def({
    library: 'stream',
    group: 'NATS', ownIn: ['replay'],
    flags: '--stream <name>',
    help: {
      tail: 'JetStream stream: the one --create-stream makes (default: REXI_CALLS), or the one to read when the subject alone does not find it',
      demo: 'JetStream stream the --create-stream makes (default: REXI_CALLS)',
      replay: 'JetStream stream to read when the subject alone does not find it',
      top: 'JetStream stream to read when the subject alone does not find it',
      callers: 'JetStream stream to read when the subject alone does not find it',
    },
    type: 'string',
    commands: READING_TOP,
  }),
  replicas: def({ group: 'NATS', flags: '--replicas <n>', help: 'with --create-stream: replicas of the new stream, 1..5 (default: 1)', type: 'number', commands: LIVE }),
  retention: def({ group: 'NATS', flags: '--retention <dur>', help: 'with --create-stream: how long the new stream keeps messages (default: 7d)', type: 'number', commands: LIVE }),
  since: def({
    library: 'since',
    group: 'NATS', ownIn: ['replay'],
    flags: '--since <dur|time>',
    help: 'nats:// source: start with messages stored since then (e.g. 1h, 7d, 2026-12-01T07:00:00Z)',
    type: 'string',
    commands: ['tail', 'replay', 'callers', 'top'],
  }),
  startSeq: def({ library: 'startSeq', group: 'NATS', ownIn: ['replay', 'callers'], flags: '--start-seq <n>', help: 'nats:// source: start at this stream sequence', type: 'number', commands: ['tail', 'replay', 'callers', 'top'] }),
  durable: def({
    library: 'durable',
    group: 'NATS', ownIn: ['replay'],
    flags: '--durable <name>',
    help: 'nats:// source: a durable consumer; each message is acknowledged once its line is written, so a restart resumes after it',
    type: 'string',
    commands: ['tail', 'replay'],
  }),
  natsCreds: def({ library: 'natsCreds', group: 'NATS', flags: '--nats-creds <file>', help: 'NATS credentials file (user JWT and seed)', env: 'NATS_CREDS', type: 'string', commands: READING_TOP }),
  natsNkey: def({ library: 'natsNkey', group: 'NATS', flags: '--nats-nkey <file>', help: 'NATS nkey seed file', env: 'NATS_NKEY', type: 'string', commands: READING_TOP }),
  natsCa: def({ library: 'natsCa', group: 'NATS', flags: '--nats-ca <file>', help: 'CA certificate(s) to verify the NATS server (implies TLS)', env: 'NATS_CA', type: 'string', commands: READING_TOP }),
  natsCert: def({ library: 'natsCert', group: 'NATS', flags: '--nats-cert <file>', help: 'client certificate for NATS TLS (with --nats-key; implies TLS)', env: 'NATS_CERT', type: 'string', commands: READING_TOP }),
  natsKey: def({ library: 'natsKey', group: 'NATS', flags: '--nats-key <file>', help: 'private key of --nats-cert', env: 'NATS_KEY', type: 'string', commands: READING_TOP }),

  // callers: the caller board (stages/caller-board.ts), resolved by config/callers.ts
  horizon: def({ group: 'own', flags: '--horizon <dur>', help: 'how long after a call later sightings count, and a repeat is a repeat (default: 24h)', type: 'number', commands: ['callers', 'top'] }),
  hit: def({ group: 'own', flags: '--hit <multiple>', help: 'a call is a hit when its observed peak is at least this multiple of its market cap: 2, 2x, 1.5x; above 1 (default: 2x)', type: 'string', commands: ['callers', 'top'] }),
  minCalls: def({
    group: 'own',
    flags: '--min-calls <n>',
    help: { callers: 'rank only callers with at least n calls (default: 5)', top: 'rank only callers with at least n calls (default: 1)' },
    type: 'number',
    commands: ['callers', 'top'],
  }),
  sort: def({
    group: 'own',
    flags: '--sort <key>',
    help: 'score (default), hit-rate, median, calls, first: descending; lead: ascending',
    type: 'string',
    choices: CALLER_SORT_CHOICES,
    checkedBy: ['callers'],
    commands: ['callers'],
  }),
  top: def({ group: 'own', flags: '--top <n>', help: 'keep the first n callers of the ranking', type: 'number', commands: ['callers'] }),
  settled: def({ group: 'own', flags: '--settled', help: 'count only calls whose horizon has passed (open calls still serve as later sightings)', type: 'boolean', commands: ['callers'] }),

  // top: the live board
  demo: def({ group: 'own', flags: '--demo', help: 'show the embedded feed (with --rate and --seed) instead of the service', type: 'boolean', commands: ['top'], noConfig: true }),
  history: def({
    group: 'own',
    flags: '--history <file...>',
    help: 'captures (NDJSON or gzip) read into the Callers panel before the stream starts',
    type: 'list',
    commands: ['top'],
    noConfig: true,
  }),

  // Diagnostics
  logLevel: def({ group: 'Logging', flags: '--log-level <level>', help: 'stderr diagnostics (default: info)', type: 'string', choices: LOG_LEVEL_CHOICES, commands: ALL }),
  quiet: def({ group: 'Logging', flags: '-q, --quiet', help: 'warnings and errors only', type: 'boolean', commands: ALL }),
  verbose: def({ group: 'Logging', flags: '-v, --verbose', help: 'debug diagnostics', type: 'boolean', commands: ALL }),

  // Running unattended
  metrics: def({
    group: 'Logging',
    flags: '--metrics <[host:]port>',
    help: 'serve Prometheus /metrics, /healthz and /readyz on this port (loopback unless a host is given; 0 picks a free port)',
    type: 'string',
    commands: ['tail', 'demo', 'serve', 'top'],
  }),

  // url
  showKey: def({ group: 'own', flags: '--show-key', help: 'print the key instead of api_key=***', type: 'boolean', commands: ['url'], noConfig: true }),

  // serve (and the demo's feed)
  host: def({ group: 'own', flags: '--host <addr>', help: 'address to listen on (default: 127.0.0.1)', type: 'string', commands: ['serve'], noConfig: true }),
  port: def({ group: 'own', flags: '--port <n>', help: 'port; 0 picks a free one (default: 8080)', type: 'number', commands: ['serve'], noConfig: true }),
  key: def({
    group: 'own',
    flags: '--key <key>',
    help: 'accepted API key (repeatable; comma-separated in the variable; none: any non-empty key)',
    env: 'REXI_SERVE_KEYS',
    type: 'list',
    commands: ['serve'],
    noConfig: true,
  }),
  rate: def({ group: 'own', flags: '--rate <msgs/s>', help: 'synthetic calls per second (default: 2)', type: 'number', commands: ['serve', 'demo', 'top'], noConfig: true }),
  seed: def({ group: 'own', flags: '--seed <n>', help: 'make the synthetic feed reproducible (default: random)', type: 'number', commands: ['serve', 'demo', 'top'], noConfig: true }),
  replay: def({ group: 'own', flags: '--replay <file>', help: 'serve a captured NDJSON file (plain or gzip) with its original spacing', type: 'string', commands: ['serve'], noConfig: true }),
  speed: def({ group: 'own', flags: '--speed <x>', help: 'with --replay: play x times faster (default: 1)', type: 'number', commands: ['serve'], noConfig: true }),
  loop: def({ group: 'own', flags: '--loop', help: 'with --replay: start again at the end', type: 'boolean', commands: ['serve'], noConfig: true }),
  retime: def({
    group: 'own',
    flags: '--retime',
    help: "with --replay: stamp each call with the current time (data.timestamp) instead of the capture's, so a --loop never goes back in time",
    type: 'boolean',
    commands: ['serve'],
    noConfig: true,
  }),
  dropEvery: def({ group: 'own', flags: '--drop-every <n>', help: 'fault injection: kill each connection abruptly after n messages', type: 'number', commands: ['serve'], noConfig: true }),
  malformedRate: def({ group: 'own', flags: '--malformed-rate <0..1>', help: 'fault injection: share of frames that are not valid calls (default: 0)', type: 'number', commands: ['serve'], noConfig: true }),
} as const satisfies Record<string, OptionDef>;

export type OptionKey = keyof typeof OPTIONS;

type FlagValue<D extends OptionDef> = D['type'] extends 'boolean' ? boolean : D['type'] extends 'list' ? string[] : string;

/** The flags of one parse, as commander gives them: strings, booleans, arrays for repeatable flags. */
export type Flags = { [K in OptionKey]?: FlagValue<(typeof OPTIONS)[K]> } & { file?: string };

/** The keys a config file may hold, with their types. */
export const CONFIG_TYPES: ReadonlyMap<string, ConfigType> = new Map(
  (Object.entries(OPTIONS) as [OptionKey, OptionDef][])
    .filter(([, d]) => d.commands.includes('tail') && !d.noConfig)
    .map(([key, d]) => [key, d.type]),
);

/** The flag a user types for a key: `--backoff-max` (`--no-retry` for `retry`). */
export function flagOf(key: OptionKey): string {
  const long = /--[a-z0-9-]+/.exec(OPTIONS[key].flags);
  return long![0];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function helpOf(d: OptionDef, command: CommandName): string {
  const text = typeof d.help === 'string' ? d.help : (d.help[command] ?? Object.values(d.help)[0]!);
  return d.env ? `${text} (env ${d.env})` : text;
}

/** The values an option takes in `command`, if it takes one of a few words. */
export function choicesOf(d: OptionDef, command: CommandName): readonly string[] | undefined {
  if (d.choices === undefined || Array.isArray(d.choices)) return d.choices as readonly string[] | undefined;
  return (d.choices as Partial<Record<CommandName, readonly string[]>>)[command];
}


function groupOf(d: OptionDef, command: CommandName): HelpGroup {
  return d.ownIn?.includes(command) ? 'own' : d.group;
}

const GROUP_RANK = new Map(HELP_GROUPS.map(([group], i) => [group, i]));

/**
 * Adds the table's options for `command` to a commander command, under their headings: the
 * command's own flags first, then Connection, Filters, Output, Signals, NATS, Logging; the table's
 * order within a heading. Commander shows the headings in the order their first option was added.
 */
export function addOptions(cmd: Command, command: CommandName): Command {
  const defs = (Object.values(OPTIONS) as OptionDef[]).filter((d) => d.commands.includes(command));
  const rank = (d: OptionDef): number => GROUP_RANK.get(groupOf(d, command))!;
  for (const d of defs.sort((a, b) => rank(a) - rank(b))) {
    const option = new Option(d.flags, helpOf(d, command)).helpGroup(HELP_GROUPS[rank(d)]![1]);
    if (d.type === 'list') option.argParser(collect);
    // A flag's choices are checked by commander, as users of commander tools expect; the same
    // values from a variable or the config file are checked where they are resolved.
    const choices = choicesOf(d, command);
    if (choices && !d.checkedBy?.includes(command)) option.choices(choices);
    cmd.addOption(option);
  }
  return cmd;
}

/** tail's ten most used flags, with their help, for `rexi-live --help` (tail is the default command). */
export function featuredTailOptions(): Array<{ flags: string; help: string }> {
  return (Object.values(OPTIONS) as OptionDef[]).filter((d) => d.featured === true).map((d) => ({ flags: d.flags, help: helpOf(d, 'tail') }));
}
