import { usageError } from '../errors.js';
import type { CallStagesSpec } from '../stages/call-stages.js';
import type { EndpointTerms } from '../stream/endpoint.js';
import { natsSourceUrl, resolveStream, resolveTarget, type ConnectTarget, type StreamOptions } from './connection.js';
import { resolveFilter } from './filters.js';
import { natsFiles, resolveNatsRead, type NatsReadOptions } from './nats.js';
import { LibrarySettings } from './settings.js';
import { resolveSignalOptions } from './signals.js';

/**
 * liveCalls()'s options through the same resolvers as the CLI's flags: the same defaults and
 * checks, worded in the library's terms (`baseUrl`, `backoffMinMs`, `insecure: true`).
 */

export const LIBRARY_TERMS: EndpointTerms = {
  endpoint: 'url or baseUrl',
  baseUrl: 'baseUrl',
  apiKey: 'apiKey',
  insecure: 'set insecure: true',
  authQuery: "auth: 'query'",
  keyHint: 'apiKey',
};

/** Options that only reading JetStream has. */
const NATS_ONLY = ['stream', 'durable', 'since', 'startSeq', 'natsCreds', 'natsNkey', 'natsCa', 'natsCert', 'natsKey'] as const;

export interface LiveCallsPlan {
  /** The service, or a JetStream stream when `url` is a nats:// URL. */
  source: { kind: 'service'; target: ConnectTarget } | { kind: 'jetstream'; read: NatsReadOptions };
  stream: StreamOptions;
  stages: CallStagesSpec;
}

export function resolveLiveCalls(options: unknown): LiveCallsPlan {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw usageError('options must be an object');
  const values = options as Record<string, unknown>;
  const s = new LibrarySettings(values);
  const natsUrl = natsSourceUrl(s);
  if (natsUrl === undefined) {
    for (const key of NATS_ONLY) if (values[key] !== undefined) throw usageError(`${key} goes with a nats:// url`);
  }
  const source: LiveCallsPlan['source'] =
    natsUrl !== undefined ? { kind: 'jetstream', read: resolveNatsRead(s, natsUrl, { files: natsFiles(s) }) } : { kind: 'service', target: resolveTarget(s, { terms: LIBRARY_TERMS }) };
  const signals = resolveSignalOptions(s);
  return {
    source,
    stream: resolveStream(s),
    stages: { filter: resolveFilter(s), multiCall: signals.multiCall, dedupe: signals.dedupe, stateMax: signals.state.max },
  };
}
