import type { SkipKind } from '../calls.js';
import { formatUptime } from '../units.js';

/** What a run counted, for the exit summary (SPEC.md "Output"). */
export interface Stats {
  received: number;
  output: number;
  filtered: number;
  skipped: Record<SkipKind, number>;
  reconnects: number;
  startedAt: number;
}

export function newStats(now: number): Stats {
  return {
    received: 0,
    output: 0,
    filtered: 0,
    skipped: { 'not-json': 0, binary: 0, 'not-object': 0, 'no-token-address': 0, 'other-type': 0, 'too-large': 0 },
    reconnects: 0,
    startedAt: now,
  };
}

/** `received 1200, output 310, filtered 880, skipped 10 (not-json 4, binary 6), reconnects 2, up 3m12s` */
export function summary(stats: Stats, now: number): string {
  const kinds = Object.entries(stats.skipped).filter(([, n]) => n > 0);
  const skipped = kinds.reduce((sum, [, n]) => sum + n, 0);
  const detail = kinds.length > 0 ? ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  return (
    `received ${stats.received}, output ${stats.output}, filtered ${stats.filtered}, ` +
    `skipped ${skipped}${detail}, reconnects ${stats.reconnects}, up ${formatUptime(now - stats.startedAt)}`
  );
}
