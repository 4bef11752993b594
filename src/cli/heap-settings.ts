import v8 from 'node:v8';

/**
 * Runs that stay up for hours with a small live set (top, a NATS publisher) should stay small,
 * while V8's defaults size the heap for throughput. The settings below are read by V8 at each
 * collection, so they take effect when set from here (the heap-size flags, such as
 * --max-semi-space-size, are read only when the heap is made: too late, and a run must not need
 * flags on node's command line):
 * - the young generation stays at the size it has when the command starts (1 to 2 MB semi-spaces)
 *   instead of growing to 32 MB the first time module loading or a burst keeps objects alive;
 * - the old generation grows to `oldGrowthPercent` more than a full collection leaves (V8 allows up
 *   to 4 times while a process allocates fast).
 *
 * Measured (test/bench/top.mjs, test/bench/nats.mjs):
 * - top --demo: 15 to 30 MB less RSS at --rate 200 and 5000 from the young generation, the same CPU
 *   time (more scavenges, each smaller); about 15 MB less at --rate 5000 after 10 s from the old
 *   one at 25 %, within a point of CPU at --rate 200.
 * - a publisher catching up after a 30 s NATS outage: each publish in flight lives long enough to
 *   be promoted, and the old generation filled with that garbage to 4x what was live: 133 -> about
 *   82 MB peak at 50 %, the catch-up no slower. Only for publishing runs: the stages that keep
 *   state (dedupe, multi-call) pay for the extra full collections.
 */
export function smallHeap(oldGrowthPercent: number): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString(`--heap-growing-percent=${oldGrowthPercent}`);
}

/** V8's own defaults, for a burst of work where speed matters more than size (top reading --history). */
export function defaultHeap(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  v8.setFlagsFromString('--heap-growing-percent=0');
}

/** top: see smallHeap. */
export const TOP_OLD_GROWTH_PERCENT = 25;
/** A NATS publisher: see smallHeap. */
export const PUBLISHER_OLD_GROWTH_PERCENT = 50;
