import fs from 'node:fs';
import type { Logger } from '../log.js';
import { readCallerFile, type CallerFile } from '../config/caller-file.js';

/**
 * A long run (tail, demo) follows its --caller-file: the file is looked at every `intervalMs`
 * (stat only; read when it changed), so a cron job's rewrite is picked up within the SPEC's 5 s,
 * whether it rewrites in place or renames a new file over it (which fs.watch would lose track of).
 * A file that goes bad keeps the last list, with one warning per bad state.
 */

export const CALLER_FILE_POLL_MS = 2000;

export function describeCallers(n: number): string {
  return `caller file: ${n} caller${n === 1 ? '' : 's'}`;
}

/** Starts following the file; returns the function that stops it. */
export function watchCallerFile(file: CallerFile, logger: Logger, intervalMs = CALLER_FILE_POLL_MS): () => void {
  let lastStat = statKey(file.path);
  /** What was wrong with the file at the last look, if anything: said once. */
  let bad: string | undefined;
  let busy = false;
  const check = (): void => {
    if (busy) return;
    busy = true;
    fs.promises
      .stat(file.path)
      .then(
        (st) => `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`,
        (err: NodeJS.ErrnoException) => `error:${err.code ?? err.message}`,
      )
      .then((key) => {
        if (key === lastStat) return;
        lastStat = key;
        const read = readCallerFile(file.path);
        if ('problem' in read) {
          if (read.problem !== bad) logger.warn(`${file.source}: ${read.problem}; keeping the last list (${file.list.size} callers)`);
          bad = read.problem;
          return;
        }
        // The same list rewritten (a cron job with nothing new) is not news; a list back after a
        // warning is.
        if (bad === undefined && sameList(file, read.callers)) return;
        bad = undefined;
        file.list.replace(read.callers);
        logger.info(describeCallers(file.list.size));
      })
      .catch((err: unknown) => logger.warn(`${file.source}: ${(err as Error).message}`))
      .finally(() => (busy = false));
  };
  const timer = setInterval(check, intervalMs);
  // The file is followed while the run lasts; it never keeps the process alive by itself.
  timer.unref();
  return () => clearInterval(timer);
}

function statKey(path: string): string {
  try {
    const st = fs.statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (err) {
    return `error:${(err as NodeJS.ErrnoException).code}`;
  }
}

function sameList(file: CallerFile, callers: readonly string[]): boolean {
  const seen = new Set(callers.map((c) => c.toLowerCase()));
  return seen.size === file.list.size && [...seen].every((c) => file.list.set.has(c));
}

/** A long run's caller file: said once at start, then followed; a no-op without one. */
export function followCallerFile(file: CallerFile | undefined, logger: Logger): () => void {
  if (file === undefined) return () => undefined;
  logger.info(describeCallers(file.list.size));
  return watchCallerFile(file, logger);
}
