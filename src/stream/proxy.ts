import { bareHost, redactUrl } from './endpoint.js';
import { usageError } from '../errors.js';

/** A proxy to CONNECT through, and the variable it came from (for messages that say what to fix). */
export interface ProxySetting {
  url: string;
  /** `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, ...: the one that was used. */
  variable: string;
}

/**
 * Which proxy a URL goes through, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl reads them:
 * wss:// uses HTTPS_PROXY, ws:// uses HTTP_PROXY, lower-case names win, NO_PROXY lists hosts or
 * domain suffixes (`*` for all). Pure: the environment is passed in.
 */
export function proxyFor(target: string, env: Record<string, string | undefined>): ProxySetting | undefined {
  const url = new URL(target);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const names = secure ? ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] : ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];
  // An empty variable counts as unset, for the proxies and for NO_PROXY alike.
  const name = names.find((n) => env[n]);
  if (name === undefined) return undefined;
  const port = url.port || (secure ? '443' : '80');
  if (bypassed(url.hostname, port, env.no_proxy || env.NO_PROXY || '')) return undefined;
  // curl reads `proxy:3128` as http://proxy:3128.
  const proxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(env[name]!) ? env[name]! : `http://${env[name]}`;
  try {
    const parsed = new URL(proxy);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw usageError(`${name}: '${redactUrl(env[name]!)}' is not an http:// or https:// proxy URL`);
  }
  return { url: proxy, variable: name };
}

/** The proxy as a message may name it: `HTTPS_PROXY (http://***@proxy:3128)`, credentials redacted. */
export function describeProxy(proxy: ProxySetting): string {
  return `${proxy.variable} (${redactUrl(proxy.url)})`;
}

function bypassed(hostname: string, port: string, noProxy: string): boolean {
  const host = bareHost(hostname).toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (raw === '*') return true;
    const [pattern, patternPort] = splitHostPort(raw.toLowerCase());
    if (patternPort !== undefined && patternPort !== port) continue;
    const domain = pattern.replace(/^\*?\.?/, '');
    if (host === domain || host.endsWith('.' + domain)) return true;
  }
  return false;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`; a bare IPv6 address has no port. */
function splitHostPort(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2]];
  const parts = entry.split(':');
  return parts.length === 2 ? [parts[0] ?? '', parts[1]] : [entry, undefined];
}
