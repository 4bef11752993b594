import { describe, expect, it } from 'vitest';
import { parseNatsUrl, redactNatsUrls, validateSubject, type NatsUrlInput } from '../../src/nats/url.js';
import { captureSubject, platformToken, subjectCovers, subjectFor } from '../../src/nats/subjects.js';
import { userError } from '../support/errors.js';
import { Call } from '../../src/wire/calls.js';
import type { MultiCallWire, SignalMessage } from '../../src/wire/message.js';

const parse = (url: string, extra: Partial<NatsUrlInput> = {}) => parseNatsUrl({ url, source: '--publish', defaultSubject: 'rexi.calls.{platform}', ...extra });

describe('NATS URLs', () => {
  it('servers, default port, several hosts, IPv6, a percent-decoded subject or the default', () => {
    const t = parse('nats://10.0.0.1,nats-2:4333,[::1]:4223/rexi.calls.%7Bplatform%7D');
    expect(t.servers).toEqual(['10.0.0.1:4222', 'nats-2:4333', '[::1]:4223']);
    expect(t.subject).toBe('rexi.calls.{platform}');
    expect(t.tls).toBe(false);
    expect(parse('nats://localhost').subject).toBe('rexi.calls.{platform}');
    expect(parse('nats://localhost/').subject).toBe('rexi.calls.{platform}');
    expect(parse('NATS://localhost/a%20b').subject).toBe('a b');
  });

  it('user:pass@ and token@ in the URL, percent-decoded, redacted in the display', () => {
    const t = parse('nats://bot:p%40ss%2Fw@127.0.0.1:4222/s');
    expect(t.auth).toEqual({ kind: 'user', user: 'bot', pass: 'p@ss/w', source: 'the --publish URL' });
    expect(t.display).toBe('nats://***@127.0.0.1:4222/s');
    const k = parse('tls://s3cr3t@127.0.0.1/s');
    expect(k.auth).toMatchObject({ kind: 'token', token: 's3cr3t' });
    expect(k.tls).toBe(true);
    expect(k.display).toBe('tls://***@127.0.0.1/s');
    // An unescaped '@' in a password: the userinfo ends at the last '@' before the path.
    expect(parse('nats://u:a@b@localhost/s').auth).toMatchObject({ kind: 'user', pass: 'a@b' });
  });

  it('precedence: the URL, then the flags, then NATS_*', () => {
    const env = { NATS_USER: 'eu', NATS_PASSWORD: 'ep', NATS_CREDS: '/env.creds', NATS_NKEY: '/env.nk', NATS_CA: '/env-ca.pem' };
    expect(parse('nats://u:p@localhost', { env, flags: { natsCreds: '/f.creds' } }).auth).toMatchObject({ kind: 'user', user: 'u' });
    expect(parse('nats://localhost', { env, flags: { natsCreds: '/f.creds' } }).auth).toEqual({ kind: 'creds', file: '/f.creds', source: '--nats-creds' });
    expect(parse('nats://localhost', { env, flags: { natsNkey: '/f.nk' } }).auth).toMatchObject({ kind: 'nkey', file: '/f.nk' });
    expect(parse('nats://localhost', { env }).auth).toMatchObject({ kind: 'creds', source: 'NATS_CREDS' });
    expect(parse('nats://localhost', { env: { NATS_NKEY: '/n' } }).auth).toMatchObject({ kind: 'nkey', source: 'NATS_NKEY' });
    expect(parse('nats://localhost', { env: { NATS_USER: 'eu', NATS_PASSWORD: 'ep' } }).auth).toMatchObject({ kind: 'user', user: 'eu', pass: 'ep' });
    expect(parse('nats://localhost', { env: { NATS_USER: 'tok' } }).auth).toMatchObject({ kind: 'token', token: 'tok' });
    const tls = parse('nats://localhost', { env, flags: { natsCa: '/flag-ca.pem' } });
    expect(tls.tlsFiles.ca).toBe('/flag-ca.pem');
    expect(tls.tls).toBe(true);
  });

  it('credentials over plain nats:// to a non-loopback host: exit 2 unless insecure', () => {
    const e = userError(() => parse('nats://u:SECRET@nats.example.com/s'));
    expect(e.code).toBe('REXI_BAD_OPTION');
    expect(e.message).toMatch(/--insecure/);
    expect(e.message).not.toContain('SECRET');
    expect(userError(() => parse('nats://localhost,nats.example.com', { env: { NATS_USER: 'u', NATS_PASSWORD: 'p' } })).message).toMatch(/nats\.example\.com/);
    expect(parse('nats://u:p@nats.example.com', { insecure: true }).plaintextCredentials).toBe(true);
    expect(parse('tls://u:p@nats.example.com').plaintextCredentials).toBe(false);
    expect(parse('nats://u:p@127.0.0.2,[::1]').plaintextCredentials).toBe(false);
    expect(parse('nats://nats.example.com').plaintextCredentials).toBe(false);
  });

  it('malformed URLs are usage errors that never show the credentials', () => {
    for (const bad of ['http://localhost', 'nats://', 'nats://h:99999', 'nats://h:x', 'nats://u:SECRET@/s', 'nats://u:SECRET@h?x=1', 'nats://h/%zz']) {
      const e = userError(() => parse(bad));
      expect(e.code).toBe('REXI_BAD_OPTION');
      expect(e.message).not.toContain('SECRET');
    }
    expect(userError(() => parse('nats://h', { flags: { natsCert: '/c.pem' } })).message).toMatch(/--nats-key/);
  });

  it('redactNatsUrls hides credentials in any text', () => {
    expect(redactNatsUrls('to nats://u:p@h:1/s and tls://tok@h2 and nats://h3')).toBe('to nats://***@h:1/s and tls://***@h2 and nats://h3');
  });
});

describe('NATS subjects', () => {
  it('a platform token: lower-cased, other characters to _, unknown when unusable', () => {
    expect(platformToken('Telegram')).toBe('telegram');
    expect(platformToken('dis cord.x*>')).toBe('dis_cord_x__');
    expect(platformToken('Ünï')).toBe('_n_');
    expect(platformToken('')).toBe('unknown');
    expect(platformToken(5)).toBe('unknown');
    expect(platformToken(null)).toBe('unknown');
  });

  it('a subject per message, signals on `signals`', () => {
    const of = subjectFor('rexi.{platform}.calls');
    const call = (platform: unknown): Call => new Call(JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 'x', caller: { platform } } }), 0, true, undefined);
    expect(of(call('Discord'))).toBe('rexi.discord.calls');
    expect(of(call(undefined))).toBe('rexi.unknown.calls');
    const signal: SignalMessage = { kind: 'signal', raw: '{}', receivedAt: 0, identity: 'i', value: {} as MultiCallWire };
    expect(of(signal)).toBe('rexi.signals.calls');
    expect(subjectFor('fixed.subject')(call('x'))).toBe('fixed.subject');
    expect(captureSubject('rexi.calls.{platform}')).toBe('rexi.calls.*');
  });

  it('subject checks for publishing and reading', () => {
    expect(() => validateSubject('rexi.calls.{platform}', 'publish', '--publish')).not.toThrow();
    expect(() => validateSubject('rexi.calls.>', 'read', '--url')).not.toThrow();
    for (const bad of ['a..b', '.a', 'a.', 'a b', 'a.*', 'a.{date}', 'a.x{platform}']) {
      expect(userError(() => validateSubject(bad, 'publish', '--publish')).code).toBe('REXI_BAD_OPTION');
    }
    for (const bad of ['a.>.b', 'a.b*', '']) expect(userError(() => validateSubject(bad, 'read', '--url')).code).toBe('REXI_BAD_OPTION');
  });

  it('subjectCovers: a reader subject that covers a stream subject needs no filter', () => {
    expect(subjectCovers('rexi.calls.>', 'rexi.calls.*')).toBe(true);
    expect(subjectCovers('rexi.calls.*', 'rexi.calls.*')).toBe(true);
    expect(subjectCovers('rexi.calls.*', 'rexi.calls.>')).toBe(false);
    expect(subjectCovers('rexi.calls.telegram', 'rexi.calls.*')).toBe(false);
    expect(subjectCovers('>', 'a.b')).toBe(true);
    expect(subjectCovers('a.>', 'a')).toBe(false);
  });
});

describe('NATS names', () => {
  it('--durable and --stream names', async () => {
    const { validateNatsName } = await import('../../src/nats/url.js');
    expect(() => validateNatsName('REXI_CALLS', '--stream')).not.toThrow();
    expect(() => validateNatsName('bot-1', '--durable')).not.toThrow();
    for (const bad of ['', 'a.b', 'a b', 'a*', 'a>', 'a/b']) expect(userError(() => validateNatsName(bad, '--durable')).code).toBe('REXI_BAD_OPTION');
  });
});
