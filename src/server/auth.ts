import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * API-key checks for the local feed, accepting the key every way `tail --auth` can send it:
 * query `api_key` (what the service's get_websocket_url() builds), `X-API-Key`, or Bearer.
 */

export type AuthResult = { ok: true } | { ok: false; reason: 'no API key' | 'wrong API key' };

/** The key a request presents, first of query, X-API-Key, Bearer; undefined when none. */
export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('api_key');
  if (fromQuery) return fromQuery;
  const header = req.headers['x-api-key'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return fromHeader.trim();
  const bearer = /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '');
  return bearer?.[1]?.trim() || undefined;
}

// Compared as digests so the comparison takes the same time whatever the key's length.
const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/** Compiles the accepted keys once; an empty list accepts any non-empty key. */
export function createKeyCheck(keys: readonly string[]): (key: string | undefined) => AuthResult {
  const accepted = keys.map(digest);
  return (key) => {
    if (!key) return { ok: false, reason: 'no API key' };
    if (accepted.length === 0) return { ok: true };
    const presented = digest(key);
    // No early exit: every accepted key is compared.
    let match = false;
    for (const a of accepted) match = timingSafeEqual(a, presented) || match;
    return match ? { ok: true } : { ok: false, reason: 'wrong API key' };
  };
}
