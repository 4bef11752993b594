import fs from 'node:fs/promises';
import path from 'node:path';
import { outputError, type RexiLiveError } from '../errors.js';
import { SeenKeys } from './bounded-map.js';
import type { DedupeKind } from './identity.js';
import { mergeKeys, mergeWindows, parseState, serializeState, emptyState, type StateContent, type WindowTiming } from './state-format.js';
import { TokenWindows } from './token-windows.js';

/**
 * --state <file>: dedupe keys and multi-call windows kept across runs.
 *
 * Loaded at open (expired entries dropped), saved every 30 s when something changed and at close.
 * Every save happens under a lock file and merges: it reads what is on disk, joins it with what
 * this run knows (into memory too, so two overlapping runs learn each other's keys), and writes the
 * union. Two cron runs that overlap therefore lose nothing, whichever saves last. A write is atomic:
 * a temporary file in the same directory, fsync, rename over the file, fsync of the directory; the
 * file is mode 0600. A file that is not a state file is kept as `<file>.bad` with one warning and
 * the run starts empty.
 *
 * Errors: a file that cannot be created or read at open is an output error (exit 5); a periodic
 * save that fails is a warning and is retried at the next; the save at close throws an output
 * error.
 */

export const SAVE_EVERY_MS = 30_000;

/**
 * How long to wait for another run's lock. A save holds it for the time of one read and one write;
 * a lock left by a crashed run is taken over once it is `LOCK_STALE_MS` old.
 */
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 20_000;

export interface StateFileOptions {
  path: string;
  /** --state-max: most keys, and most tokens and calls in windows, held in memory. */
  stateMax: number;
  /** This run's --dedupe kind and --dedupe-ttl, when it dedupes. */
  dedupe?: { kind: DedupeKind; ttlMs: number };
  /** This run's --window and --cooldown, when it counts multi-calls. */
  multiCall?: WindowTiming;
  /**
   * The wall clock at start, for live runs: what was expired by then is dropped at load. A replay
   * leaves it out: its time is the capture's, and entries expire as the capture's times pass them.
   */
  now?: number;
  /**
   * Whether every output has kept what it was given so far (none failed). A key is saved only
   * once its line is known to be kept: at the clean stop (outputs closed first) when none failed,
   * and during the run a save interval after it was added, when none has failed by then (a write
   * fails within that time or stalls the run). Without it, every key is saved.
   */
  linesKept?: () => boolean;
  /** Warnings after open: a failed save, a lock taken over. */
  warn: (message: string) => void;
  saveEveryMs?: number;
}

export interface StateFile {
  readonly path: string;
  /** The dedupe keys to give createDedupeStage(), when the run dedupes. */
  readonly keys: SeenKeys | undefined;
  /** The windows to give createMultiCallStage(), when the run counts multi-calls. */
  readonly windows: TokenWindows | undefined;
  /** What open() has to say once: a corrupt file kept as `.bad`. */
  readonly warnings: readonly string[];
  /** Saves now; a failure is warned about (never thrown) and the next save retries. */
  save(): Promise<void>;
  /** Stops the timer and saves a last time; throws an output error when that fails. */
  close(): Promise<void>;
}

export async function openStateFile(options: StateFileOptions): Promise<StateFile> {
  const file = new StateFileImpl(options);
  await file.open();
  return file;
}

class StateFileImpl implements StateFile {
  readonly path: string;
  readonly keys: SeenKeys | undefined;
  readonly windows: TokenWindows | undefined;
  readonly warnings: string[] = [];
  private readonly kind: DedupeKind | undefined;
  private readonly timing: WindowTiming | undefined;
  private readonly startNow: number;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<RexiLiveError | undefined> | undefined;
  /** The stores' change counters at the last save. */
  private saved = { keys: -1, windows: -1 };
  private closed = false;
  /** The keys' `changes` count at the previous save: what a save may commit when lines are kept. */
  private previousMark = 0;
  private tmpCount = 0;

  constructor(private readonly options: StateFileOptions) {
    this.path = path.resolve(options.path);
    this.kind = options.dedupe?.kind;
    this.timing = options.multiCall;
    this.startNow = options.now ?? -Infinity;
    if (options.dedupe) this.keys = new SeenKeys({ max: options.stateMax, ttlMs: options.dedupe.ttlMs });
    if (options.multiCall) this.windows = new TokenWindows(options.stateMax);
  }

  async open(): Promise<void> {
    const err = await this.sync((message) => this.warnings.push(message), 'create');
    if (err) throw err;
    const every = this.options.saveEveryMs ?? SAVE_EVERY_MS;
    this.timer = setInterval(() => void this.save(), every);
    this.timer.unref();
  }

  async save(): Promise<void> {
    if (this.closed || !this.changed()) return;
    const err = await this.syncOnce();
    if (err) this.options.warn(`${err.message} (retried at the next save)`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.saving;
    const err = await this.sync(this.options.warn, 'save', true);
    if (err) throw err;
  }

  private changed(): boolean {
    // Keys not yet known to be kept are saved by a later save, once they are.
    const pending = this.keys !== undefined && this.keys.committed < this.keys.changes;
    return pending || (this.keys?.changes ?? -1) !== this.saved.keys || (this.windows?.changes ?? -1) !== this.saved.windows;
  }

  /** One save at a time: a timer tick during a save waits for it instead of starting another. */
  private syncOnce(): Promise<RexiLiveError | undefined> {
    this.saving ??= this.sync(this.options.warn, 'save').finally(() => (this.saving = undefined));
    return this.saving;
  }

  /** Under the lock: read, merge, write. The error it returns names the file. */
  private async sync(warn: (message: string) => void, verb: 'create' | 'save', closing = false): Promise<RexiLiveError | undefined> {
    if (this.keys !== undefined) {
      const { linesKept } = this.options;
      const mark = this.keys.changes;
      if (linesKept === undefined) this.keys.commit(mark);
      else if (linesKept()) this.keys.commit(closing ? mark : this.previousMark);
      this.previousMark = mark;
    }
    const keysChanges = this.keys?.changes ?? -1;
    const windowsChanges = this.windows?.changes ?? -1;
    let release: (() => Promise<void>) | undefined;
    try {
      release = await lock(this.path, (e) => warn(`--state: the lock on '${this.path}' was lost (${e.message}); the next save takes it again`));
      const disk = await this.read(warn);
      await this.write(this.merge(disk));
      this.saved = { keys: keysChanges, windows: windowsChanges };
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ELOCKED' ? `it stayed locked by another run (${this.path}.lock)` : e.message;
      return outputError(`--state: cannot ${verb} '${this.path}': ${why}`);
    } finally {
      await release?.().catch(() => undefined);
    }
  }

  /** What is on disk; a file that is not a state file is moved aside as `.bad`. */
  private async read(warn: (message: string) => void): Promise<StateContent> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw err;
    }
    const parsed = parseState(text);
    if (!('corrupt' in parsed)) return parsed;
    const bad = this.path + '.bad';
    await fs.rename(this.path, bad);
    warn(`--state: '${this.path}' is ${parsed.corrupt}: kept as '${bad}', starting empty`);
    return emptyState();
  }

  /** This run's knowledge joined with the file's; sections this run does not use are kept as they were. */
  private merge(disk: StateContent): StateContent {
    const out: StateContent = { dedupe: { ...disk.dedupe }, windows: disk.windows };
    if (this.keys && this.kind) {
      out.dedupe[this.kind] = mergeKeys(this.keys, disk.dedupe[this.kind], this.now(this.keys.latest));
    }
    if (this.windows && this.timing) {
      out.windows = mergeWindows(this.windows, disk.windows, this.now(this.windows.latest), this.timing);
    }
    return out;
  }

  private now(latest: number): number {
    return Math.max(latest, this.startNow);
  }

  private async write(state: StateContent): Promise<void> {
    const dir = path.dirname(this.path);
    const tmp = path.join(dir, `.${path.basename(this.path)}.${process.pid}.${++this.tmpCount}.tmp`);
    try {
      const fh = await fs.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(serializeState(state));
        // The umask may have taken bits off, never added any: set exactly 0600.
        await fh.chmod(0o600);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, this.path);
    } catch (err) {
      await fs.unlink(tmp).catch(() => undefined);
      throw err;
    }
    // The rename is durable only once the directory is.
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}

/**
 * The lock of `file` (a `<file>.lock` directory, see proper-lockfile), waiting while another run
 * holds it. Only "held by another" is waited on: the library's own retries would also retry a
 * directory that does not exist, for as long as they last.
 */
async function lock(file: string, onCompromised: (err: Error) => void): Promise<() => Promise<void>> {
  const lockfile = (await import('proper-lockfile')).default;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 20;
  for (;;) {
    try {
      // The default onCompromised throws from a timer, which would end the process.
      return await lockfile.lock(file, { realpath: false, stale: LOCK_STALE_MS, onCompromised });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 1.5, 500);
    }
  }
}
