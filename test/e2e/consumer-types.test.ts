import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { tmpdirs } from '../support/tmp.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = tmpdirs('rexi-consumer-');

/**
 * The library as a bot developer meets it: the packed tarball installed into a new strict NodeNext
 * project beside the newest TypeScript and @types/node from the registry, the README's bot compiled
 * with no extra settings, then run against the embedded feed. Needs the npm registry (as CI has);
 * REXI_OFFLINE=1 skips it.
 */
it.skipIf(process.env.REXI_OFFLINE === '1')(
  'the packed library compiles in a fresh strict project with the current TypeScript and runs',
  async () => {
    const dir = tmp();
    // dist/ was built by `npm test`; packing must not build again.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT });
    const tarball = path.join(dir, stdout.trim().split('\n').pop()!);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bot', private: true, type: 'module' }));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out' }, include: ['bot.ts'] }),
    );
    fs.writeFileSync(
      path.join(dir, 'bot.ts'),
      `import { createFeedServer, liveCalls, type Call, type MultiCallSignal } from 'rexi-live';
const feed = await createFeedServer({ rate: 50, seed: 7 });
const calls: Call[] = [];
for await (const call of liveCalls({ url: feed.url, apiKey: 'dev' })) {
  calls.push(call);
  if (calls.length === 3) break;
}
let signal: MultiCallSignal | undefined;
for await (const m of liveCalls({ url: feed.url, apiKey: 'dev', minCallers: 2 })) {
  if (m.kind === 'signal') {
    signal = m;
    break;
  }
}
await feed.close();
process.stdout.write(JSON.stringify({ symbols: calls.map((c) => typeof c.tokenSymbol), callers: signal?.value.data.callers.length }) + '\\n');
`,
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball, 'typescript@latest', '@types/node@latest'], { cwd: dir });
    const tsc = await run(process.execPath, [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch((e: { stdout: string }) => e);
    expect(tsc.stdout).toBe('');
    const bot = await run(process.execPath, [path.join(dir, 'out/bot.js')], { timeout: 30_000 });
    expect(JSON.parse(bot.stdout)).toEqual({ symbols: ['string', 'string', 'string'], callers: expect.any(Number) });
  },
  150_000,
);
