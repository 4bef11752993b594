import { createLogger } from '../log.js';
import { resolveTail, resolveTarget, type Environment, type Flags } from '../options.js';
import type { Ending } from '../run.js';
import { runTail } from './tail.js';

export default async function tailCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const options = resolveTail(flags, environment);
  const target = resolveTarget(flags, options.config, environment);
  const logger = await createLogger(options.log);
  return runTail(options, target, { logger, stdout: process.stdout, environment });
}
