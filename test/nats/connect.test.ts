import fs from 'node:fs';
import path from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { connectNats, type NatsStatus } from '../../src/nats/connect.js';
import { parseNatsUrl, type NatsFlags } from '../../src/nats/url.js';
import { openNatsPublisher } from '../../src/outputs/nats-publish.js';
import { openJetStreamSource } from '../../src/sources/jetstream.js';
import { RexiLiveError } from '../../src/errors.js';
import { withNatsHint } from '../../src/cli/nats-run.js';
import { describeNats, freePort, natsServers } from '../support/nats-server.js';
import { addStream, callN, identity, toMessage } from '../support/nats-client.js';
import { makeCerts } from '../support/tls-certs.js';
import { tmpdirs } from '../support/tmp.js';

const nats = natsServers('each');
const tmpdir = tmpdirs('rexi-nats-tls-');
const SECRET = 'pa55-MUST-not-LEAK-7c1e';
const quick = { minMs: 10, maxMs: 30, maxRetries: 2 };

interface Attempt {
  error: RexiLiveError | undefined;
  statuses: NatsStatus[];
}

async function attempt(url: string, options: { flags?: NatsFlags; env?: Record<string, string>; policy?: typeof quick } = {}): Promise<Attempt> {
  const target = parseNatsUrl({ url, source: '--url', defaultSubject: 'rexi.calls.>', ...options });
  const statuses: NatsStatus[] = [];
  try {
    const link = await connectNats({ target, policy: options.policy ?? quick, connectTimeoutMs: 1000, onStatus: (s) => statuses.push(s) });
    await link.close();
    return { error: undefined, statuses };
  } catch (e) {
    if (!(e instanceof RexiLiveError)) throw e;
    // As the CLI shows it: the module's message with the CLI's hint of what to fix.
    return { error: withNatsHint(e) as RexiLiveError, statuses };
  }
}

/** Everything a run could show a user: error messages, statuses, displays. */
const shown = (a: Attempt): string => [a.error?.message ?? '', JSON.stringify(a.statuses)].join('\n');

describeNats('NATS connect: credentials, TLS, retries', () => {
  it('user/password from the URL, and from NATS_USER/NATS_PASSWORD', async () => {
    const server = await nats.start({ user: 'bot', password: SECRET });
    const fromUrl = await attempt(`nats://bot:${encodeURIComponent(SECRET)}@${server.hostPort}/x`);
    expect(fromUrl.error).toBeUndefined();
    expect(fromUrl.statuses[0]).toMatchObject({ type: 'connected' });
    const fromEnv = await attempt(`${server.url}/x`, { env: { NATS_USER: 'bot', NATS_PASSWORD: SECRET } });
    expect(fromEnv.error).toBeUndefined();
  });

  it('a token from the URL', async () => {
    const server = await nats.start({ token: SECRET });
    expect((await attempt(`nats://${SECRET}@${server.hostPort}`)).error).toBeUndefined();
  });

  it('an nkey seed file (--nats-nkey)', async () => {
    const user = nkeys.createUser();
    const seedFile = path.join(tmpdir(), 'user.nk');
    fs.writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()) + '\n');
    const server = await nats.start({ config: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }\n` });
    expect((await attempt(server.url, { flags: { natsNkey: seedFile } })).error).toBeUndefined();
    expect((await attempt(server.url)).error?.code).toBe('REXI_AUTH_REJECTED');
    // Unreadable or malformed files: usage errors before any connection.
    expect((await attempt(server.url, { flags: { natsNkey: path.join(tmpdir(), 'missing.nk') } })).error?.code).toBe('REXI_BAD_OPTION');
    const junk = path.join(tmpdir(), 'junk.creds');
    fs.writeFileSync(junk, 'not a creds file');
    expect((await attempt(server.url, { flags: { natsCreds: junk } })).error?.message).toMatch(/not a NATS credentials file/);
  });

  it('wrong or missing credentials: no retry, exit 3, the variables named, the secret never shown', async () => {
    const server = await nats.start({ user: 'bot', password: 'the-real-one' });
    const wrong = await attempt(`nats://bot:${SECRET}@${server.hostPort}/x`, { policy: { ...quick, maxRetries: 5 } });
    expect(wrong.error?.code).toBe('REXI_AUTH_REJECTED');
    expect(wrong.error?.message).toMatch(/NATS_USER\/NATS_PASSWORD, NATS_CREDS or NATS_NKEY/);
    expect(wrong.statuses.filter((s) => s.type === 'reconnecting')).toHaveLength(0);
    expect(shown(wrong)).not.toContain(SECRET);
    expect(wrong.error?.message).toContain('nats://***@');

    const none = await attempt(`${server.url}/x`);
    expect(none.error?.code).toBe('REXI_AUTH_REJECTED');
    expect(none.error?.message).toMatch(/requires credentials/);
  });

  it('unreachable: retried as --max-retries allows, then gave up (exit 4)', async () => {
    const port = await freePort();
    const r = await attempt(`nats://127.0.0.1:${port},127.0.0.1:${port}/x`);
    expect(r.error?.code).toBe('REXI_GAVE_UP');
    expect(r.error?.message).toMatch(/after 3 attempts/);
    expect(r.statuses.filter((s) => s.type === 'reconnecting').map((s) => (s as { attempt: number }).attempt)).toEqual([1, 2]);
    const once = await attempt(`nats://127.0.0.1:${port}`, { policy: { ...quick, maxRetries: 0 } });
    expect(once.error?.message).toMatch(/after 1 attempt:/);
  });

  it('tls:// is enforced: a server without TLS, or an unknown CA, is a TLS failure naming --nats-ca; with the CA it connects', async () => {
    const plain = await nats.start();
    const noTls = await attempt(`tls://${plain.hostPort}/x`);
    expect(noTls.error?.code).toBe('REXI_GAVE_UP');
    expect(noTls.error?.message).toMatch(/TLS failed.*--nats-ca/);

    const certs = makeCerts(tmpdir());
    const secure = await nats.start({ config: `tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}" }\n` });
    const unknownCa = await attempt(`tls://${secure.hostPort}/x`);
    expect(unknownCa.error?.code).toBe('REXI_GAVE_UP');
    expect(unknownCa.error?.message).toMatch(/--nats-ca/);
    expect((await attempt(`tls://${secure.hostPort}/x`, { flags: { natsCa: certs.ca } })).error).toBeUndefined();
    // A CA alone asks for TLS, even on nats://.
    expect((await attempt(`nats://${secure.hostPort}/x`, { env: { NATS_CA: certs.ca } })).error).toBeUndefined();
  });

  it('a server that verifies clients: without --nats-cert a TLS failure naming it, with it a connection', async () => {
    const certs = makeCerts(tmpdir());
    const server = await nats.start({
      config: `tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.ca}", verify: true }\n`,
    });
    const without = await attempt(`tls://${server.hostPort}/x`, { flags: { natsCa: certs.ca }, policy: { ...quick, maxRetries: 0 } });
    expect(without.error?.code).toBe('REXI_GAVE_UP');
    expect(without.error?.message).toMatch(/--nats-cert/);
    const withCert = await attempt(`tls://${server.hostPort}/x`, { flags: { natsCa: certs.ca, natsCert: certs.clientCert, natsKey: certs.clientKey } });
    expect(withCert.error).toBeUndefined();
  });

  it('publisher and reader: credentials never in statuses, warnings, errors or summaries', async () => {
    const server = await nats.start({ user: 'bot', password: SECRET });
    const url = `nats://bot:${SECRET}@${server.hostPort}`;
    await addStream(`${server.url}`, 'CALLS', ['rexi.calls.*']).catch(() => undefined);
    const texts: string[] = [];
    const record = (x: unknown): void => void texts.push(typeof x === 'string' ? x : JSON.stringify(x));
    const pubTarget = parseNatsUrl({ url, source: '--publish', defaultSubject: 'rexi.calls.{platform}' });
    const pub = await openNatsPublisher({
      target: pubTarget, policy: quick, subject: pubTarget.subject, identity, createStream: { replicas: 1 }, onStatus: record, onWarning: record,
    });
    record(pub.warnings);
    record(pubTarget.display);
    pub.output.write([callN(1)]);
    await pub.output.close();
    record(pub.output.summary());
    const readTarget = parseNatsUrl({ url: `${url}/rexi.calls.>`, source: '--url', defaultSubject: '' });
    const read = await openJetStreamSource({ target: readTarget, policy: quick, subject: readTarget.subject, mode: 'replay', toMessage, onStatus: record, onWarning: record });
    for await (const b of read.source) record(b.length);
    await read.source.close();
    record(read.warnings);
    const missing = await openJetStreamSource({ target: parseNatsUrl({ url: `${url}/no.such`, source: '--url', defaultSubject: '' }), policy: quick, subject: 'no.such', mode: 'tail', toMessage }).catch((e: Error) => e.message);
    record(missing);
    expect(texts.join('\n')).toContain('nats://***@');
    expect(texts.join('\n')).not.toContain(SECRET);
  });
});
