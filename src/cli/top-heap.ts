import v8 from 'node:v8';

/**
 * top runs for hours beside a model that only grows to --state-max, and V8's defaults size the heap
 * for throughput, not for a long-lived process that should stay small. Both settings below are
 * read by V8 at each collection, so they take effect when set from here (the heap-size flags, such
 * as --max-semi-space-size, are read only when the heap is made: too late, and top must not need
 * flags on node's command line). Measured on `top --demo` in tmux (test/bench/top.mjs):
 * - the young generation stays at the size it has when the command starts (1 to 2 MB semi-spaces)
 *   instead of growing to 32 MB the first time module loading or a burst keeps objects alive:
 *   15 to 30 MB less RSS at --rate 200 and 5000, the same CPU time (more scavenges, each smaller);
 * - the old generation grows to 1.25 times what a full collection leaves (V8 allows up to 4 times
 *   while a process allocates fast): about 15 MB less at --rate 5000 after 10 s, within a point
 *   of CPU at --rate 200.
 * Reading a large --history is the opposite case (300,000 calls took 1.8 times as long so): it is
 * read with V8's defaults, and top's settings come back once it is read.
 */
export function heapForTop(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--heap-growing-percent=25');
}

/** V8's own defaults, for a burst of work where speed matters more than size. */
export function heapForThroughput(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  v8.setFlagsFromString('--heap-growing-percent=0');
}
