import fs from 'node:fs';
import { AUTH_CHOICES, type AuthMode } from '../choices.js';
import { usageError } from '../errors.js';
import { isNatsUrl } from '../nats/url.js';
import type { ConnectionTuning } from '../stream/connection.js';
import { buildEndpoint, CLI_TERMS, type Endpoint, type EndpointTerms } from '../stream/endpoint.js';
import type { BackoffPolicy } from '../stream/policy.js';
import { proxyFor, type ProxySetting } from '../stream/proxy.js';
import { oneOf, type OptionLookup, type Setting } from './settings.js';

/**
 * Where to connect and how: the endpoint and its key, and the reader loop's timings. One resolver
 * for the CLI and the library; every default is written here once.
 */

export const CONNECTION_DEFAULTS = {
  backoffMinMs: 1000,
  backoffMaxMs: 30_000,
  connectTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  pongTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  maxMessageSize: 1024 * 1024,
} as const;

export interface StreamOptions extends ConnectionTuning {
  policy: BackoffPolicy;
  allTypes: boolean;
}

export interface ConnectTarget {
  endpoint: Endpoint;
  /** The variable or flag to fix when the key is rejected. */
  keyHint: string;
  /** The proxy to CONNECT through, from the CLI's environment (the library takes an agent instead). */
  proxy: ProxySetting | undefined;
}

const URL_KEYS = ['url', 'baseUrl'] as const;

/** The first place that names an endpoint decides it; one place naming two is ambiguous. */
function endpointSettings(s: OptionLookup): { url?: Setting; baseUrl?: Setting } {
  const layer = s.firstOf(URL_KEYS);
  if (layer.url && layer.baseUrl) throw usageError(`${layer.url.source} and ${layer.baseUrl.source} are both set: use one`);
  return layer;
}

/** The nats:// (or tls://) URL to read instead of the service, when the URL that decides the endpoint is one. */
export function natsSourceUrl(s: OptionLookup): Setting | undefined {
  const { url } = endpointSettings(s);
  return url !== undefined && isNatsUrl(url.value) ? url : undefined;
}

/**
 * The service's endpoint with its key (--api-key-file is read here). `terms` words the errors for
 * the caller (flags by default); `env`, the CLI's, chooses a proxy.
 */
export function resolveTarget(s: OptionLookup, context: { terms?: EndpointTerms; env?: Record<string, string | undefined> } = {}): ConnectTarget {
  const { terms } = context;
  const layer = endpointSettings(s);
  if (layer.url !== undefined && isNatsUrl(layer.url.value)) {
    throw usageError(`${layer.url.source}: a NATS URL is read by 'rexi-live tail' (and 'replay'); this command needs the service's WebSocket URL`);
  }
  const apiKey = resolveApiKey(s);
  // A key written into the URL ranks as its URL does: --url '...?api_key=' beats REXI_API_KEY.
  const urlSetting = layer.url ?? layer.baseUrl;
  const urlKeyWins = urlSetting !== undefined && /[?&]api_key=[^&#]/.test(urlSetting.value) && (apiKey === undefined || urlSetting.layer < apiKey.layer);
  const endpoint = buildEndpoint({
    ...(layer.url && { url: layer.url }),
    ...(layer.baseUrl && { baseUrl: layer.baseUrl }),
    ...(apiKey && !urlKeyWins && { apiKey }),
    auth: resolveAuth(s),
    insecure: s.bool('insecure'),
    ...(terms !== undefined && { terms }),
  });
  return {
    endpoint,
    keyHint: endpoint.keySource ?? (terms ?? CLI_TERMS).keyHint,
    proxy: context.env === undefined ? undefined : proxyFor(endpoint.url, context.env),
  };
}

export function resolveAuth(s: OptionLookup): AuthMode {
  return oneOf<AuthMode>(s, 'auth', AUTH_CHOICES, 'query');
}

/** The key and where it came from: --api-key-file, --api-key, REXI_API_KEY, the config file (or the library's apiKey). */
function resolveApiKey(s: OptionLookup): Setting | undefined {
  const file = s.get('apiKeyFile');
  const inline = s.get('apiKey');
  if (file !== undefined && inline !== undefined && inline.layer === 0) throw usageError(`${inline.source} and ${file.source} are both set: use one`);
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file.value, 'utf8');
    } catch (err) {
      throw usageError(`${file.source}: cannot read '${file.value}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const key = text.trim();
    if (key === '') throw usageError(`${file.source}: '${file.value}' is empty`);
    return { value: key, source: file.source, layer: 0 };
  }
  if (inline === undefined) return undefined;
  // A key of blanks is no key: it would only be rejected by the server, one round trip later.
  const key = inline.value.trim();
  if (key === '') {
    if (inline.layer === 0) throw usageError(`${inline.source}: the key is empty`);
    return undefined;
  }
  return { ...inline, value: inline.layer === 1 ? key : inline.value };
}

/**
 * The reader loop's timings and limits. `defaults.maxRetries`: a one-shot command's (replay
 * nats://, callers nats://) gives up after a few tries; a tail retries forever.
 */
export function resolveStream(s: OptionLookup, defaults: { maxRetries?: number } = {}): StreamOptions {
  const d = CONNECTION_DEFAULTS;
  const minMs = s.duration('backoffMin') ?? d.backoffMinMs;
  const maxMs = s.duration('backoffMax') ?? d.backoffMaxMs;
  if (minMs <= 0) throw usageError(`${s.name('backoffMin')} must be above 0 (a zero wait would hammer the server)`);
  if (minMs > maxMs) throw usageError(`${s.name('backoffMin')} (${minMs}ms) is above ${s.name('backoffMax')} (${maxMs}ms)`);
  const connectTimeoutMs = s.duration('connectTimeout') ?? d.connectTimeoutMs;
  const pingIntervalMs = s.duration('pingInterval') ?? d.pingIntervalMs;
  const pongTimeoutMs = s.duration('pongTimeout') ?? d.pongTimeoutMs;
  if (connectTimeoutMs <= 0) throw usageError(`${s.name('connectTimeout')} must be above 0`);
  if (pingIntervalMs > 0 && pongTimeoutMs <= 0) throw usageError(`${s.name('pongTimeout')} must be above 0`);
  return {
    policy: { minMs, maxMs, maxRetries: resolveMaxRetries(s, defaults.maxRetries ?? Infinity) },
    connectTimeoutMs,
    pingIntervalMs,
    pongTimeoutMs,
    idleTimeoutMs: s.duration('idleTimeout') ?? d.idleTimeoutMs,
    maxMessageSize: s.size('maxMessageSize') ?? d.maxMessageSize,
    compress: s.bool('compress'),
    allTypes: s.bool('allTypes'),
  };
}

/**
 * --no-retry and --max-retries are one setting, decided where it was given last in precedence:
 * flags over the config file. The library's maxRetries may also be Infinity.
 */
function resolveMaxRetries(s: OptionLookup, fallback: number): number {
  const noRetry = s.get('retry');
  const retries = s.get('maxRetries');
  if (noRetry !== undefined && noRetry.value === 'false' && (retries === undefined || noRetry.layer <= retries.layer)) return 0;
  if (retries === undefined) return fallback;
  // The library's number Infinity (nothing written as text: `--max-retries Infinity` stays an error).
  if (retries.value === 'Infinity' && s.written('maxRetries') === undefined) return Infinity;
  return s.count('maxRetries', 0)!;
}
