import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest, mostly waiting on servers, timers and an npm install rather than on
 * the CPU: started first, so no worker is left running one of them alone at the end. After those,
 * vitest's own order (durations it has cached, else file size).
 */
const SLOW_FIRST = ['consumer-types', 'e2e/top', 'e2e/nats', 'frame-scan', 'e2e/signals', 'e2e/reader', 'e2e/callers', 'e2e/metrics', 'e2e/lazy-loading', 'e2e/replay', 'nats-publish-faults'];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.findIndex((name) => f.moduleId.includes(name));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Says once, for the whole run, when the NATS tests (or promtool's, systemd-analyze's, zsh's,
    // fish's) are skipped for want of the program.
    globalSetup: ['test/support/nats-global-setup.ts', 'test/support/tools-global-setup.ts'],
    // A worker runs file after file in one process with the modules it loaded: starting a process
    // and loading vitest, the sources and their dependencies again for each file took about half
    // the CPU of the unit-test files. Test files are still loaded afresh; a support module
    // that needs a clean-up after each test registers it in test/support/each-test.ts, which
    // this setup file (run before each test file) runs.
    isolate: false,
    setupFiles: ['test/support/setup-file.ts'],
    // End-to-end tests run the built CLI as child processes; every one is bounded well below these.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores, but most end-to-end time is spent waiting on child processes and servers: a
    // third worker fills that time; a fourth only adds contention (and flaky timings).
    maxWorkers: 3,
    sequence: { sequencer: SlowFirst },
  },
});
