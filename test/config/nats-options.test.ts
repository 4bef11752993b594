import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, loadConfig, natsSourceUrl, parseSince, resolveNats, resolveTarget, Settings, type Environment, type Flags } from '../../src/config/options.js';
import type { CommandName } from '../../src/config/option-table.js';
import { subjectsOverlap } from '../../src/nats/subjects.js';
import { parseAge } from '../../src/config/units.js';
import { usageMessage } from '../support/errors.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-nats-opts-');

function environment(env: Record<string, string> = {}): Environment {
  return { env, stdoutIsTTY: false, stderrIsTTY: false, homedir: '/nonexistent-home' };
}

/** resolveNats as a command calls it: tail reads a nats:// --url, replay its argument. */
function nats(command: CommandName, flags: Flags, env: Record<string, string> = {}) {
  const e = environment(env);
  const config = loadConfig(flags.config, e);
  const readUrl = command === 'tail' ? natsSourceUrl(new Settings(flags, config, e.env)) : command === 'replay' && /^(nats|tls):/.test(String(flags.file)) ? { value: String(flags.file), source: 'replay', layer: 0 } : undefined;
  return resolveNats(flags, config, e, command, readUrl);
}

const usage = usageMessage;

describe('NATS options', () => {
  it('--url nats:// selects the JetStream source with no API key; every URL layer can name it', () => {
    const read = nats('tail', { url: 'nats://127.0.0.1:4222/rexi.calls.telegram' }).read!;
    expect(read.target.subject).toBe('rexi.calls.telegram');
    expect(read.start).toBeUndefined();
    expect(nats('tail', {}, { REXI_WS_URL: 'tls://nats.example.com' }).read!.target).toMatchObject({ tls: true, subject: 'rexi.calls.>' });
    expect(nats('tail', { url: 'ws://127.0.0.1:1/x' }).read).toBeUndefined();
    // The url command prints WebSocket URLs only.
    expect(usage(() => resolveTarget(new Settings({ url: 'nats://127.0.0.1' }, EMPTY_CONFIG, environment().env)))).toMatch(/NATS URL is read by 'rexi-live tail'/);
  });

  it('--publish with its defaults, --create-stream with --stream, --replicas and --retention', () => {
    const p = nats('tail', { url: 'ws://127.0.0.1:1/x', publish: 'nats://127.0.0.1' }).publish!;
    expect(p).toMatchObject({ tee: false, window: 256, createStream: undefined });
    expect(p.target.subject).toBe('rexi.calls.{platform}');
    const c = nats('demo', { publish: 'nats://h1,h2:4333/a.{platform}', tee: true, publishWindow: '64', createStream: true, stream: 'CALLS', replicas: '3', retention: '2d' }).publish!;
    expect(c).toMatchObject({ tee: true, window: 64, createStream: { name: 'CALLS', replicas: 3, retentionMs: 2 * 86_400_000 } });
    expect(c.target.servers).toEqual(['h1:4222', 'h2:4333']);
    // Not given: left to the module, so an existing stream is not warned about.
    expect(nats('demo', { publish: 'nats://h', createStream: true }).publish!.createStream).toEqual({});
  });

  it('start positions: --since as a duration or an ISO-8601 time, --start-seq', () => {
    const now = Date.UTC(2026, 11, 1, 8);
    expect(parseSince('1h', '--since', now)).toBe(now - 3_600_000);
    expect(parseSince('7d', '--since', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('2026-12-01T07:00:00Z', '--since', now)).toBe(Date.UTC(2026, 11, 1, 7));
    expect(usage(() => parseSince('2026-13-45T99:00:00Z', '--since', now))).toMatch(/not a valid ISO-8601 time/);
    expect(usage(() => parseSince('yesterday', '--since', now))).toMatch(/neither a duration/);
    expect(nats('replay', { file: 'nats://h/x', startSeq: '12' }).read!.start).toEqual({ kind: 'seq', seq: 12 });
    const since = nats('tail', { url: 'nats://h', since: '10m' }).read!.start;
    expect(since).toMatchObject({ kind: 'since' });
    expect(Math.abs((since as { atMs: number }).atMs - (Date.now() - 600_000))).toBeLessThan(5000);
    expect(parseAge('2w', '--retention')).toBe(14 * 86_400_000);
    expect(usage(() => parseAge('0', '--retention'))).toMatch(/above 0/);
  });

  it('the usage errors: exit 2 before anything connects', () => {
    const ws = { url: 'ws://127.0.0.1:1/x' };
    // Reading flags need a nats:// source.
    expect(usage(() => nats('tail', { ...ws, since: '1h' }))).toMatch(/--since goes with a nats:\/\/ source/);
    expect(usage(() => nats('tail', { ...ws, startSeq: '3' }))).toMatch(/--start-seq goes with/);
    expect(usage(() => nats('replay', { file: 'calls.ndjson', durable: 'bot' }))).toMatch(/--durable goes with/);
    expect(usage(() => nats('tail', { url: 'nats://h', since: '1h', startSeq: '3' }))).toMatch(/one start position/);
    // --stream needs a nats:// source or --publish.
    expect(usage(() => nats('tail', { ...ws, stream: 'S' }))).toMatch(/--stream goes with a nats:\/\/ source or --publish/);
    expect(usage(() => nats('demo', { stream: 'S' }))).toMatch(/--stream goes with/);
    expect(nats('tail', { url: 'nats://h', stream: 'S' }).read!.streamName).toBe('S');
    // Publishing flags need --publish; stream creation flags need --create-stream.
    for (const flags of [{ tee: true }, { publishWindow: '8' }, { createStream: true }] as Flags[]) {
      expect(usage(() => nats('demo', flags))).toMatch(/goes with --publish/);
    }
    expect(usage(() => nats('demo', { publish: 'nats://h', replicas: '3' }))).toMatch(/--replicas goes with --create-stream/);
    expect(usage(() => nats('demo', { publish: 'nats://h', retention: '1d' }))).toMatch(/--retention goes with --create-stream/);
    expect(usage(() => nats('demo', { publish: 'nats://h', createStream: true, replicas: '6' }))).toMatch(/above 5/);
    expect(usage(() => nats('demo', { publish: 'nats://h', publishWindow: '0' }))).toMatch(/--publish-window/);
    // Not a NATS URL; bad subjects; bad names.
    expect(usage(() => nats('demo', { publish: 'ws://u:secret@h/x' }))).toMatch(/is not a NATS URL/);
    expect(usage(() => nats('demo', { publish: 'ws://u:secret@h/x' }))).not.toContain('secret');
    expect(usage(() => nats('demo', { publish: 'nats://h/rexi.calls.>' }))).toMatch(/wildcard/);
    expect(usage(() => nats('demo', { publish: 'nats://h/rexi..calls' }))).toMatch(/empty token/);
    expect(usage(() => nats('demo', { publish: 'nats://h/rexi.{token}' }))).toMatch(/unknown placeholder/);
    expect(usage(() => nats('demo', { publish: 'nats://h/rexi.x{platform}' }))).toMatch(/whole token/);
    expect(usage(() => nats('tail', { url: 'nats://h/rexi.>.x' }))).toMatch(/'>' that is not the whole last token/);
    expect(usage(() => nats('tail', { url: 'nats://h', durable: 'my.bot' }))).toMatch(/--durable 'my.bot'/);
    expect(usage(() => nats('demo', { publish: 'nats://h', createStream: true, stream: 'A B' }))).toMatch(/--stream 'A B'/);
    // A client certificate needs its key.
    expect(usage(() => nats('tail', { url: 'nats://h', natsCert: '/c.pem' }))).toMatch(/--nats-cert and --nats-key/);
  });

  it('credentials over plain nats:// to a non-loopback host need --insecure, whatever their kind', () => {
    expect(usage(() => nats('tail', { url: 'nats://u:p4ss@nats.example.com' }))).toMatch(/refusing to send NATS credentials .* to nats\.example\.com: use tls:\/\/ or pass --insecure/);
    expect(usage(() => nats('tail', { url: 'nats://nats.example.com', natsCreds: '/bot.creds' }))).toMatch(/from --nats-creds/);
    expect(usage(() => nats('demo', { publish: 'nats://nats.example.com' }, { NATS_NKEY: '/n.nk' }))).toMatch(/from NATS_NKEY/);
    expect(nats('tail', { url: 'nats://u:p@nats.example.com', insecure: true }).read!.target.plaintextCredentials).toBe(true);
    expect(nats('tail', { url: 'tls://u:p@nats.example.com' }).read!.target.tls).toBe(true);
    expect(nats('tail', { url: 'nats://u:p@127.0.0.1' }).read!.target.plaintextCredentials).toBe(false);
  });

  it('credentials: the URL, then the flags, then NATS_*, then the config file', () => {
    const config = path.join(tmpdir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ natsCreds: '/config.creds', natsCa: '/config-ca.pem' }), { mode: 0o600 });
    const auth = (flags: Flags, env: Record<string, string> = {}) => nats('tail', { url: 'nats://127.0.0.1', config, ...flags }, env).read!.target;
    expect(auth({}).auth).toMatchObject({ kind: 'creds', file: '/config.creds' });
    expect(auth({}).tlsFiles.ca).toBe('/config-ca.pem');
    expect(auth({}, { NATS_CREDS: '/env.creds', NATS_CA: '/env-ca.pem' }).auth).toMatchObject({ kind: 'creds', file: '/env.creds', source: 'NATS_CREDS' });
    expect(auth({}, { NATS_CA: '/env-ca.pem' }).tlsFiles.ca).toBe('/env-ca.pem');
    expect(auth({ natsCreds: '/flag.creds' }, { NATS_CREDS: '/env.creds' }).auth).toMatchObject({ file: '/flag.creds', source: '--nats-creds' });
    expect(nats('tail', { url: 'nats://u:p@127.0.0.1', natsCreds: '/flag.creds' }).read!.target.auth).toMatchObject({ kind: 'user', user: 'u' });
  });

  it('a run that would read its own publishes back is refused', () => {
    expect(usage(() => nats('tail', { url: 'nats://127.0.0.1:4222/rexi.calls.>', publish: 'nats://localhost:4222' }))).toMatch(/would read its own publishes back/);
    expect(usage(() => nats('tail', { url: 'nats://127.0.0.1/rexi.calls.telegram', publish: 'nats://127.0.0.1/rexi.calls.{platform}' }))).toMatch(/overlaps/);
    // Another subject, or other servers: fine.
    expect(nats('tail', { url: 'nats://127.0.0.1/rexi.calls.>', publish: 'nats://127.0.0.1/mirror.{platform}' }).publish).toBeDefined();
    expect(nats('tail', { url: 'nats://a.example.com/rexi.calls.>', publish: 'nats://b.example.com' }).publish).toBeDefined();
    expect(subjectsOverlap('a.*.c', 'a.b.>')).toBe(true);
    expect(subjectsOverlap('a.b', 'a.b.c')).toBe(false);
    expect(subjectsOverlap('a.>', 'a')).toBe(false);
    expect(subjectsOverlap('*.x', 'y.*')).toBe(true);
  });

  it("only the command's own options count: a config file's publish does not make replay publish", () => {
    const config = path.join(tmpdir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ publish: 'nats://127.0.0.1', tee: true }), { mode: 0o600 });
    expect(nats('replay', { file: 'calls.ndjson', config }).publish).toBeUndefined();
    expect(nats('tail', { url: 'ws://127.0.0.1:1/x', config }).publish).toMatchObject({ tee: true });
  });
});
