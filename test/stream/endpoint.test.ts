import { describe, expect, it } from 'vitest';
import { buildEndpoint, isLoopbackHost, livecallsUrlFromBase, redactUrl, type EndpointInput } from '../../src/stream/endpoint.js';
import { RexiLiveError } from '../../src/errors.js';
import { userError } from '../support/errors.js';

const key = { value: 's3cr3t-key', source: 'REXI_API_KEY' };
const input = (over: Partial<EndpointInput>): EndpointInput => ({ auth: 'query', insecure: false, ...over });

describe('livecallsUrlFromBase', () => {
  it.each([
    ['https://api.example.com', 'wss://api.example.com/solana/monitor/livecalls'],
    ['https://api.example.com/', 'wss://api.example.com/solana/monitor/livecalls'],
    ['http://127.0.0.1:8080/v1/', 'ws://127.0.0.1:8080/v1/solana/monitor/livecalls'],
    ['wss://api.example.com/rexi', 'wss://api.example.com/rexi/solana/monitor/livecalls'],
  ])('%s → %s', (base, url) => expect(livecallsUrlFromBase(base, '--base-url').toString()).toBe(url));

  it('rejects other schemes', () => expect(() => livecallsUrlFromBase('ftp://x', '--base-url')).toThrow(/--base-url/));
});

describe('buildEndpoint', () => {
  it('puts the key in the query for auth=query, as get_websocket_url() does', () => {
    const e = buildEndpoint(input({ url: { value: 'wss://api.example.com/solana/monitor/livecalls', source: '--url' }, apiKey: key }));
    expect(e.url).toBe('wss://api.example.com/solana/monitor/livecalls?api_key=s3cr3t-key');
    expect(e.headers).toEqual({});
    expect(e.display).toBe('wss://api.example.com/solana/monitor/livecalls?api_key=***');
    expect(e.keySource).toBe('REXI_API_KEY');
  });

  it('sends X-API-Key for auth=header and a bearer token for auth=bearer, never in the URL', () => {
    const url = { value: 'wss://api.example.com/solana/monitor/livecalls', source: '--url' };
    const header = buildEndpoint(input({ url, apiKey: key, auth: 'header' }));
    expect(header.url).not.toContain('s3cr3t');
    expect(header.headers).toEqual({ 'X-API-Key': 's3cr3t-key' });
    const bearer = buildEndpoint(input({ url, apiKey: key, auth: 'bearer' }));
    expect(bearer.headers).toEqual({ Authorization: 'Bearer s3cr3t-key' });
  });

  it('builds from a base URL', () => {
    const e = buildEndpoint(input({ baseUrl: { value: 'https://api.example.com', source: 'REXI_BASE_URL' }, apiKey: key }));
    expect(e.display).toBe('wss://api.example.com/solana/monitor/livecalls?api_key=***');
  });

  it('needs an endpoint, and a key for a non-loopback host', () => {
    expect(() => buildEndpoint(input({}))).toThrow(/--url or REXI_WS_URL/);
    expect(() => buildEndpoint(input({ url: { value: 'wss://api.example.com/x', source: '--url' } }))).toThrow(/REXI_API_KEY/);
    // Loopback (serve, tests, an SSH tunnel) may go without.
    expect(buildEndpoint(input({ url: { value: 'ws://127.0.0.1:9/x', source: '--url' } })).url).toBe('ws://127.0.0.1:9/x');
  });

  it('refuses to send a key over plain ws:// to a non-loopback host unless --insecure', () => {
    const url = { value: 'ws://api.example.com/solana/monitor/livecalls', source: '--url' };
    const err = (() => {
      try {
        buildEndpoint(input({ url, apiKey: key }));
      } catch (e) {
        return e as RexiLiveError;
      }
    })();
    expect(err?.code).toBe('REXI_BAD_OPTION');
    expect(err?.message).toMatch(/--insecure/);
    expect(err?.message).not.toContain('s3cr3t');
    expect(buildEndpoint(input({ url, apiKey: key, insecure: true })).display).toContain('api_key=***');
    expect(buildEndpoint(input({ url: { value: 'ws://localhost:8080/x', source: '--url' }, apiKey: key })).url).toContain('api_key=s3cr3t');
  });

  it('rejects http URLs for --url and never echoes a key in the error', () => {
    expect(() => buildEndpoint(input({ url: { value: 'https://h/x?api_key=zzz', source: '--url' }, apiKey: key }))).toThrow(/must be a ws:\/\/ or wss:\/\/ URL/);
    try {
      buildEndpoint(input({ url: { value: 'nope?api_key=zzz', source: '--url' } }));
    } catch (e) {
      expect((e as Error).message).not.toContain('zzz');
    }
  });
});

describe('buildEndpoint: URLs and keys that cannot work are usage errors', () => {
  const url = { value: 'wss://api.example.com/solana/monitor/livecalls', source: '--url' };
  const thrown = userError;

  it('a URL with a #fragment', () => {
    const err = thrown(() => buildEndpoint(input({ url: { value: 'wss://api.example.com/solana/monitor/livecalls#x', source: '--url' }, apiKey: key })));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/--url.*#fragment/);
    expect(err.message).not.toContain('s3cr3t');
    const base = thrown(() => buildEndpoint(input({ baseUrl: { value: 'https://api.example.com/#top', source: '--base-url' }, apiKey: key })));
    expect(base.message).toMatch(/--base-url.*#fragment/);
  });

  it.each([
    ['a space', 'sec ret-KEY-42'],
    ['a non-Latin-1 character', 'sec\u20acret-KEY-42'],
    ['a control character', 'secret-KEY-42\u0007'],
  ])('a key with %s cannot go in a header or a bearer token; the error does not show it', (_what, value) => {
    for (const auth of ['header', 'bearer'] as const) {
      const err = thrown(() => buildEndpoint(input({ url, apiKey: { value, source: 'REXI_API_KEY' }, auth })));
      expect(err.code, auth).toBe('REXI_BAD_OPTION');
      expect(err.message, auth).toMatch(/REXI_API_KEY/);
      expect(err.message, auth).not.toContain('KEY-42');
    }
  });

  it('the same keys go in the query, URL-encoded, and are redacted on display', () => {
    const spaced = buildEndpoint(input({ url, apiKey: { value: 'sec ret-KEY-42', source: 'REXI_API_KEY' } }));
    expect(new URL(spaced.url).searchParams.get('api_key')).toBe('sec ret-KEY-42');
    expect(spaced.url).not.toContain(' ');
    expect(spaced.display).toBe('wss://api.example.com/solana/monitor/livecalls?api_key=***');
    const euro = buildEndpoint(input({ url, apiKey: { value: 'sec\u20acret-KEY-42', source: 'REXI_API_KEY' } }));
    expect(new URL(euro.url).searchParams.get('api_key')).toBe('sec\u20acret-KEY-42');
    expect(euro.url).toContain('api_key=sec%E2%82%ACret-KEY-42');
    expect(euro.display).not.toContain('KEY-42');
  });
});

describe('redactUrl', () => {
  it('hides all of a key, even one with a space in it (a URL that did not parse)', () => {
    expect(redactUrl('wss://h:99999/x?api_key=sec ret&x=1')).toBe('wss://h:99999/x?api_key=***&x=1');
    expect(redactUrl('user:pw@proxy:3128')).toBe('***@proxy:3128');
  });

  it('hides keys in the query and credentials in the authority', () => {
    expect(redactUrl('wss://h/p?api_key=abc&x=1')).toBe('wss://h/p?api_key=***&x=1');
    expect(redactUrl('wss://h/p?x=1&token=abc#f')).toBe('wss://h/p?x=1&token=***#f');
    expect(redactUrl('http://user:pass@proxy:3128')).toBe('http://***@proxy:3128');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['api.example.com', false],
    ['127.0.0.1.example.com', false],
  ])('%s → %s', (host, loopback) => expect(isLoopbackHost(host)).toBe(loopback));
});
