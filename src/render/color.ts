import { Chalk, type ChalkInstance } from 'chalk';
import type { ColorMode } from '../choices.js';

/**
 * Whether human output is coloured, decided once from `--color`, the environment and the terminal.
 * Chalk's own detection reads process state at import and ignores NO_COLOR, so the decision is made
 * here from explicit inputs and renderers receive a Chalk instance built for it.
 */

export type { ColorMode };
export type ColorLevel = 0 | 1 | 2 | 3;

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

/**
 * The decision table, first match wins:
 *   --color never                         → 0
 *   --color always                        → FORCE_COLOR's level when it is 1, 2 or 3, else the
 *                                           terminal's (3 for COLORTERM=truecolor/24bit, else 2);
 *                                           the flag beats NO_COLOR and FORCE_COLOR=0 (flag > env)
 *   auto, NO_COLOR non-empty              → 0  (no-color.org: an empty NO_COLOR is ignored)
 *   auto, FORCE_COLOR=0 or false          → 0
 *   auto, FORCE_COLOR=1, 2 or 3           → that level (higher numbers count as 3)
 *   auto, FORCE_COLOR=true or empty       → 1  (as Node and chalk read it)
 *   auto, not a TTY or TERM=dumb          → 0  (other FORCE_COLOR values are ignored)
 *   auto, a TTY                           → the terminal's level
 * Only basic colours are used, which every level ≥ 1 writes the same way; the level matters for
 * nothing else.
 */
export function colorLevel(mode: ColorMode, env: Env, isTTY: boolean): ColorLevel {
  if (mode === 'never') return 0;
  const forced = forcedLevel(env.FORCE_COLOR);
  if (mode === 'always') return forced || terminalLevel(env);
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return 0;
  if (forced !== undefined) return forced;
  if (!isTTY || env.TERM === 'dumb') return 0;
  return terminalLevel(env);
}

/** A Chalk at exactly this level: level 0 writes no escape sequences at all. */
export function createChalk(level: ColorLevel): ChalkInstance {
  return new Chalk({ level });
}

/** FORCE_COLOR as a level; undefined when unset or unrecognised. */
function forcedLevel(value: string | undefined): ColorLevel | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'true') return 1;
  if (v === 'false') return 0;
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n === 0 ? 0 : n === 1 ? 1 : n === 2 ? 2 : 3;
}

function terminalLevel(env: Env): 2 | 3 {
  const colorTerm = env.COLORTERM?.toLowerCase();
  return colorTerm === 'truecolor' || colorTerm === '24bit' ? 3 : 2;
}
