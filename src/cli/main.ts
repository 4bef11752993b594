import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError } from 'commander';
import { RexiLiveError, usageError } from '../errors.js';
import { strayArgumentMessage } from './stray-argument.js';
import { ExitCode, exitCodeOf, signalExitCode } from './exit-codes.js';
import { addOptions, featuredTailOptions, type CommandName, type Flags } from '../config/option-table.js';
import type { Environment } from '../config/options.js';
import type { Ending } from './run.js';

/**
 * Commands and flags → validated options, and the one place where a user's error becomes a line on
 * stderr and an exit code. Everything heavy is imported inside the actions, so `--version` and
 * `--help` load nothing but commander.
 */

const HELP_HINT = "(run 'rexi-live help <command>' or 'rexi-live <command> --help' for usage)";

/** Help text never wider than this, whatever the terminal. */
const HELP_WIDTH = 100;

const DURATIONS = 'Durations: 250ms, 5s, 2m, 1h; a bare number is seconds.';

const TAIL_HELP = `
Examples:
  $ REXI_API_KEY=... rexi-live --url wss://api.example.com/solana/monitor/livecalls
  $ rexi-live --base-url https://api.example.com --api-key-file ~/.rexi-key -f ndjson \\
      | jq .data.token_symbol
  $ rexi-live --platform telegram --min-mcap 250k -f table    # --platform x matches twitter too
  $ rexi-live -f ndjson --received-at --duration 1h -o 'calls-{date}.ndjson'
  $ rexi-live -f ndjson --received-at -o 'calls-{date}.ndjson.gz'     # gzip, flushed every second
  $ rexi-live --first-call --state ~/.rexi-first.json -o 'first-{date}.ndjson'
  $ rexi-live --min-callers 3 --window 10m       # MULTI_CALL: 3 callers on one token in 10 minutes
  $ rexi-live --min-callers 3 --exec 'notify-send "$REXI_SYMBOL: $REXI_CALLERS callers"'
  $ rexi-live --dedupe caller --platform telegram -f table    # one call per caller per token
  $ rexi-live --publish nats://127.0.0.1:4222 --metrics 9464   # /metrics, /healthz, /readyz

Filters that let nothing through for 10 s or 1,000 calls say so on stderr, with the callers and
platforms seen. -o takes {date} and {hour} (UTC) in the name; any other {word} is an error.

Hooks (--exec) get the line on stdin and REXI_* variables: feed text is never part of the command.

NATS JetStream (publish every call once, read it from anywhere):
  $ rexi-live --base-url https://api.example.com --publish nats://127.0.0.1:4222 --create-stream
  $ rexi-live --publish 'nats://n1:4222,n2:4222/rexi.calls.{platform}' --tee -f lines
  $ rexi-live --url nats://127.0.0.1:4222/rexi.calls.telegram -f table    # new calls
  $ rexi-live --url nats://127.0.0.1:4222 --durable bot -o calls.ndjson    # resumes after a restart
  $ rexi-live --url tls://nats.example.com --nats-creds bot.creds --since 1h
NATS URLs: nats://[user:pass@|token@]host[:port][,host:port...]/<subject>, tls:// for TLS;
credentials also from --nats-creds, --nats-nkey, NATS_USER/NATS_PASSWORD (never printed).

${DURATIONS}
Exit codes: 0 done (--count, --duration, stdout closed), 2 usage or configuration,
3 authentication rejected (the service, a proxy or NATS), 4 gave up connecting, 5 output error
(a refused NATS publish too), 129/130/143 SIGHUP/SIGINT/SIGTERM (after a clean stop).`;

type CommandModule = { default: (flags: Flags, environment: Environment) => Promise<Ending> };

export function buildProgram(version: string, environment: Environment, setResult: (r: Promise<Ending>) => void, argv: readonly string[] = []): Command {
  const program: Command = new Command('rexi-live')
    .description('Tail the RexiAPI live-calls stream (WebSocket /solana/monitor/livecalls) from a terminal, a pipe or cron.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError(HELP_HINT)
    .configureOutput({
      outputError: (str, write) => write(`rexi-live: ${str}`),
      // Help stays within 100 columns, narrower on a narrower terminal.
      getOutHelpWidth: () => Math.min(process.stdout.isTTY ? process.stdout.columns || HELP_WIDTH : HELP_WIDTH, HELP_WIDTH),
      getErrHelpWidth: () => Math.min(process.stderr.isTTY ? process.stderr.columns || HELP_WIDTH : HELP_WIDTH, HELP_WIDTH),
    })
    .exitOverride()
    // tail is the default command: its most used flags are part of the program's help.
    .addHelpText('after', (): string => featuredHelp(program))
    .addHelpText(
      'after',
      `
Examples:
  $ rexi-live demo                              # a local feed, tailed: no key needed
  $ REXI_API_KEY=... rexi-live --base-url https://api.example.com
  $ rexi-live --platform telegram --min-mcap 250k | jq -r .data.token_address
  $ rexi-live replay calls-2026-11-25.ndjson -f table
  $ rexi-live callers calls-2026-11-*.ndjson.gz --top 20     # who to follow: callers ranked
  $ rexi-live --publish nats://127.0.0.1:4222 --create-stream    # one connection, many readers
  $ rexi-live --url nats://127.0.0.1:4222 --durable bot          # a reader on any host

Environment: REXI_WS_URL, REXI_BASE_URL, REXI_API_KEY, REXI_AUTH, REXI_CONFIG, REXI_SERVE_KEYS,
HTTPS_PROXY / HTTP_PROXY / NO_PROXY, NO_COLOR, FORCE_COLOR, NATS_USER / NATS_PASSWORD, NATS_CREDS,
NATS_NKEY, NATS_CA / NATS_CERT / NATS_KEY.
Exit codes: 0 done, 1 internal error, 2 usage or configuration, 3 authentication rejected,
4 gave up connecting, 5 output error, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.
'rexi-live <command> --help' shows each command's flags.`,
    );

  const run = (load: () => Promise<CommandModule>) => (flags: Flags, cmd: Command) => {
    checkArguments(program, cmd, 0, argv);
    setResult(load().then((m) => m.default(flags, environment)));
  };
  // Excess arguments are allowed through to checkArguments, which words them for what the user meant.
  const command = (name: CommandName, description: string, options: { isDefault?: boolean } = {}): Command =>
    addOptions(program.command(name, options).description(description), name).allowExcessArguments(true);

  command('tail', 'tail the stream (the default command); --url nats://... tails a JetStream stream instead', { isDefault: true })
    .addHelpText('after', TAIL_HELP)
    .action(run(() => import('./commands/tail.js')));

  command('url', 'print the WebSocket URL tail would connect to (key redacted)')
    .addHelpText('after', `
Examples:
  $ REXI_BASE_URL=https://api.example.com REXI_API_KEY=... rexi-live url
  wss://api.example.com/solana/monitor/livecalls?api_key=***
  $ websocat "$(rexi-live url --show-key)"`)
    .action(run(() => import('./commands/url.js')));

  command('serve', 'run a local live-calls feed speaking the same protocol')
    .addHelpText('after', `
Prints "listening on ws://HOST:PORT/solana/monitor/livecalls" on stderr once ready.
Exit codes: 2 usage, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM (clients closed with 1001).

Examples:
  $ rexi-live serve --port 8080 --rate 20 --key devkey
  $ REXI_WS_URL=ws://127.0.0.1:8080/solana/monitor/livecalls REXI_API_KEY=devkey rexi-live
  $ rexi-live serve --replay calls-2026-11-25.ndjson --speed 10 --loop
  $ rexi-live serve --replay calls-2026-11-25.ndjson --loop --retime   # calls dated now
  $ rexi-live serve --drop-every 100 --malformed-rate 0.05    # test your pipeline's resilience
  $ rexi-live serve --metrics 0          # rexi_serve_clients, rexi_serve_sent_total on /metrics`)
    .action(run(() => import('./commands/serve.js')));

  command('demo', 'start the embedded feed on a free loopback port and tail it')
    .addHelpText('after', `
Prints "demo feed on ws://..." on stderr once ready: plain text even when the other lines are JSON.

Examples:
  $ rexi-live demo
  $ rexi-live demo --rate 20 -f table
  $ rexi-live demo --rate 50 --min-callers 2 --window 10m    # multi-call signals within seconds
  $ rexi-live demo --caller "Gem Hunters Calls" --caller sol_scout
  $ rexi-live demo -f ndjson --count 3 | jq .data.token_symbol
  $ rexi-live demo --rate 20 --publish nats://127.0.0.1:4222 --create-stream

${DURATIONS}`)
    .action(run(() => import('./commands/demo.js')));

  command('replay', 'render a captured NDJSON file, plain or gzip (or - for stdin), or what a JetStream stream holds, then exit')
    .argument('<file|-|nats-url>', 'a capture written by tail -f ndjson (plain or gzip), - for stdin, or nats://host[:port]/<subject>')
    .addHelpText('after', `
Examples:
  $ rexi-live replay calls-2026-11-25.ndjson -f table --platform telegram
  $ rexi-live replay calls-2026-11-25.ndjson.gz --min-mcap 1M -f ndjson | jq -r .data.token_address
  $ cat calls-2026-11-2*.ndjson | rexi-live replay - --received-at > week.ndjson
  $ rexi-live replay nats://127.0.0.1:4222/rexi.calls.telegram --since 24h -f table
  $ rexi-live replay nats://127.0.0.1:4222 --start-seq 1000 -n 50 -f ndjson
A nats:// source is read once: unreachable, it gives up after 3 retries (exit 4; --max-retries).`)
    .action((file: string, flags: Flags, cmd: Command) => {
      checkArguments(program, cmd, 1, argv);
      setResult(import('./commands/replay.js').then((m) => m.default({ ...flags, file }, environment)));
    });

  command('top', 'a full-screen live board of the stream: heating up, callers, latest calls')
    .addHelpText('after', `
Reads what tail reads (the service, --url nats://..., or the embedded feed with --demo), through
the same filters. stdout must be a terminal (to pipe the stream: rexi-live tail -f ndjson).

Keys: q or Ctrl-C quit, p pause, / filter (Enter applies, Esc clears), Tab next panel, ↑/↓ select,
c copy the token's address (OSC 52), o the token's links (OSC 8), ? keys.

Examples:
  $ rexi-live top --demo --rate 20
  $ REXI_API_KEY=... rexi-live top --base-url https://api.example.com --platform telegram
  $ rexi-live top --url 'nats://127.0.0.1:4222/rexi.calls.>' --min-callers 2 --window 5m
  $ rexi-live top --history calls-2026-11-*.ndjson.gz --horizon 12h --hit 3x

${DURATIONS}
Exit codes: 0 quit with q (or --duration), 2 usage (stdout not a terminal too), 3 authentication
rejected, 4 gave up connecting, 129/130/143 SIGHUP/SIGINT (Ctrl-C)/SIGTERM.`)
    .action(run(() => import('./commands/top.js')));

  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', COMPLETION_HELP)
    .action((shell: string) =>
      setResult(
        import('./completion.js').then(({ commandsOf, completionScript, parseShell }) => {
          process.stdout.write(completionScript(parseShell(shell), commandsOf(program)));
          return {};
        }),
      ),
    );

  command('callers', 'rank the callers in captures (plain, gzip, - for stdin) or a JetStream stream, then exit')
    .argument('<sources...>', 'captures written by tail -f ndjson, - for stdin, or nats://host[:port]/<subject>; merged by time')
    .addHelpText('after', `
What the numbers mean (README "Who to follow"): a call's multiple is the highest market cap
later calls of its token reported within --horizon, over its own; a hit is a multiple of at
least --hit; score is the 95% lower bound of the hit rate, so one lucky call does not top it.

Examples:
  $ rexi-live callers calls-2026-11-*.ndjson.gz
  $ rexi-live callers calls.ndjson --platform telegram --hit 3x --sort first --top 20
  $ rexi-live callers a.ndjson b.ndjson -f csv > callers.csv     # two writers' captures, merged
  $ rexi-live callers nats://127.0.0.1:4222 --since 7d --settled      # what the stream holds
  $ rexi-live callers calls-*.ndjson.gz --settled --top 20 -f ids > ~/.config/rexi-live/top20.txt
  $ rexi-live --caller-file ~/.config/rexi-live/top20.txt --min-callers 2   # follow them

${DURATIONS} --horizon also takes 7d, 2w.
Exit codes: 0 done, 2 usage (a bad value, a missing file), 3 NATS credentials rejected,
4 a JetStream stream that cannot be reached (after --max-retries, default 3).`)
    .action((sources: string[], flags: Flags) =>
      setResult(import('./commands/callers.js').then((m) => m.default({ ...flags, sources }, environment))),
    );

  return program;
}

const COMPLETION_HELP = `
Install (open a new shell afterwards):
  bash  $ rexi-live completion bash > ~/.local/share/bash-completion/completions/rexi-live
        (or add to ~/.bashrc: source <(rexi-live completion bash))
  zsh   $ rexi-live completion zsh > "\${fpath[1]}/_rexi-live"     # a directory of $fpath
        (or add to ~/.zshrc, after compinit: source <(rexi-live completion zsh))
  fish  $ rexi-live completion fish > ~/.config/fish/completions/rexi-live.fish

The script is written from the same table as the flags: regenerate it after an upgrade.`;

/** tail's ten most used flags, laid out as commander lays out options. */
function featuredHelp(program: Command): string {
  const helper = program.createHelp();
  helper.helpWidth = HELP_WIDTH;
  const featured = featuredTailOptions();
  const termWidth = Math.max(...featured.map((o) => o.flags.length));
  const items = featured.map((o) => helper.formatItem(o.flags, termWidth, o.help, helper));
  return `\nTail options, the most used ('rexi-live tail --help' lists them all):\n${items.join('\n')}`;
}

/**
 * A word the command does not take is a usage error in the tool's own one-line style, worded for
 * what was most likely meant: `rexi-live tial` is a mistyped command (tail is the default command,
 * so commander alone would call it an excess argument of tail), `--duration 10 minutes` a value
 * split in two.
 */
function checkArguments(program: Command, cmd: Command, expected: number, argv: readonly string[]): void {
  if (cmd.args.length <= expected) return;
  const words = argv.slice(2);
  const explicit = words[0] === cmd.name();
  const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
  throw usageError(strayArgumentMessage(cmd.args[expected]!, explicit ? words.slice(1) : words, cmd.options, names, explicit, cmd.name()));
}

function readVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(message: string, exitCode: number): number {
  process.stderr.write(`rexi-live: error: ${message}\n`);
  return exitCode;
}

/** Runs the CLI and sets the process's exit code; a run that ended by a signal re-raises it instead. */
export async function main(argv: string[]): Promise<void> {
  const environment: Environment = {
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    homedir: os.homedir(),
  };
  // A reader of stdout that goes away (`--help | head -1`) ends the output, not the process with a
  // stack trace; tail's own stdout output also listens, and ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`rexi-live: error: cannot write to stdout: ${err.message}\n`);
  });
  let result: Promise<Ending> | undefined;
  const program = buildProgram(readVersion(), environment, (r) => (result = r), argv);
  let exitCode: number;
  try {
    await program.parseAsync(argv);
    const ending = await result;
    if (ending?.signal) {
      // End by the same signal, as Unix tools do: the shell sees 129/130/143, systemd a clean stop.
      // The run is over, so no handler is left to serve: one a library installed (proper-lockfile's
      // signal-exit, loaded by --state) would catch the signal and let the process exit with 143
      // as a code instead.
      process.removeAllListeners(ending.signal);
      process.kill(process.pid, ending.signal);
      // Still here: the signal is ignored (inherited SIG_IGN, as in a shell's background job).
      process.exitCode = signalExitCode(ending.signal);
      return;
    }
    exitCode = ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; every other commander error is a usage error.
      exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? ExitCode.ok : ExitCode.usage;
    } else if (err instanceof RexiLiveError) {
      // A message may quote a server (a close reason): nothing in it may act on the terminal.
      const { sanitize } = await import('../render/sanitize.js');
      exitCode = fail(sanitize(err.message), exitCodeOf(err.code));
    } else {
      // A bug of ours: one line, not a stack trace; REXI_DEBUG=1 shows where.
      if (process.env.REXI_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
      exitCode = fail(`internal error: ${(err as Error)?.message ?? String(err)}`, ExitCode.internal);
    }
  }
  // exitCode, not exit(): pending stdout writes must drain before the process ends.
  process.exitCode = exitCode;
}
