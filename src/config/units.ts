import { usageError } from '../errors.js';

/** Durations are written `250ms`, `5s`, `2m`, `1h`; a bare number means seconds. */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_TIMER_MS = 2 ** 31 - 1;

export function parseDuration(text: string, flag: string): number {
  const m = DURATION.exec(String(text).trim());
  if (!m) throw usageError(`${flag}: '${text}' is not a duration (use e.g. 250ms, 5s, 2m, 1h)`);
  const ms = Math.round(Number(m[1]) * DURATION_MS[(m[2] ?? 's').toLowerCase()]!);
  // Node's timers fire at once past 2^31-1 ms (with only a warning): refuse rather than misfire.
  if (!(ms <= MAX_TIMER_MS)) throw usageError(`${flag}: '${text}' is too long (at most 596h)`);
  return ms;
}

/**
 * Ages, which no timer waits for (how long a stream keeps messages, how far back to start): the
 * units of durations plus `d` and `w`, and no 596h cap.
 */
const AGE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i;
const AGE_MS: Record<string, number> = { ...DURATION_MS, d: 86_400_000, w: 7 * 86_400_000 };

export function parseAge(text: string, flag: string): number {
  const m = AGE.exec(String(text).trim());
  if (!m) throw usageError(`${flag}: '${text}' is not a duration (use e.g. 30m, 12h, 7d, 2w)`);
  const ms = Math.round(Number(m[1]) * AGE_MS[(m[2] ?? 's').toLowerCase()]!);
  if (ms <= 0) throw usageError(`${flag}: '${text}' must be above 0`);
  if (!Number.isSafeInteger(ms * 1_000_000)) throw usageError(`${flag}: '${text}' is too long`);
  return ms;
}

/** Sizes: `1048576`, `512KiB`, `1MiB`, `1MB` (decimal), `64k` (binary, like most CLI tools). */
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const SIZE_FACTOR: Record<string, number> = {
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

export function parseSize(text: string, flag: string): number {
  const m = SIZE.exec(String(text).trim());
  if (!m) throw usageError(`${flag}: '${text}' is not a size (use e.g. 65536, 512KiB, 1MiB)`);
  const bytes = Math.floor(Number(m[1]) * SIZE_FACTOR[(m[2] ?? 'b').toLowerCase()]!);
  if (bytes < 1) throw usageError(`${flag}: '${text}' must be at least 1 byte`);
  return bytes;
}

/** Amounts of dollars: `250000`, `250k`, `1.5M`, `2b` as the filters take them. */
const AMOUNT = /^(\d+(?:\.\d+)?|\.\d+)\s*([kmb])?$/i;
const AMOUNT_FACTOR: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

export function parseAmount(text: string, flag: string): number {
  const m = AMOUNT.exec(String(text).trim().replace(/^\$/, '').replace(/_/g, ''));
  if (!m) throw usageError(`${flag}: '${text}' is not an amount (use e.g. 250000, 250k, 1.5M, 2b)`);
  return Number(m[1]) * (m[2] ? AMOUNT_FACTOR[m[2].toLowerCase()]! : 1);
}

export function parseCount(text: string, flag: string, min = 1): number {
  const s = String(text).trim();
  if (!/^\d+$/.test(s) || Number(s) < min) {
    throw usageError(`${flag}: '${text}' is not a whole number${min > 0 ? ` of at least ${min}` : ''}`);
  }
  // Past 2^53 a number can no longer be counted to exactly.
  if (!Number.isSafeInteger(Number(s))) throw usageError(`${flag}: '${text}' is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  return Number(s);
}

export function parseNumber(text: string, flag: string, min: number, max = Infinity): number {
  const n = Number(String(text).trim());
  if (String(text).trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw usageError(`${flag}: '${text}' is not a number ${range}`);
  }
  return n;
}

/** `3m12s`, `2h05m`, `1d3h`: how long a run was up, for the exit summary. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d${h}h${String(m).padStart(2, '0')}m`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
