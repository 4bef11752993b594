#!/usr/bin/env node
// dist/ is built by `npm run build` (npm pack, and the first `npm start`, run it): a checkout where it
// was never run gets one line saying so instead of a stack trace.
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
