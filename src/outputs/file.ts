import { usageError, type RexiLiveError } from '../errors.js';
import type { Output } from '../pipeline/output.js';
import { OutputFile } from './open-file.js';

/**
 * `-o`: rendered lines appended to a file (open-file.ts: whole lines, fsync, gzip for a `.gz`
 * name) that may rotate by UTC date/hour. A rotation happens between two writes, so a line is
 * never split across files; the previous file is finished (fsynced, its gzip member completed)
 * and closed in the background. The file is behind while it wants a drain, which is what keeps
 * memory bounded behind a slow disk.
 */

/** The placeholders an `-o` name may hold. */
export const OUTPUT_PLACEHOLDERS = ['{date}', '{hour}'] as const;

/**
 * Any other `{word}` in an `-o` name is a usage error, so `calls-{day}.ndjson` is not quietly a file
 * of that name. `source` names where the template came from (`--output`, the config file).
 */
export function checkOutputTemplate(template: string, source: string): void {
  for (const [word] of template.matchAll(/\{[^{}]*\}/g)) {
    if ((OUTPUT_PLACEHOLDERS as readonly string[]).includes(word)) continue;
    throw usageError(`${source}: unknown placeholder ${word} in '${template}': the placeholders are {date} (UTC YYYY-MM-DD) and {hour} (UTC HH)`);
  }
}

/** `{date}` → UTC YYYY-MM-DD, `{hour}` → UTC HH: the file a line written at `now` belongs in. */
export function outputPath(template: string, now: number): string {
  if (!template.includes('{')) return template;
  const iso = new Date(now).toISOString();
  return template.replaceAll('{date}', iso.slice(0, 10)).replaceAll('{hour}', iso.slice(11, 13));
}

/** When the file name next changes: the next UTC hour or day, or never. */
export function nextRotation(template: string, now: number): number {
  if (template.includes('{hour}')) return (Math.floor(now / 3_600_000) + 1) * 3_600_000;
  if (template.includes('{date}')) return (Math.floor(now / 86_400_000) + 1) * 86_400_000;
  return Infinity;
}

export function fileOutput(template: string, clock: () => number = Date.now): Output {
  const now = clock();
  let file = OutputFile.open(outputPath(template, now));
  // Every file this run opened, for the summary: a rotating name opens one a day or an hour.
  const first = file.path;
  let opened = 1;
  let rotateAt = nextRotation(template, now);
  let error: RexiLiveError | undefined;
  let behind = false;
  const retiring: Promise<void>[] = [];

  const rotate = (at: number): void => {
    rotateAt = nextRotation(template, at);
    const path = outputPath(template, at);
    if (path === file.path) return;
    const old = file;
    file = OutputFile.open(path);
    opened++;
    retiring.push(old.finish().then((err) => void (error ??= err)));
  };
  const failed = (): RexiLiveError | undefined => error ?? file.error;

  return {
    gone: false,
    get error() {
      return failed();
    },
    get behind() {
      return behind && failed() === undefined;
    },
    write(_batch, text) {
      if (failed() || text.length === 0) return;
      // The wall clock, not the messages' times: a replayed capture is written into today's file.
      const at = clock();
      if (at >= rotateAt) {
        try {
          rotate(at);
        } catch (err) {
          error = err as RexiLiveError;
          return;
        }
      }
      behind = !file.write(text);
    },
    ready: async () => {
      await file.drain();
      behind = false;
    },
    sync: () => file.sync(),
    // `written to calls-2026-12-06.ndjson`: where to look for what this run wrote.
    summary: () => (opened === 1 ? `written to ${first}` : `written to ${first} and ${opened - 1} more, the last ${file.path}`),
    async close() {
      const err = await file.finish();
      await Promise.all(retiring);
      error ??= err;
    },
  };
}
