import type { Writable } from 'node:stream';

/**
 * The progress bar of `callers` while it reads capture files on a terminal: bytes read of the
 * total (compressed bytes for gzip, so the total is the files' sizes), rate and time left. Drawn by
 * cli-progress (terminal handling, throttling, ETA smoothing) rather than by hand; loaded only when
 * stderr is a terminal, so a pipe or cron never pays for it.
 */

export interface Progress {
  /** Erases the bar: the summary line comes next. */
  stop(): void;
}

/** At most 10 redraws a second. */
const REDRAW_MS = 100;

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `812 B`, `12.3 MB`: decimal units, as file managers show file sizes. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** Starts the bar over `total` bytes, polling `bytesRead()` on its own timer. */
export async function startProgress(stderr: Writable, total: number, bytesRead: () => number): Promise<Progress> {
  const { SingleBar } = await import('cli-progress');
  const startedAt = Date.now();
  const bar = new SingleBar({
    stream: stderr,
    fps: 1000 / REDRAW_MS,
    clearOnComplete: true,
    hideCursor: false,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    etaBuffer: 50,
    format: 'reading {bar} {percentage}% | {value} of {total} | {rate}/s | {eta_formatted} left',
    formatValue: (v: number, _options: unknown, type: string) => (type === 'value' || type === 'total' ? formatBytes(v) : String(v)),
  });
  bar.start(Math.max(total, 1), 0, { rate: formatBytes(0) });
  const timer = setInterval(() => {
    const read = bytesRead();
    const seconds = (Date.now() - startedAt) / 1000;
    bar.update(Math.min(read, total), { rate: formatBytes(seconds > 0 ? Math.round(read / seconds) : 0) });
  }, REDRAW_MS);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      bar.stop();
    },
  };
}
