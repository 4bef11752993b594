import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Says once, for the whole run, when the NATS tests (or promtool's, systemd-analyze's, zsh's,
    // fish's) are skipped for want of the program.
    globalSetup: ['test/support/nats-global-setup.ts', 'test/support/tools-global-setup.ts'],
    // End-to-end tests run the built CLI as child processes; every one is bounded well below these.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: more workers only make the timing-sensitive end-to-end tests flaky.
    maxWorkers: 4,
  },
});
