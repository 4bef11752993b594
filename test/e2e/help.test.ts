import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli } from '../support/cli.js';

afterEach(killAll);

const COMMANDS = ['tail', 'url', 'serve', 'demo', 'replay'];

async function help(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The option flags listed under each heading, in order. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (/^\S.*:$/.test(line)) out.set(line, (current = []));
    else if (line === '') current = undefined;
    else {
      const flag = /^ {2}(?:-\w, )?(--?[\w-]+)/.exec(line)?.[1];
      if (flag !== undefined && current !== undefined) current.push(flag);
    }
  }
  return out;
}

describe('--help', () => {
  it('every line of every help is within 100 columns', async () => {
    const runs = [['--help'], ['help'], ...COMMANDS.map((c) => [c, '--help']), ...COMMANDS.map((c) => ['help', c])];
    // Independent runs: all at once.
    const texts = await Promise.all(runs.map(help));
    texts.forEach((text, i) => {
      for (const line of text.split('\n')) expect([...line].length, `${runs[i]!.join(' ')}: ${line}`).toBeLessThanOrEqual(100);
    });
  });

  it("tail's flags are grouped: Connection, Filters, Output, Signals, NATS, Logging", async () => {
    const s = sections(await help(['tail', '--help']));
    const groups = [...s.keys()];
    const order = ['Connection:', 'Filters:', 'Output:', 'Signals (dedupe, multi-call, hooks):', 'NATS JetStream:', 'Logging:'];
    expect(groups.filter((g) => order.includes(g))).toEqual(order);
    expect(s.get('Filters:')).toEqual(expect.arrayContaining(['--caller', '--exclude-caller', '--platform', '--min-mcap', '--max-mcap', '--token', '--symbol']));
    expect(s.get('Output:')).toEqual(['--format', '--received-at', '--color', '--output', '--count', '--duration']);
  });

  it('demo opens with --rate and --seed', async () => {
    const text = await help(['demo', '--help']);
    const first = [...sections(text).entries()].find(([, flags]) => flags.length > 0)!;
    expect(first[1].slice(0, 2)).toEqual(['--rate', '--seed']);
  });

  it("replay's usage names what it takes and it opens with its own flags", async () => {
    const text = await help(['replay', '--help']);
    expect(text.split('\n')[0]).toBe('Usage: rexi-live replay [options] <file|-|nats-url>');
    const first = [...sections(text).entries()].find(([, flags]) => flags.length > 0)!;
    expect(first[0]).toBe('Options:');
    expect(first[1]).toEqual(expect.arrayContaining(['--since', '--start-seq', '--durable']));
    expect(first[1]).not.toContain('--insecure');
  });

  it("the program's help shows tail's ten most used flags", async () => {
    const text = await help(['--help']);
    const s = sections(text);
    const featured = [...s.entries()].find(([heading]) => heading.startsWith('Tail options'))![1];
    expect(featured).toHaveLength(10);
    expect(featured).toEqual(expect.arrayContaining(['--url', '--caller', '--platform', '--min-mcap', '--format', '--output', '--count']));
  });
});
