import { describe, expect, it } from 'vitest';
import { strayArgumentMessage, suggest } from '../../src/cli/stray-argument.js';

const OPTIONS = [
  { long: '--duration', required: true, flags: '--duration <dur>' },
  { long: '--count', short: '-n', required: true, flags: '-n, --count <n>' },
  { long: '--caller', required: true, flags: '--caller <name-or-id>' },
  { long: '--first-call', required: false, flags: '--first-call' },
];
const COMMANDS = ['tail', 'url', 'serve', 'demo', 'replay'];

describe('a stray word is worded for what the user meant', () => {
  it('a mistyped command, reached as the default command, suggests the close one', () => {
    expect(strayArgumentMessage('tial', ['tial'], OPTIONS, COMMANDS, false, 'tail')).toBe("unknown command 'tial' (did you mean tail?)");
    expect(strayArgumentMessage('rplay', ['rplay', 'x.ndjson'], OPTIONS, COMMANDS, false, 'tail')).toBe("unknown command 'rplay' (did you mean replay?)");
    expect(strayArgumentMessage('zzzzzz', ['zzzzzz'], OPTIONS, COMMANDS, false, 'tail')).toBe("unknown command 'zzzzzz' (commands: tail, url, serve, demo, replay)");
  });

  it('a value split in two names the flag and its one-word form', () => {
    expect(strayArgumentMessage('minutes', ['--duration', '10', 'minutes'], OPTIONS, COMMANDS, false, 'tail')).toBe(
      "unexpected argument 'minutes' (--duration takes one value, e.g. 10m)",
    );
    expect(strayArgumentMessage('minutes', ['--duration=10', 'minutes'], OPTIONS, COMMANDS, true, 'demo')).toBe(
      "unexpected argument 'minutes' (--duration takes one value, e.g. 10m)",
    );
    expect(strayArgumentMessage('Hunters', ['--caller', 'Gem', 'Hunters'], OPTIONS, COMMANDS, false, 'tail')).toMatch(/--caller takes one value.*quote a value with spaces/);
  });

  it('a word after a switch, or after a named command, is an argument the command does not take', () => {
    expect(strayArgumentMessage('x', ['--first-call', 'x'], OPTIONS, COMMANDS, false, 'tail')).toBe("unexpected argument 'x' (tail takes no arguments)");
    expect(strayArgumentMessage('tial', ['tial'], OPTIONS, COMMANDS, true, 'demo')).toBe("unexpected argument 'tial' (demo takes no arguments)");
  });

  it('suggests only close names', () => {
    expect(suggest('dmeo', COMMANDS)).toBe('demo');
    expect(suggest('serv', COMMANDS)).toBe('serve');
    expect(suggest('ab', COMMANDS)).toBeUndefined();
  });
});
