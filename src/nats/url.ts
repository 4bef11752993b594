import { isLoopbackHost } from '../stream/endpoint.js';
import { usageError } from '../errors.js';

/**
 * NATS URLs as users write them: `nats://[user:pass@|token@]host[:port][,host:port...]/<subject>`,
 * `tls://` for TLS. The client applies neither the credentials of a URL nor its `tls://` scheme,
 * so both are parsed here and turned into explicit connect options (connect.ts).
 */

export const DEFAULT_NATS_PORT = 4222;

/** How the client proves who it is; `source` names where it came from, for messages. */
export type NatsAuth =
  | { kind: 'none' }
  | { kind: 'user'; user: string; pass: string; source: string }
  | { kind: 'token'; token: string; source: string }
  | { kind: 'creds'; file: string; source: string }
  | { kind: 'nkey'; file: string; source: string };

export interface NatsTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface NatsTarget {
  /** `host:port` of every server in the URL, in order. */
  servers: string[];
  /** TLS is required: `tls://`, or a CA or client certificate was given. */
  tls: boolean;
  tlsFiles: NatsTlsFiles;
  auth: NatsAuth;
  /** The percent-decoded path, or the caller's default when the path is empty. */
  subject: string;
  /** The URL as it may be shown anywhere: credentials replaced by `***`. */
  display: string;
  /** Credentials travel in the clear to a non-loopback server (allowed only with --insecure). */
  plaintextCredentials: boolean;
  /** How errors about this target name the options. */
  terms: NatsTerms;
}

/** The NATS-specific flags, as given (undefined when absent). */
export interface NatsFlags {
  natsCreds?: string;
  natsNkey?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
}

/** The options a NATS error may tell the user to fix, named as the user writes them. */
export type NatsOptionName = 'natsCreds' | 'natsNkey' | 'natsCa' | 'natsCert' | 'natsKey' | 'insecure' | 'stream' | 'durable';
export type NatsTerms = (option: NatsOptionName) => string;

/** The CLI's flags: --nats-creds, --insecure, --stream, ... */
export const CLI_NATS_TERMS: NatsTerms = (option) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export interface NatsUrlInput {
  url: string;
  /** Which flag or argument the URL came from, e.g. `--publish`, `--url`, `replay`. */
  source: string;
  defaultSubject: string;
  flags?: NatsFlags;
  env?: Record<string, string | undefined>;
  insecure?: boolean;
  /** How errors name the options (flags by default; the library passes its own names). */
  terms?: NatsTerms;
}

// The userinfo ends at the last '@' before the path, so an unescaped '@' in a password still
// parses; a '/' in one must be written %2F, as in any URL.
const URL_RE = /^(nats|tls):\/\/(?:([^/?#]*)@)?([^/?#@]*)(\/[^?#]*)?$/i;

export function isNatsUrl(text: string): boolean {
  return /^(nats|tls):\/\//i.test(text);
}

/**
 * Any `nats://user:pass@` or `tls://token@` in a text, credentials replaced by `***`. Greedy up
 * to the last '@' of the word: a malformed URL is redacted too much rather than too little.
 */
export function redactNatsUrls(text: string): string {
  return text.replace(/\b(nats|tls):\/\/[^\s'"]*@/gi, '$1://***@');
}

function decode(part: string, what: string, source: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw usageError(`${source}: the ${what} of the NATS URL has a bad percent-escape`);
  }
}

function parseHost(text: string, display: string, source: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[2] === undefined ? DEFAULT_NATS_PORT : Number(m[2]);
  if (!m || port < 1 || port > 65535) {
    throw usageError(`${source}: '${display}' has a bad server '${text}': write host[:port][,host:port...]`);
  }
  return `${m[1]}:${port}`;
}

/**
 * Parses a NATS URL and settles its credentials and TLS files: the URL first, then the flags,
 * then the `NATS_*` variables of the nats CLI. Throws a usage error (exit 2) for a malformed URL,
 * an unreadable combination, or credentials that would go unencrypted to a non-loopback host
 * without `insecure`: all before anything connects.
 */
export function parseNatsUrl(input: NatsUrlInput): NatsTarget {
  const { source } = input;
  const terms = input.terms ?? CLI_NATS_TERMS;
  const flags = input.flags ?? {};
  const env = input.env ?? {};
  const m = URL_RE.exec(input.url.trim());
  const display = redactNatsUrls(input.url.trim());
  if (!m) {
    throw usageError(`${source}: '${display}' is not a NATS URL: write nats://host[:port]/<subject> (tls:// for TLS)`);
  }
  const scheme = m[1]!.toLowerCase();
  const userinfo = m[2];
  const hostList = m[3] ?? '';
  const rawPath = m[4] ?? '';
  if (hostList === '') throw usageError(`${source}: '${display}' names no server`);
  const servers = hostList.split(',').map((h) => parseHost(h.trim(), display, source));

  const subject = rawPath.length > 1 ? decode(rawPath.slice(1), 'subject', source) : input.defaultSubject;

  let auth: NatsAuth = { kind: 'none' };
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    auth = colon === -1
      ? { kind: 'token', token: decode(userinfo, 'token', source), source: `the ${source} URL` }
      : {
          kind: 'user',
          user: decode(userinfo.slice(0, colon), 'user', source),
          pass: decode(userinfo.slice(colon + 1), 'password', source),
          source: `the ${source} URL`,
        };
  } else if (nonEmpty(flags.natsCreds)) {
    auth = { kind: 'creds', file: flags.natsCreds, source: terms('natsCreds') };
  } else if (nonEmpty(flags.natsNkey)) {
    auth = { kind: 'nkey', file: flags.natsNkey, source: terms('natsNkey') };
  } else if (nonEmpty(env.NATS_CREDS)) {
    auth = { kind: 'creds', file: env.NATS_CREDS, source: 'NATS_CREDS' };
  } else if (nonEmpty(env.NATS_NKEY)) {
    auth = { kind: 'nkey', file: env.NATS_NKEY, source: 'NATS_NKEY' };
  } else if (nonEmpty(env.NATS_USER)) {
    // As the nats CLI does: a user without a password is a token.
    auth = env.NATS_PASSWORD !== undefined && env.NATS_PASSWORD !== ''
      ? { kind: 'user', user: env.NATS_USER, pass: env.NATS_PASSWORD, source: 'NATS_USER/NATS_PASSWORD' }
      : { kind: 'token', token: env.NATS_USER, source: 'NATS_USER' };
  }

  const tlsFiles: NatsTlsFiles = {};
  const ca = pick(flags.natsCa, env.NATS_CA);
  const cert = pick(flags.natsCert, env.NATS_CERT);
  const key = pick(flags.natsKey, env.NATS_KEY);
  if (ca !== undefined) tlsFiles.ca = ca;
  if (cert !== undefined) tlsFiles.cert = cert;
  if (key !== undefined) tlsFiles.key = key;
  if ((cert === undefined) !== (key === undefined)) {
    throw usageError(`a client certificate needs both ${terms('natsCert')} and ${terms('natsKey')} (NATS_CERT, NATS_KEY)`);
  }
  // A CA or a client certificate only means something over TLS: asking for one asks for TLS.
  const tls = scheme === 'tls' || ca !== undefined || cert !== undefined;

  const remote = servers.filter((s) => !isLoopbackHost(s.slice(0, s.lastIndexOf(':'))));
  const plaintextCredentials = auth.kind !== 'none' && !tls && remote.length > 0;
  if (auth.kind !== 'none' && plaintextCredentials && input.insecure !== true) {
    const host = remote[0]!.slice(0, remote[0]!.lastIndexOf(':'));
    throw usageError(
      `${source}: refusing to send NATS credentials (from ${auth.source}) over plain nats:// to ${host}: use tls:// or pass ${terms('insecure')}`,
    );
  }

  const shown = `${scheme}://${userinfo !== undefined ? '***@' : ''}${hostList}${rawPath}`;
  return { servers, tls, tlsFiles, auth, subject, display: shown, plaintextCredentials, terms };
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

function pick(flag: string | undefined, env: string | undefined): string | undefined {
  return nonEmpty(flag) ? flag : nonEmpty(env) ? env : undefined;
}

/**
 * Checks a subject: dot-separated non-empty tokens without whitespace. `*` and `>` are allowed as
 * whole tokens (`>` last) when reading; a publish subject may hold `{platform}` as a whole token.
 */
export function validateSubject(subject: string, use: 'read' | 'publish', source: string): void {
  const bad = (why: string): never => {
    throw usageError(`${source}: subject '${subject}' ${why}`);
  };
  if (subject === '') bad('is empty');
  if (/[\s\u0000-\u001f\u007f]/.test(subject)) bad('has whitespace or control characters');
  const tokens = subject.split('.');
  tokens.forEach((t, i) => {
    if (t === '') bad('has an empty token (a leading, trailing or doubled dot)');
    if (use === 'publish') {
      if (t.includes('*') || t.includes('>')) bad('has a wildcard: a publish subject cannot have * or >');
      const placeholders = t.match(/\{[^}]*\}/g) ?? [];
      for (const p of placeholders) if (p !== '{platform}') bad(`has an unknown placeholder ${p}: only {platform} is known`);
      if (placeholders.length > 0 && t !== '{platform}') bad('has {platform} inside a token: it must be a whole token, e.g. rexi.calls.{platform}');
    } else {
      if (t.includes('*') && t !== '*') bad("has '*' inside a token: a wildcard is a whole token");
      if (t.includes('>') && (t !== '>' || i !== tokens.length - 1)) bad("has '>' that is not the whole last token");
    }
  });
}

/** A stream or durable name as the server takes it: no whitespace, dots, wildcards or slashes. */
export function validateNatsName(name: string, flag: string): void {
  if (name === '' || /[\s.*>/\\\u0000-\u001f\u007f]/.test(name) || name.length > 255) {
    throw usageError(`${flag} '${name}': a name cannot be empty or hold spaces, '.', '*', '>', '/' or '\\'`);
  }
}
