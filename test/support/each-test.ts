/**
 * Clean-ups a support module needs after every test of every file that imports it. A module
 * cannot call afterEach() at its top level: with `isolate: false` (vitest.config.ts) it is loaded
 * once per worker, so its hook would be registered for the first file only. It registers here
 * instead, and test/support/setup-file.ts, which vitest runs before each test file, runs these.
 */
const cleanups: (() => Promise<void> | void)[] = [];

export function afterEachTest(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export async function runAfterEachTest(): Promise<void> {
  for (const fn of cleanups) await fn();
}
