import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/**
 * Tests that need a program of the system (promtool, systemd-analyze, zsh, fish): skipped when it
 * is missing (tools-global-setup.ts says so in one line), failing instead where CI requires it.
 */

export interface Tool {
  /** The command, run with `versionArgs` to see whether it is there. */
  command: string;
  versionArgs: string[];
  /** How to get it: `apt-get install prometheus`. */
  install: string;
  /** The variable that makes it required (CI), if any. */
  requiredBy?: string;
}

export const PROMTOOL: Tool = { command: 'promtool', versionArgs: ['--version'], install: 'apt-get install prometheus', requiredBy: 'REXI_REQUIRE_PROMTOOL' };
export const SYSTEMD_ANALYZE: Tool = { command: 'systemd-analyze', versionArgs: ['--version'], install: 'apt-get install systemd' };
export const ZSH: Tool = { command: 'zsh', versionArgs: ['--version'], install: 'apt-get install zsh' };
export const FISH: Tool = { command: 'fish', versionArgs: ['--version'], install: 'apt-get install fish' };
export const BASH: Tool = { command: 'bash', versionArgs: ['--version'], install: 'apt-get install bash' };

const seen = new Map<string, boolean>();

export function toolAvailable(tool: Tool): boolean {
  let ok = seen.get(tool.command);
  if (ok === undefined) {
    ok = spawnSync(tool.command, tool.versionArgs, { stdio: 'ignore', timeout: 10_000 }).status === 0;
    seen.set(tool.command, ok);
  }
  return ok;
}

export const toolRequired = (tool: Tool): boolean => tool.requiredBy !== undefined && process.env[tool.requiredBy] === '1';

export const missingLine = (tool: Tool): string => `${tool.command} is not on PATH: ${tool.install}`;

/** it() that needs `tool`. */
export function itWith(tool: Tool, name: string, body: () => Promise<void> | void, timeout?: number): void {
  const missing = !toolAvailable(tool);
  if (missing && toolRequired(tool)) it(name, () => { throw new Error(`${missingLine(tool)} (${tool.requiredBy}=1)`); });
  else it.skipIf(missing)(missing ? `${name} (${missingLine(tool)})` : name, body, timeout);
}

/** describe() that needs `tool`. */
export function describeWith(tool: Tool, name: string, body: () => void): void {
  const missing = !toolAvailable(tool);
  if (missing && toolRequired(tool)) describe(name, () => it('needs ' + tool.command, () => { throw new Error(`${missingLine(tool)} (${tool.requiredBy}=1)`); }));
  else describe.skipIf(missing)(missing ? `${name} (${missingLine(tool)})` : name, body);
}
