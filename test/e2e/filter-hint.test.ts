import { afterEach, describe, expect, it } from 'vitest';
import { killAll, ndjsonLines, runCli } from '../support/cli.js';

afterEach(killAll);

describe('filters against the demo feed', () => {
  it('that let nothing through say so once, with the callers and platforms the feed has', async () => {
    const r = await runCli(['demo', '--rate', '1000', '--seed', '7', '--caller', 'Nobody Calls This', '--min-mcap', '1k', '--duration', '4s', '-f', 'ndjson'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const hints = r.stderr.split('\n').filter((l) => l.includes('none passed the filters'));
    expect(hints, r.stderr).toHaveLength(1);
    const msg = (JSON.parse(hints[0]!) as { msg: string; level: number });
    expect(msg.level).toBe(30);
    expect(msg.msg).toMatch(/^\d{4,} calls, none passed the filters \(--caller, --min-mcap\); callers seen include: [^;]+; platforms seen: [a-z, ]+$/);
  });

  it('--platform x finds the twitter calls', async () => {
    const r = await runCli(['demo', '--rate', '200', '--seed', '7', '--platform', 'x', '-n', '3', '-f', 'ndjson'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    const platforms = ndjsonLines(r.stdout).map((l) => (l as { data: { caller: { platform: string } } }).data.caller.platform);
    expect(platforms).toEqual(['twitter', 'twitter', 'twitter']);
  });
});
