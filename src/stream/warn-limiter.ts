import { SKIP_DESCRIPTIONS, WARN_KINDS, type SkipKind } from '../calls.js';
import type { Logger } from '../log.js';
import type { Stats } from './stats.js';

const WARN_EVERY_MS = 1000;

/**
 * Counts skipped frames (or capture lines) by kind and warns about the broken ones at most once a
 * second per kind: a feed that sends garbage all day gets a steady trickle of warnings, not a flood.
 */
export class WarnLimiter {
  private readonly lastWarned = new Map<SkipKind, number>();

  constructor(
    private readonly stats: Stats,
    private readonly log: Logger,
  ) {}

  skipped(kind: SkipKind, where?: string): void {
    this.stats.skipped[kind]++;
    if (!WARN_KINDS.has(kind)) return;
    const now = Date.now();
    if (now - (this.lastWarned.get(kind) ?? -Infinity) < WARN_EVERY_MS) return;
    this.lastWarned.set(kind, now);
    this.log.warn(`skipped ${where ?? 'a frame'}: ${SKIP_DESCRIPTIONS[kind]} (${this.stats.skipped[kind]} so far)`);
  }
}
