import { describe, expect, it } from 'vitest';
import { colorLevel, createChalk, type ColorMode } from '../../src/render/color.js';

type Env = Record<string, string | undefined>;

describe('colorLevel', () => {
  const cases: Array<[ColorMode, Env, boolean, number]> = [
    // --color never wins over everything
    ['never', {}, true, 0],
    ['never', { FORCE_COLOR: '3' }, true, 0],
    // --color always wins over NO_COLOR, FORCE_COLOR=0 and a pipe
    ['always', {}, false, 2],
    ['always', { NO_COLOR: '1' }, false, 2],
    ['always', { FORCE_COLOR: '0' }, false, 2],
    ['always', { FORCE_COLOR: '1' }, false, 1],
    ['always', { FORCE_COLOR: '3' }, false, 3],
    ['always', { COLORTERM: 'truecolor' }, false, 3],
    // auto: NO_COLOR (non-empty) first
    ['auto', { NO_COLOR: '1' }, true, 0],
    ['auto', { NO_COLOR: '1', FORCE_COLOR: '3' }, true, 0],
    ['auto', { NO_COLOR: '' }, true, 2],
    // auto: FORCE_COLOR next
    ['auto', { FORCE_COLOR: '0' }, true, 0],
    ['auto', { FORCE_COLOR: 'false' }, true, 0],
    ['auto', { FORCE_COLOR: '1' }, false, 1],
    ['auto', { FORCE_COLOR: '2' }, false, 2],
    ['auto', { FORCE_COLOR: '3' }, false, 3],
    ['auto', { FORCE_COLOR: '7' }, false, 3],
    ['auto', { FORCE_COLOR: 'true' }, false, 1],
    ['auto', { FORCE_COLOR: '' }, false, 1],
    ['auto', { FORCE_COLOR: 'yes' }, false, 0], // unrecognised: as if unset
    ['auto', { FORCE_COLOR: 'yes' }, true, 2],
    // auto: then the terminal
    ['auto', {}, false, 0],
    ['auto', {}, true, 2],
    ['auto', { TERM: 'dumb' }, true, 0],
    ['auto', { COLORTERM: 'truecolor' }, true, 3],
    ['auto', { COLORTERM: '24bit' }, true, 3],
    ['auto', { COLORTERM: 'truecolor' }, false, 0],
  ];
  it.each(cases)('--color %s, env %j, TTY %s → %i', (mode, env, isTTY, level) => {
    expect(colorLevel(mode, env, isTTY)).toBe(level);
  });
});

describe('createChalk', () => {
  it('builds a chalk at exactly the level asked, whatever the environment', () => {
    expect(createChalk(0).cyan('x')).toBe('x');
    expect(createChalk(1).cyan('x')).toBe('\x1b[36mx\x1b[39m');
    expect(createChalk(3).level).toBe(3);
  });
});
