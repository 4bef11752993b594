import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { tmpdirs } from '../support/tmp.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = tmpdirs('rexi-types-');

/**
 * liveCalls' overloads as a bot's code meets them: through the built declarations (dist/, which
 * `npm test` builds first) that a consumer's compiler reads, compiled by the project's TypeScript (no
 * registry). Checking the sources instead would type-check all of src/ and its dependencies' types
 * (about 3× the time) for the same answer about the public types.
 */
it('liveCalls takes options whose minCallers is known only at run time; the return type follows minCallers; a board takes its calls', async () => {
  const dir = tmp();
  const file = path.join(dir, 'bot.ts');
  fs.writeFileSync(
    file,
    `import { createCallerBoard, liveCalls, type Call, type LiveCallsOptions, type MultiCallOptions, type MultiCallSignal } from ${JSON.stringify(path.join(ROOT, 'dist/index.js'))};
declare const wantSignals: boolean;
const union: LiveCallsOptions | MultiCallOptions = wantSignals ? { url: 'wss://x', minCallers: 3 } : { url: 'wss://x' };
const a: AsyncIterable<Call | MultiCallSignal> = liveCalls(union);
const b: AsyncIterable<Call | MultiCallSignal> = liveCalls({ url: 'wss://x', minCallers: wantSignals ? 3 : undefined, windowMs: 60_000 });
const calls: AsyncIterable<Call> = liveCalls({ url: 'wss://x' });
const signals: AsyncIterable<Call | MultiCallSignal> = liveCalls({ url: 'wss://x', minCallers: 2 });
// @ts-expect-error: with minCallers the loop may get signals, not only calls
const wrong: AsyncIterable<Call> = liveCalls({ url: 'wss://x', minCallers: 2 });
// SPEC: board.add(call) takes a Call from liveCalls.
const board = createCallerBoard({ horizonMs: 3_600_000, hit: 2 });
export async function rank(): Promise<void> {
  for await (const call of liveCalls({ url: 'wss://x' })) board.add(call);
}
export { a, b, calls, signals, wrong };
`,
  );
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules/@types'), file];
  const result = await run(process.execPath, [tsc, ...args], { cwd: ROOT, timeout: 60_000 }).catch((e: { stdout: string }) => e);
  expect(result.stdout).toBe('');
}, 90_000);
