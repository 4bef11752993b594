import { usageError } from '../errors.js';

/** The path the service serves live calls on. */
export const LIVECALLS_PATH = '/solana/monitor/livecalls';

import type { AuthMode } from '../choices.js';

export type { AuthMode };

/** Everything a connection needs to reach the service, decided once at start-up. */
export interface Endpoint {
  /** The URL to connect to, with `api_key` in the query when auth is `query`. */
  url: string;
  /** Headers carrying the key for `header` and `bearer` auth. */
  headers: Record<string, string>;
  /** The URL as it may be shown: the key replaced by `***`. */
  display: string;
  /** Where the key came from, for error messages that say what to fix. */
  keySource: string | undefined;
  /** Where the URL came from (`--url`, `REXI_BASE_URL`, the config file, ...), likewise. */
  urlSource: string;
}

export interface EndpointInput {
  url?: { value: string; source: string };
  baseUrl?: { value: string; source: string };
  apiKey?: { value: string; source: string };
  auth: AuthMode;
  insecure: boolean;
  /** How the user names what to fix: flags for the CLI (the default), option names for the library. */
  terms?: EndpointTerms;
}

export interface EndpointTerms {
  endpoint: string;
  baseUrl: string;
  apiKey: string;
  insecure: string;
  authQuery: string;
  /** What to fix when the key is rejected and it came from nowhere in particular. */
  keyHint: string;
}

export const CLI_TERMS: EndpointTerms = {
  endpoint: '--url or REXI_WS_URL (or --base-url / REXI_BASE_URL), or try `rexi-live demo`',
  baseUrl: '--base-url',
  apiKey: 'REXI_API_KEY or use --api-key-file <path>',
  insecure: 'pass --insecure',
  authQuery: '--auth query',
  keyHint: 'REXI_API_KEY (or --api-key-file)',
};

/**
 * `base` + the live-calls path, http→ws and https→wss, as the service's `get_websocket_url()` does.
 */
export function livecallsUrlFromBase(base: string, source: string): URL {
  const url = parseUrl(base, source);
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[url.protocol];
  if (!scheme) throw usageError(`${source}: '${redactUrl(base)}' must be an http(s):// or ws(s):// URL`);
  url.protocol = scheme;
  url.pathname = url.pathname.replace(/\/+$/, '') + LIVECALLS_PATH;
  return url;
}

function parseUrl(text: string, source: string): URL {
  try {
    return new URL(text);
  } catch {
    throw usageError(`${source}: '${redactUrl(text)}' is not a URL`);
  }
}

/** A URL's hostname without the brackets of an IPv6 literal: `[::1]` → `::1`. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

export function isLoopbackHost(hostname: string): boolean {
  const h = bareHost(hostname).toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}

/**
 * Builds the endpoint and enforces the rules that keep the key safe: a key is needed for any
 * non-loopback host, and never travels over plain ws:// to one unless --insecure says so.
 */
export function buildEndpoint(input: EndpointInput): Endpoint {
  const terms = input.terms ?? CLI_TERMS;
  let url: URL;
  let urlSource: string;
  if (input.url) {
    urlSource = input.url.source;
    url = parseUrl(input.url.value, input.url.source);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw usageError(`${input.url.source}: '${redactUrl(input.url.value)}' must be a ws:// or wss:// URL (or use ${terms.baseUrl} for an http(s) base)`);
    }
  } else if (input.baseUrl) {
    urlSource = input.baseUrl.source;
    url = livecallsUrlFromBase(input.baseUrl.value, input.baseUrl.source);
  } else {
    throw usageError(`no endpoint: set ${terms.endpoint}`);
  }
  if (url.hash !== '') throw usageError(`${urlSource}: a WebSocket URL cannot have a #fragment`);
  // A key pasted into the URL is still the key: treat it like any other source.
  const keyInUrl = url.searchParams.get('api_key');
  const key = input.apiKey?.value ?? (keyInUrl || undefined);
  const keySource = input.apiKey?.source ?? (keyInUrl ? 'the api_key in the URL' : undefined);
  const loopback = isLoopbackHost(url.hostname);
  if (key === undefined && !loopback) {
    throw usageError(`no API key for ${url.hostname}: set ${terms.apiKey}`);
  }
  if (key !== undefined && url.protocol === 'ws:' && !loopback && !input.insecure) {
    throw usageError(
      `refusing to send the API key over plain ws:// to ${url.hostname}: use wss:// or ${terms.insecure}`,
    );
  }
  // A header value cannot hold control characters or non-Latin-1 text: say so, not "internal error".
  if (key !== undefined && input.auth !== 'query' && !/^[\x21-\x7e]+$/.test(key)) {
    throw usageError(`the API key from ${keySource} has spaces or characters that cannot go in a header: check it, or use ${terms.authQuery}`);
  }
  const headers: Record<string, string> = {};
  if (key !== undefined) {
    if (input.auth === 'query') url.searchParams.set('api_key', key);
    else {
      url.searchParams.delete('api_key');
      if (input.auth === 'header') headers['X-API-Key'] = key;
      else headers.Authorization = `Bearer ${key}`;
    }
  }
  const text = url.toString();
  return { url: text, headers, display: redactUrl(text), keySource, urlSource };
}

// The value runs to the next & or #: a key with a space in it (a URL that did not parse) is still all key.
const SECRET_PARAM = /([?&](?:api_key|apikey|key|token|access_token)=)[^&#]*/gi;
const USERINFO = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)[^/@\s]*@/i;

/** A URL that may be printed or logged: query secrets become `***`, user:password@ is dropped. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAM, '$1***').replace(USERINFO, '$1***@');
}
