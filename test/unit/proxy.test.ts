import { describe, expect, it } from 'vitest';
import { RexiLiveError } from '../../src/errors.js';
import { proxyFor } from '../../src/proxy.js';

describe('proxyFor', () => {
  it('reads a proxy without a scheme as http://, as curl does, and never prints its password', () => {
    expect(proxyFor('wss://h/x', { HTTPS_PROXY: 'proxy:3128' })).toBe('http://proxy:3128');
    expect(() => proxyFor('wss://h/x', { HTTPS_PROXY: 'user:hunter2@pro xy:3128' })).toThrow(/HTTPS_PROXY: '\*\*\*@pro xy:3128'/);
  });

  it('treats an empty variable as unset, NO_PROXY included', () => {
    expect(proxyFor('wss://h/x', { https_proxy: '', HTTPS_PROXY: 'http://p:1' })).toBe('http://p:1');
    expect(proxyFor('wss://h/x', { HTTPS_PROXY: 'http://p:1', no_proxy: '', NO_PROXY: 'h' })).toBeUndefined();
  });

  it('uses HTTPS_PROXY for wss:// and HTTP_PROXY for ws://', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
    expect(proxyFor('wss://api.example.com/x', env)).toBe('http://secure:3128');
    expect(proxyFor('ws://api.example.com/x', env)).toBe('http://plain:3128');
    expect(proxyFor('ws://api.example.com/x', {})).toBeUndefined();
  });

  it('prefers lower-case names, as curl does', () => {
    expect(proxyFor('wss://h/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' })).toBe('http://lower:1');
  });

  it('bypasses NO_PROXY hosts, domain suffixes, ports and *', () => {
    const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'internal.example, .corp, api.example.com:8443, [::1]' };
    expect(proxyFor('wss://internal.example/x', env)).toBeUndefined();
    expect(proxyFor('wss://a.internal.example/x', env)).toBeUndefined();
    expect(proxyFor('wss://b.corp/x', env)).toBeUndefined();
    expect(proxyFor('wss://api.example.com:8443/x', env)).toBeUndefined();
    expect(proxyFor('wss://api.example.com/x', env)).toBe('http://p:1');
    expect(proxyFor('wss://[::1]:9/x', env)).toBeUndefined();
    expect(proxyFor('wss://notinternal.example/x', env)).toBe('http://p:1');
    expect(proxyFor('wss://anything/x', { HTTPS_PROXY: 'http://p:1', no_proxy: '*' })).toBeUndefined();
  });

  it('a proxy variable that is not a URL is a usage error naming the variable', () => {
    const err = (() => {
      try {
        proxyFor('wss://api.example.com/x', { HTTPS_PROXY: 'http://[not a url' });
      } catch (e) {
        return e;
      }
    })() as RexiLiveError;
    expect(err).toBeInstanceOf(RexiLiveError);
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/HTTPS_PROXY/);
    expect(() => proxyFor('ws://api.example.com/x', { http_proxy: 'socks5://p:1080' })).toThrow(/http_proxy/);
    // Bypassed by NO_PROXY, it is never looked at.
    expect(proxyFor('wss://api.example.com/x', { HTTPS_PROXY: 'http://[not a url', NO_PROXY: 'example.com' })).toBeUndefined();
  });
});
