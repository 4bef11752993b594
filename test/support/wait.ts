/**
 * Waits until `ready()` holds, polling; fails with `what` once `timeoutMs` has passed, so no test
 * waits without a deadline.
 */
export async function waitFor(ready: () => boolean, what: string, timeoutMs = 10_000, everyMs = 10): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
