import { createLogger } from '../../log.js';
import { loadConfig, resolveLog, resolveTarget, Settings, type Environment, type Flags } from '../../config/options.js';
import type { Ending } from '../run.js';

/** The CLI's get_websocket_url(): the URL tail would connect to, key redacted unless asked. */
export default async function urlCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const config = loadConfig(flags.config, environment);
  const { endpoint } = resolveTarget(new Settings(flags, config, environment.env));
  const logger = await createLogger(resolveLog(flags, config, environment));
  for (const warning of config.warnings) logger.warn(warning);
  process.stdout.write(`${flags.showKey === true ? endpoint.url : endpoint.display}\n`);
  return {};
}
