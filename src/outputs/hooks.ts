import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { ndjsonText } from '../render/ndjson.js';
import { present, type Call } from '../wire/calls.js';
import type { Batch, Message, SignalMessage } from '../wire/message.js';
import type { Output } from '../pipeline/output.js';

/**
 * --exec: a shell command run for every line output, as an output beside stdout that never slows
 * the stream (`behind` is always false): at most `jobs` run at once, at most 100 wait, and past that
 * a run is dropped and counted.
 *
 * Feed text never becomes part of a command line. The command is the user's, fixed at start; a
 * token name reaches the hook only as data, on stdin (the ndjson line) and in REXI_* variables, so
 * `$(touch pwned)` in a name is text a script can print, never code the shell runs. The hook's
 * environment is ours minus the API key, the NATS credentials and our own REXI_* settings (which may
 * hold a key in REXI_WS_URL); its stdout and stderr go to our stderr, never into the data on stdout.
 *
 * Each hook leads its own process group, so a hook that outlives --exec-timeout is ended with
 * everything it started: SIGTERM to the group, SIGKILL two seconds later. Failures, timeouts and
 * drops are counted and warned about at most once a second, never fatal.
 */

export interface HookOptions {
  command: string;
  /** --exec-jobs: hooks running at once. */
  jobs: number;
  /** --exec-timeout. */
  timeoutMs: number;
  /** Our environment; the hooks get it minus the secrets. */
  env: Record<string, string | undefined>;
  /** Where the hooks' stdout and stderr go: a file descriptor (default 2, our stderr) or a stream. */
  stderr?: number | Writable;
  warn: (message: string) => void;
  /** The message's ndjson line, newline included (default: the line `-f ndjson` writes). */
  line?: (message: Message) => string;
  /** Runs waiting at most; past that a run is dropped. */
  maxWaiting?: number;
  /** Between SIGTERM and SIGKILL. */
  killAfterMs?: number;
  /** The shell; `sh -c` by its full path, so PATH cannot swap it. */
  shell?: string;
  /** For the warnings' rate limit. */
  clock?: () => number;
}

export interface HookOutput extends Output {
  /** Hooks started. */
  readonly started: number;
  /** Non-zero exit, killed by a signal, could not start, or timed out. */
  readonly failed: number;
  readonly timedOut: number;
  readonly dropped: number;
}

export const MAX_WAITING = 100;
const KILL_AFTER_MS = 2000;
const WARN_EVERY_MS = 1000;

/** Never passed to a hook: the API key, NATS credentials, and our own REXI_* settings. */
const SECRET_NAMES = new Set(['NATS_USER', 'NATS_PASSWORD', 'NATS_TOKEN', 'NATS_CREDS', 'NATS_NKEY', 'NATS_KEY']);

export function hookBaseEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('REXI_') || SECRET_NAMES.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** An environment value: NUL cannot be passed to a process, so it is dropped. */
const envText = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v).replaceAll('\0', ''));

/** The REXI_* variables of a message. */
export function hookVariables(message: Message): Record<string, string> {
  if (message.kind === 'call') return callVariables(message);
  if (message.kind === 'signal') return signalVariables(message);
  let type: unknown;
  try {
    type = (JSON.parse(message.raw) as { type?: unknown }).type;
  } catch {
    type = undefined;
  }
  return { REXI_TYPE: typeof type === 'string' ? envText(type) : '' };
}

function callVariables(call: Call): Record<string, string> {
  const c = call.caller;
  return {
    REXI_TYPE: 'NEW_SCAN',
    REXI_TOKEN: envText(call.tokenAddress),
    REXI_SYMBOL: envText(call.tokenSymbol),
    REXI_NAME: envText(call.tokenName),
    REXI_CALLER: envText(present(c.name) ?? c.id),
    REXI_PLATFORM: envText(c.platform),
    REXI_MCAP: envText(call.marketCap),
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A signal's variables; read defensively, since a signal read back from a stream is anyone's JSON. */
function signalVariables(signal: SignalMessage): Record<string, string> {
  let data: Record<string, unknown>;
  try {
    data = obj(obj(signal.value).data);
  } catch {
    data = {};
  }
  const caller = obj(obj(obj(data.trigger).data).caller);
  const mcap = data.market_cap;
  return {
    REXI_TYPE: 'MULTI_CALL',
    REXI_TOKEN: envText(str(data.token_address)),
    REXI_SYMBOL: envText(str(data.token_symbol)),
    REXI_NAME: envText(str(data.token_name)),
    REXI_CALLER: envText(present(str(caller.name)) ?? str(caller.id)),
    REXI_PLATFORM: envText(str(caller.platform)),
    REXI_MCAP: typeof mcap === 'number' && Number.isFinite(mcap) ? String(mcap) : '',
    REXI_CALLERS: Array.isArray(data.callers) ? String(data.callers.length) : '',
  };
}

const ndjsonLine = (m: Message): string => (m.kind === 'signal' ? m.raw : ndjsonText(m.raw, m.ascii)) + '\n';

interface Job {
  line: string;
  env: Record<string, string>;
}

export function createHookOutput(options: HookOptions): HookOutput {
  const { command, jobs, timeoutMs } = options;
  const shell = options.shell ?? '/bin/sh';
  const maxWaiting = options.maxWaiting ?? MAX_WAITING;
  const killAfterMs = options.killAfterMs ?? KILL_AFTER_MS;
  const clock = options.clock ?? Date.now;
  const lineOf = options.line ?? ndjsonLine;
  const sink = options.stderr ?? 2;
  const base = hookBaseEnv(options.env);
  const waiting: Job[] = [];
  const idleWaiters: (() => void)[] = [];
  // Hooks running now; and since the start: started, failed, timed out, dropped, ended well, and
  // failed by outliving --exec-timeout (counted when it ended, as `failed` is).
  const n = { running: 0, started: 0, failed: 0, timedOut: 0, dropped: 0, ok: 0, lateEnded: 0 };
  let closing = false;
  let lastWarned = -Infinity;

  const warn = (what: string): void => {
    const now = clock();
    if (now - lastWarned < WARN_EVERY_MS) return;
    lastWarned = now;
    options.warn(`--exec: ${what} (hooks ${n.started}, failed ${n.failed}, dropped ${n.dropped} so far)`);
  };

  const settle = (): void => {
    if (n.running === 0 && waiting.length === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const next = (): void => {
    while (n.running < jobs && waiting.length > 0) run(waiting.shift()!);
    settle();
  };

  function run(job: Job): void {
    n.running++;
    n.started++;
    let child: ChildProcess;
    const stdio = typeof sink === 'number' ? (['pipe', sink, sink] as const) : (['pipe', 'pipe', 'pipe'] as const);
    try {
      // detached: the hook leads a new process group, which a timeout ends as a whole.
      child = spawn(shell, ['-c', command], { detached: true, env: { ...base, ...job.env }, stdio: [...stdio] });
    } catch (err) {
      n.running--;
      n.failed++;
      warn(`a hook could not start: ${(err as Error).message}`);
      return;
    }
    let over = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (why: string | undefined): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      n.running--;
      if (why !== undefined) {
        n.failed++;
        warn(why);
      }
      next();
    };
    child.on('error', (err) => finish(`a hook could not start: ${err.message}`));
    child.stdin?.on('error', () => undefined); // a hook that does not read its stdin is fine
    child.stdin?.end(job.line);
    if (typeof sink !== 'number') {
      child.stdout?.pipe(sink, { end: false });
      child.stderr?.pipe(sink, { end: false });
    }
    const pid = child.pid;
    let late = false;
    if (pid !== undefined) {
      timer = setTimeout(() => {
        late = true;
        n.timedOut++;
        killGroup(pid, 'SIGTERM');
        killLeftovers(pid, killAfterMs);
      }, timeoutMs);
    }
    // The slot is free once the hook's shell has exited, so a dying hook still counts as running.
    child.on('exit', (code, signal) => {
      if (late) {
        if (!over) n.lateEnded++;
        finish(`a hook ran longer than --exec-timeout (${timeoutMs}ms): ended it and its children`);
      } else if (code === 0) {
        if (!over) n.ok++;
        finish(undefined);
      }
      else finish(signal !== null ? `a hook was killed by ${signal}` : `a hook exited with code ${code}`);
    });
  }

  return {
    behind: false,
    error: undefined,
    gone: false,
    ready: () => Promise.resolve(),
    get started() {
      return n.started;
    },
    get failed() {
      return n.failed;
    },
    get timedOut() {
      return n.timedOut;
    },
    get dropped() {
      return n.dropped;
    },

    write(batch: Batch): void {
      for (const m of batch) {
        if (closing) break;
        if (n.running < jobs && waiting.length === 0) {
          run({ line: lineOf(m), env: hookVariables(m) });
        } else if (waiting.length < maxWaiting) {
          waiting.push({ line: lineOf(m), env: hookVariables(m) });
        } else {
          n.dropped++;
          warn(`${maxWaiting} hooks are waiting already: dropped one`);
        }
      }
    },

    /** Waits for running and waiting hooks up to --exec-timeout; those still waiting then are dropped. */
    async close(): Promise<void> {
      closing = true;
      if (n.running > 0 || waiting.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
        ]);
        clearTimeout(timer);
      }
      if (waiting.length > 0) {
        n.dropped += waiting.length;
        warn(`stopping: dropped ${waiting.length} hooks still waiting`);
        waiting.length = 0;
      }
      // Those still running end by their own timeout.
      if (n.running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },

    summary: () => `hooks ${n.started} (failed ${n.failed}, dropped ${n.dropped})`,
    tally: () => ({ hooks: { ok: n.ok, failed: n.failed - n.lateEnded, timeout: n.lateEnded, dropped: n.dropped } }),
  };
}

/**
 * SIGKILL to what is left of a group `afterMs` after its SIGTERM: children that ignore SIGTERM, or
 * that the leader left behind. Checked every few milliseconds, so a group that is gone sooner does
 * not keep a stopping run waiting for the whole grace time.
 */
const GROUP_CHECK_MS = 50;

function killLeftovers(pid: number, afterMs: number): void {
  const deadline = Date.now() + afterMs;
  const check = setInterval(() => {
    if (!groupExists(pid)) clearInterval(check);
    else if (Date.now() >= deadline) {
      clearInterval(check);
      killGroup(pid, 'SIGKILL');
    }
  }, GROUP_CHECK_MS);
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

/**
 * --bell: a BEL on stderr for every line output, when stderr is a terminal (elsewhere it would only
 * put a control character into a log); undefined otherwise.
 */
export function createBellOutput(stderr: Writable & { isTTY?: boolean }): Output | undefined {
  if (stderr.isTTY !== true) return undefined;
  return {
    behind: false,
    error: undefined,
    gone: false,
    ready: () => Promise.resolve(),
    write(batch: Batch): void {
      if (batch.length > 0) stderr.write('\x07'.repeat(batch.length));
    },
    close: () => Promise.resolve(),
  };
}
