import { INSTALL_HINT, natsAvailable, natsRequired } from './nats-server.js';

/** One line for the whole run when the NATS tests cannot run here. */
export default function setup(): void {
  if (natsAvailable()) return;
  if (natsRequired()) console.error(`NATS tests will fail: ${INSTALL_HINT} (REXI_REQUIRE_NATS=1)`);
  else console.warn(`NATS tests skipped: ${INSTALL_HINT}`);
}
