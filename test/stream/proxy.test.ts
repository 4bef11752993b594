import { describe, expect, it } from 'vitest';
import { RexiLiveError } from '../../src/errors.js';
import { proxyFor } from '../../src/stream/proxy.js';

/** The proxy URL alone. */
const proxyUrl = (target: string, env: Record<string, string | undefined>): string | undefined => proxyFor(target, env)?.url;

describe('proxyFor', () => {
  it('reads a proxy without a scheme as http://, as curl does, and never prints its password', () => {
    expect(proxyUrl('wss://h/x', { HTTPS_PROXY: 'proxy:3128' })).toBe('http://proxy:3128');
    expect(() => proxyUrl('wss://h/x', { HTTPS_PROXY: 'user:hunter2@pro xy:3128' })).toThrow(/HTTPS_PROXY: '\*\*\*@pro xy:3128'/);
  });

  it('treats an empty variable as unset, NO_PROXY included', () => {
    expect(proxyUrl('wss://h/x', { https_proxy: '', HTTPS_PROXY: 'http://p:1' })).toBe('http://p:1');
    expect(proxyUrl('wss://h/x', { HTTPS_PROXY: 'http://p:1', no_proxy: '', NO_PROXY: 'h' })).toBeUndefined();
  });

  it('says which variable it took the proxy from', () => {
    expect(proxyFor('wss://h/x', { https_proxy: 'http://p:1', HTTPS_PROXY: 'http://q:1' })).toEqual({ url: 'http://p:1', variable: 'https_proxy' });
    expect(proxyFor('ws://h/x', { HTTP_PROXY: 'p:1' })).toEqual({ url: 'http://p:1', variable: 'HTTP_PROXY' });
  });

  it('uses HTTPS_PROXY for wss:// and HTTP_PROXY for ws://', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
    expect(proxyUrl('wss://api.example.com/x', env)).toBe('http://secure:3128');
    expect(proxyUrl('ws://api.example.com/x', env)).toBe('http://plain:3128');
    expect(proxyUrl('ws://api.example.com/x', {})).toBeUndefined();
  });

  it('prefers lower-case names, as curl does', () => {
    expect(proxyUrl('wss://h/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' })).toBe('http://lower:1');
  });

  it('bypasses NO_PROXY hosts, domain suffixes, ports and *', () => {
    const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'internal.example, .corp, api.example.com:8443, [::1]' };
    expect(proxyUrl('wss://internal.example/x', env)).toBeUndefined();
    expect(proxyUrl('wss://a.internal.example/x', env)).toBeUndefined();
    expect(proxyUrl('wss://b.corp/x', env)).toBeUndefined();
    expect(proxyUrl('wss://api.example.com:8443/x', env)).toBeUndefined();
    expect(proxyUrl('wss://api.example.com/x', env)).toBe('http://p:1');
    expect(proxyUrl('wss://[::1]:9/x', env)).toBeUndefined();
    expect(proxyUrl('wss://notinternal.example/x', env)).toBe('http://p:1');
    expect(proxyUrl('wss://anything/x', { HTTPS_PROXY: 'http://p:1', no_proxy: '*' })).toBeUndefined();
  });

  it('a proxy variable that is not a URL is a usage error naming the variable', () => {
    const err = (() => {
      try {
        proxyUrl('wss://api.example.com/x', { HTTPS_PROXY: 'http://[not a url' });
      } catch (e) {
        return e;
      }
    })() as RexiLiveError;
    expect(err).toBeInstanceOf(RexiLiveError);
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/HTTPS_PROXY/);
    expect(() => proxyUrl('ws://api.example.com/x', { http_proxy: 'socks5://p:1080' })).toThrow(/http_proxy/);
    // Bypassed by NO_PROXY, it is never looked at.
    expect(proxyUrl('wss://api.example.com/x', { HTTPS_PROXY: 'http://[not a url', NO_PROXY: 'example.com' })).toBeUndefined();
  });
});
