#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// `--version` alone is answered from package.json before the CLI is imported: scripts ask it to
// check what is installed, and loading commander alone takes some 20 ms.
const args = process.argv.slice(2);
const version = args.length === 1 && (args[0] === '--version' || args[0] === '-V') ? installedVersion() : undefined;
if (version !== undefined) process.stdout.write(`${version}\n`);
else await run();

function installedVersion() {
  try {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined; // the CLI answers, or says it was never built
  }
}

// dist/ is built by `npm run build` (npm pack, and the first `npm start`, run it): a checkout where
// it was never run gets one line saying so instead of a stack trace.
async function run() {
  let main;
  try {
    ({ main } = await import('../dist/cli/main.js'));
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
    const root = decodeURIComponent(new URL('..', import.meta.url).pathname);
    process.stderr.write(`rexi-live: error: not built yet: run 'npm run build' in ${root}\n`);
    process.exit(1);
  }
  await main(process.argv);
}
