import { afterEach } from 'vitest';
import { runAfterEachTest } from './each-test.js';

// Run before each test file (setupFiles), so the support modules' clean-ups follow every test.
afterEach(runAfterEachTest);
