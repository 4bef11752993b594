import { usageError } from '../errors.js';
import type { Flags } from './option-table.js';
import { EMPTY_CONFIG, Settings, type LoadedConfig } from './options.js';

/** Where --metrics listens. */
export interface MetricsAddress {
  host: string;
  port: number;
  /** How a user would write it back: `127.0.0.1:9464`, `[::1]:9464`. */
  display: string;
  /** Where it was set: `--metrics`, `metrics in <config file>`. */
  source: string;
}

const LOOPBACK = '127.0.0.1';

/** --metrics (or `metrics` in the config file), undefined when not asked for. */
export function resolveMetrics(flags: Flags, config: LoadedConfig = EMPTY_CONFIG): MetricsAddress | undefined {
  const setting = new Settings(flags, config).get('metrics');
  return setting === undefined ? undefined : parseMetricsAddress(setting.value, setting.source);
}

/**
 * `9464` (loopback), `0` (a free loopback port), `host:9464`, `[::]:9464`. Other exporters read
 * `:9464` as every interface; here a port alone is loopback, and leaving loopback takes a host
 * written out, so `:9464` is refused rather than read either way.
 */
export function parseMetricsAddress(value: string, source: string): MetricsAddress {
  const v = value.trim();
  const hostAndPort = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(v);
  let host: string;
  let portText: string;
  if (/^\d+$/.test(v)) {
    host = LOOPBACK;
    portText = v;
  } else if (hostAndPort !== null) {
    host = hostAndPort[1] ?? hostAndPort[2]!;
    portText = hostAndPort[3]!;
    if (host === '' || host === '*') {
      throw usageError(`${source}: '${value}' has no host: give the port alone for loopback, or a host to listen on (0.0.0.0:${portText || 9464})`);
    }
  } else {
    throw usageError(`${source}: '${value}' is not [host:]port (e.g. 9464, 0.0.0.0:9464, [::1]:9464)`);
  }
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw usageError(`${source}: '${value}' has no port from 0 to 65535`);
  return { host, port, display: `${host.includes(':') ? `[${host}]` : host}:${port}`, source };
}
