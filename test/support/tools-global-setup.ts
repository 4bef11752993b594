import { FISH, missingLine, PROMTOOL, SYSTEMD_ANALYZE, toolAvailable, toolRequired, ZSH } from './tools.js';

/** One line for the whole run per program whose tests cannot run here. */
export default function setup(): void {
  for (const tool of [PROMTOOL, SYSTEMD_ANALYZE, ZSH, FISH]) {
    if (toolAvailable(tool)) continue;
    if (toolRequired(tool)) console.error(`${tool.command} tests will fail: ${missingLine(tool)} (${tool.requiredBy}=1)`);
    else console.warn(`${tool.command} tests skipped: ${missingLine(tool)}`);
  }
}
