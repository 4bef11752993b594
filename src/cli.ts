import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, UserError } from './errors.js';
import type { Environment, Flags } from './options.js';

/**
 * Commands and flags → validated options, and the one place where a user's error becomes a line on
 * stderr and an exit code. Everything heavy is imported inside the actions, so `--version` and
 * `--help` load nothing but commander.
 */

const HELP_HINT = "(run 'rexi-live help <command>' or 'rexi-live <command> --help' for usage)";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function addConnectOptions(cmd: Command): Command {
  return cmd
    .option('--url <ws-url>', 'full endpoint URL (env REXI_WS_URL)')
    .option('--base-url <url>', 'service base URL; /solana/monitor/livecalls is appended, http→ws, https→wss (env REXI_BASE_URL)')
    .option('--api-key-file <path>', 'read the API key from a file (env REXI_API_KEY holds the key itself)')
    .option('--api-key <key>', 'the API key (warns: it shows in the process list)')
    .addOption(new Option('--auth <mode>', 'how the key is sent: query (?api_key=), header (X-API-Key) or bearer (default: query; env REXI_AUTH)').choices(['query', 'header', 'bearer']))
    .option('--insecure', 'allow sending the key over plain ws:// to a non-loopback host')
    .option('--config <path>', 'config file (env REXI_CONFIG; default: $XDG_CONFIG_HOME/rexi-live/config.json)');
}

function addStreamOptions(cmd: Command): Command {
  return cmd
    .option('--connect-timeout <dur>', 'bound on TCP+TLS+upgrade (default: 10s)')
    .option('--backoff-min <dur>', 'shortest wait before a reconnect (default: 1s)')
    .option('--backoff-max <dur>', 'longest wait before a reconnect (default: 30s)')
    .option('--max-retries <n>', 'give up (exit 4) after n retries in a row (default: forever)')
    .option('--no-retry', 'exactly one attempt: same as --max-retries 0')
    .option('--ping-interval <dur>', 'send a ping this often (default: 15s; 0 turns heartbeats off)')
    .option('--pong-timeout <dur>', 'reconnect when no pong or data arrives this long after a ping (default: 10s)')
    .option('--idle-timeout <dur>', 'reconnect when no message arrives for this long (default: off)')
    .option('--max-message-size <size>', 'close and reconnect on a larger frame (default: 1MiB)')
    .option('--compress', 'offer permessage-deflate (off by default: it costs memory and CPU)')
    .option('--all-types', 'pass every JSON object through, not only NEW_SCAN calls');
}

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--caller <name-or-id>', 'only calls by this caller (repeatable: any of them)', collect)
    .option('--exclude-caller <name-or-id>', 'drop calls by this caller (repeatable)', collect)
    .option('--platform <name>', 'only this platform: telegram, discord, twitter, ... (repeatable)', collect)
    .option('--min-mcap <n>', 'market cap at least n dollars: 250000, 250k, 1.5M, 2b')
    .option('--max-mcap <n>', 'market cap at most n dollars')
    .option('--token <address>', 'only this token address (repeatable)', collect)
    .option('--symbol <sym>', 'only this token symbol (repeatable)', collect);
}

function addOutputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'lines, table or ndjson (default: lines on a terminal, ndjson otherwise)').choices(['lines', 'table', 'ndjson']))
    .option('--received-at', 'ndjson: add "received_at" (ISO-8601 UTC) to each line')
    .addOption(new Option('--color <when>', 'colour the human formats (default: auto; honours NO_COLOR, FORCE_COLOR)').choices(['auto', 'always', 'never']))
    .option('-o, --output <file>', 'append to a file; {date} and {hour} (UTC) in the name rotate it; a .gz name writes gzip')
    .option('-n, --count <n>', 'exit 0 after n calls were output')
    .option('--duration <dur>', 'exit 0 after this long');
}

function addLogOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--log-level <level>', 'stderr diagnostics (default: info)').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .option('-q, --quiet', 'warnings and errors only')
    .option('-v, --verbose', 'debug diagnostics');
}

const DURATIONS = 'Durations: 250ms, 5s, 2m, 1h; a bare number is seconds.';

const TAIL_HELP = `
Examples:
  $ REXI_API_KEY=... rexi-live --url wss://api.example.com/solana/monitor/livecalls
  $ rexi-live --base-url https://api.example.com --api-key-file ~/.rexi-key -f ndjson | jq .data.token_symbol
  $ rexi-live --platform telegram --min-mcap 250k -f table
  $ rexi-live -f ndjson --received-at --duration 1h -o 'calls-{date}.ndjson'
  $ rexi-live -f ndjson --received-at -o 'calls-{date}.ndjson.gz'    # gzip, flushed every second

${DURATIONS}
Exit codes: 0 done (--count, --duration, stdout closed), 2 usage or configuration,
3 authentication rejected, 4 gave up connecting, 5 output error,
129/130/143 SIGHUP/SIGINT/SIGTERM (after a clean stop).`;

/** How a command ended: an exit code, or a signal to end by after the clean stop. */
export interface Outcome {
  exitCode: number;
  signal?: NodeJS.Signals;
}

type CommandModule = { default: (flags: Flags, environment: Environment) => Promise<Outcome> };

export function buildProgram(version: string, environment: Environment, setResult: (r: Promise<Outcome>) => void): Command {
  const program = new Command('rexi-live')
    .description('Tail the RexiAPI live-calls stream (WebSocket /solana/monitor/livecalls) from a terminal, a pipe or cron.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError(HELP_HINT)
    .configureOutput({ outputError: (str, write) => write(`rexi-live: ${str}`) })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ rexi-live demo                              # a local feed, tailed: no key needed
  $ REXI_API_KEY=... rexi-live --base-url https://api.example.com
  $ rexi-live --platform telegram --min-mcap 250k | jq -r .data.token_address
  $ rexi-live replay calls-2026-11-25.ndjson -f table

Environment: REXI_WS_URL, REXI_BASE_URL, REXI_API_KEY, REXI_AUTH, REXI_CONFIG, REXI_SERVE_KEYS,
HTTPS_PROXY / HTTP_PROXY / NO_PROXY, NO_COLOR, FORCE_COLOR.
Exit codes: 0 done, 1 internal error, 2 usage or configuration, 3 authentication rejected,
4 gave up connecting, 5 output error, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.
'rexi-live <command> --help' shows each command's flags.`,
    );

  const run = (load: () => Promise<CommandModule>) => (flags: Flags) =>
    setResult(load().then((m) => m.default(flags, environment)));

  const tail = program.command('tail', { isDefault: true }).description('tail the stream (the default command)');
  addLogOptions(addOutputOptions(addFilterOptions(addStreamOptions(addConnectOptions(tail)))))
    .addHelpText('after', TAIL_HELP)
    .action(run(() => import('./commands/tail-command.js')));

  const url = program.command('url').description('print the WebSocket URL tail would connect to (key redacted)');
  addLogOptions(addConnectOptions(url))
    .option('--show-key', 'print the key instead of api_key=***')
    .addHelpText('after', `
Examples:
  $ REXI_BASE_URL=https://api.example.com REXI_API_KEY=... rexi-live url
  wss://api.example.com/solana/monitor/livecalls?api_key=***
  $ websocat "$(rexi-live url --show-key)"`)
    .action(run(() => import('./commands/url-command.js')));

  const serve = program.command('serve').description('run a local live-calls feed speaking the same protocol');
  serve
    .option('--host <addr>', 'address to listen on (default: 127.0.0.1)')
    .option('--port <n>', 'port; 0 picks a free one (default: 8080)')
    .option('--key <key>', 'accepted API key (repeatable; env REXI_SERVE_KEYS, comma-separated; none: any non-empty key)', collect)
    .option('--rate <msgs/s>', 'synthetic calls per second (default: 2)')
    .option('--seed <n>', 'make the synthetic feed reproducible (default: random)')
    .option('--replay <file>', 'serve a captured NDJSON file (plain or gzip) with its original spacing')
    .option('--speed <x>', 'with --replay: play x times faster (default: 1)')
    .option('--loop', 'with --replay: start again at the end')
    .option('--drop-every <n>', 'fault injection: kill each connection abruptly after n messages')
    .option('--malformed-rate <0..1>', 'fault injection: share of frames that are not valid calls (default: 0)')
    .option('--ping-interval <dur>', 'ping clients this often, dropping those that did not answer (default: 15s)');
  addLogOptions(serve)
    .addHelpText('after', `
Prints "listening on ws://HOST:PORT/solana/monitor/livecalls" on stderr once ready.
Exit codes: 2 usage, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM (clients closed with 1001).

Examples:
  $ rexi-live serve --port 8080 --rate 20 --key devkey
  $ REXI_WS_URL=ws://127.0.0.1:8080/solana/monitor/livecalls REXI_API_KEY=devkey rexi-live
  $ rexi-live serve --replay calls-2026-11-25.ndjson --speed 10 --loop
  $ rexi-live serve --drop-every 100 --malformed-rate 0.05    # test your pipeline's resilience`)
    .action(run(() => import('./commands/serve-command.js')));

  const demo = program.command('demo').description('start the embedded feed on a free loopback port and tail it');
  demo
    .option('--rate <msgs/s>', 'synthetic calls per second (default: 2)')
    .option('--seed <n>', 'make the synthetic feed reproducible (default: random)')
    .addOption(new Option('--auth <mode>', 'how the demo key is sent (default: query)').choices(['query', 'header', 'bearer']))
    .option('--config <path>', 'config file for tail options (env REXI_CONFIG)');
  addLogOptions(addOutputOptions(addFilterOptions(addStreamOptions(demo))))
    .addHelpText('after', `
Examples:
  $ rexi-live demo
  $ rexi-live demo --rate 20 -f table
  $ rexi-live demo -f ndjson --count 3 | jq .data.token_symbol

${DURATIONS}`)
    .action(run(() => import('./commands/demo-command.js')));

  const replay = program.command('replay').description('render a captured NDJSON file, plain or gzip (or - for stdin), with the same filters and formats');
  replay.argument('<file>', 'a capture written by tail -f ndjson (with or without --received-at, plain or gzip), or - for stdin');
  replay
    .option('--all-types', 'pass every JSON object through, not only NEW_SCAN calls')
    .option('--max-message-size <size>', 'skip (and count) a longer line (default: 1MiB)')
    .option('--config <path>', 'config file for tail options (env REXI_CONFIG)');
  addLogOptions(addOutputOptions(addFilterOptions(replay)))
    .addHelpText('after', `
Examples:
  $ rexi-live replay calls-2026-11-25.ndjson -f table --platform telegram
  $ rexi-live replay calls-2026-11-25.ndjson.gz --min-mcap 1M -f ndjson | jq -r .data.token_address
  $ cat calls-2026-11-2*.ndjson | rexi-live replay - --received-at > week.ndjson`)
    .action((file: string, flags: Flags) =>
      setResult(import('./commands/replay-command.js').then((m) => m.default({ ...flags, file }, environment))),
    );

  return program;
}

function readVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(message: string, exitCode: number): number {
  process.stderr.write(`rexi-live: error: ${message}\n`);
  return exitCode;
}

/** Runs the CLI; resolves to the exit code. A run that ended by a signal re-raises it instead. */
export async function main(argv: string[]): Promise<void> {
  const environment: Environment = {
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    homedir: os.homedir(),
  };
  let result: Promise<Outcome> | undefined;
  const program = buildProgram(readVersion(), environment, (r) => (result = r));
  let exitCode: number;
  try {
    await program.parseAsync(argv);
    const outcome = await result;
    if (outcome?.signal) {
      // End by the same signal, as Unix tools do: the shell sees 130/143, systemd a clean stop.
      process.kill(process.pid, outcome.signal);
      // Still here: the signal is ignored (inherited SIG_IGN, as in a shell's background job).
      process.exitCode = outcome.exitCode;
      return;
    }
    exitCode = outcome?.exitCode ?? ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; every other commander error is a usage error.
      exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? ExitCode.ok : ExitCode.usage;
    } else if (err instanceof UserError) {
      exitCode = fail(err.message, err.exitCode);
    } else {
      // A bug of ours: one line, not a stack trace; REXI_DEBUG=1 shows where.
      if (process.env.REXI_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
      exitCode = fail(`internal error: ${(err as Error)?.message ?? String(err)}`, ExitCode.internal);
    }
  }
  // exitCode, not exit(): pending stdout writes must drain before the process ends.
  process.exitCode = exitCode;
}
