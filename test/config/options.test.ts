import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpdirs } from '../support/tmp.js';
import { RexiLiveError } from '../../src/errors.js';
import { userError } from '../support/errors.js';
import { defaultConfigPath, loadConfig, resolveLog, resolveTail, resolveTarget, Settings, type Environment } from '../../src/config/options.js';

const tmpdir = tmpdirs('rexi-opts-');

function environment(env: Record<string, string> = {}, home = '/nonexistent-home'): Environment {
  return { env, stdoutIsTTY: false, stderrIsTTY: false, homedir: home };
}

function writeConfig(values: unknown, mode = 0o600): string {
  const file = path.join(tmpdir(), 'config.json');
  fs.writeFileSync(file, JSON.stringify(values), { mode });
  fs.chmodSync(file, mode);
  return file;
}

const target = (flags: Record<string, unknown>, env: Environment) => resolveTarget(new Settings(flags, loadConfig(flags.config, env), env.env), { env: env.env });

describe('precedence: flag > env > config file > default', () => {
  it('a key written into the URL ranks as the URL does', () => {
    const env = environment({ REXI_API_KEY: 'from-env' });
    expect(target({ url: 'wss://h/x?api_key=in-flag-url' }, env).endpoint.url).toBe('wss://h/x?api_key=in-flag-url');
    expect(target({}, environment({ REXI_WS_URL: 'wss://h/x?api_key=in-env-url', REXI_API_KEY: 'from-env' })).endpoint.url).toBe('wss://h/x?api_key=from-env');
    const config = writeConfig({ url: 'wss://h/x?api_key=in-config-url' });
    expect(target({ config }, env).endpoint.url).toBe('wss://h/x?api_key=from-env');
  });

  it('the URL: flag over env over config', () => {
    const config = writeConfig({ url: 'ws://127.0.0.1:1/config' });
    const env = environment({ REXI_WS_URL: 'ws://127.0.0.1:2/env' });
    expect(target({ config, url: 'ws://127.0.0.1:3/flag' }, env).endpoint.url).toBe('ws://127.0.0.1:3/flag');
    expect(target({ config }, env).endpoint.url).toBe('ws://127.0.0.1:2/env');
    expect(target({ config }, environment()).endpoint.url).toBe('ws://127.0.0.1:1/config');
  });

  it('a base URL at a higher level wins over a URL at a lower one', () => {
    const config = writeConfig({ url: 'ws://127.0.0.1:1/config' });
    const env = environment({ REXI_BASE_URL: 'http://127.0.0.1:2' });
    expect(target({ config }, env).endpoint.url).toBe('ws://127.0.0.1:2/solana/monitor/livecalls');
    expect(() => target({ url: 'ws://127.0.0.1:1/x', baseUrl: 'http://127.0.0.1:1' }, environment())).toThrow(/--url and --base-url are both set/);
  });

  it('the key: flag over REXI_API_KEY over config; auth mode likewise', () => {
    const config = writeConfig({ url: 'wss://api.example.com/x', apiKey: 'from-config', auth: 'header' });
    const keyFile = path.join(tmpdir(), 'key');
    fs.writeFileSync(keyFile, 'from-file\n');
    const env = environment({ REXI_API_KEY: 'from-env', REXI_AUTH: 'bearer' });
    expect(target({ config, apiKeyFile: keyFile }, env).endpoint.headers).toEqual({ Authorization: 'Bearer from-file' });
    expect(target({ config }, env).endpoint.headers).toEqual({ Authorization: 'Bearer from-env' });
    expect(target({ config, auth: 'query' }, env).endpoint.url).toBe('wss://api.example.com/x?api_key=from-env');
    const fromConfig = target({ config }, environment());
    expect(fromConfig.endpoint.headers).toEqual({ 'X-API-Key': 'from-config' });
    expect(fromConfig.keyHint).toMatch(/apiKey in .*config.json/);
  });

  it('tail options: flag over config over default, in camelCase', () => {
    const config = writeConfig({ backoffMax: '5s', minMcap: '250k', format: 'table', caller: ['a', 'b'], count: 7, pingInterval: 3 });
    const fromConfig = resolveTail({ config }, environment());
    expect(fromConfig.stream.policy.maxMs).toBe(5000);
    expect(fromConfig.stream.policy.minMs).toBe(1000);
    expect(fromConfig.stream.pingIntervalMs).toBe(3000);
    expect(fromConfig.filter.minMcap).toBe(250_000);
    expect(fromConfig.filter.callers).toEqual(['a', 'b']);
    expect(fromConfig.output.format).toBe('table');
    expect(fromConfig.output.count).toBe(7);
    const fromFlags = resolveTail({ config, backoffMax: '9s', format: 'ndjson', caller: ['c'] }, environment());
    expect(fromFlags.stream.policy.maxMs).toBe(9000);
    expect(fromFlags.output.format).toBe('ndjson');
    expect(fromFlags.filter.callers).toEqual(['c']);
  });

  it('defaults: lines on a terminal, ndjson to a pipe or a file; retries forever', () => {
    const tty = { ...environment(), stdoutIsTTY: true };
    expect(resolveTail({}, tty).output.format).toBe('lines');
    expect(resolveTail({}, environment()).output.format).toBe('ndjson');
    expect(resolveTail({ output: 'x.ndjson' }, tty).output.format).toBe('ndjson');
    const d = resolveTail({}, environment()).stream;
    expect(d.policy).toEqual({ minMs: 1000, maxMs: 30_000, maxRetries: Infinity });
    expect([d.pingIntervalMs, d.pongTimeoutMs, d.connectTimeoutMs, d.idleTimeoutMs, d.maxMessageSize]).toEqual([15_000, 10_000, 10_000, 0, 1 << 20]);
    expect(resolveTail({ retry: false }, environment()).stream.policy.maxRetries).toBe(0);
  });

  it('the config file comes from --config, REXI_CONFIG, then $XDG_CONFIG_HOME/rexi-live/config.json', () => {
    const byEnv = writeConfig({ url: 'ws://127.0.0.1:5/env-config' });
    expect(target({}, environment({ REXI_CONFIG: byEnv })).endpoint.url).toBe('ws://127.0.0.1:5/env-config');
    const xdg = tmpdir();
    fs.mkdirSync(path.join(xdg, 'rexi-live'));
    fs.writeFileSync(path.join(xdg, 'rexi-live', 'config.json'), '{"url":"ws://127.0.0.1:6/xdg"}');
    expect(target({}, environment({ XDG_CONFIG_HOME: xdg })).endpoint.url).toBe('ws://127.0.0.1:6/xdg');
    expect(defaultConfigPath(environment({}, '/home/u'))).toBe('/home/u/.config/rexi-live/config.json');
  });

  it('warns about a config file with apiKey readable by others, and about unknown keys', () => {
    const open = writeConfig({ url: 'ws://127.0.0.1:1/x', apiKey: 'k', tpyo: 1 }, 0o644);
    const warnings = resolveTail({ config: open }, environment()).warnings.join('\n');
    expect(warnings).toMatch(/readable by group or others: chmod 600/);
    expect(resolveTail({ config: writeConfig({ apiKey: 'k' }, 0o640) }, environment()).warnings.join()).toMatch(/chmod 600/);
    expect(resolveTail({ config: writeConfig({ apiKey: 'k' }, 0o620) }, environment()).warnings).toEqual([]);
    expect(warnings).toMatch(/unknown keys ignored: tpyo/);
    const closed = writeConfig({ apiKey: 'k' }, 0o600);
    expect(resolveTail({ config: closed }, environment()).warnings).toEqual([]);
  });

  it('bad config files and values are usage errors naming where the value came from', () => {
    const broken = path.join(tmpdir(), 'c.json');
    fs.writeFileSync(broken, '{ not json');
    expect(() => resolveTail({ config: broken }, environment())).toThrow(/not valid JSON/);
    const bad = writeConfig({ backoffMax: 'forever' });
    try {
      resolveTail({ config: bad }, environment());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RexiLiveError);
      expect((e as RexiLiveError).code).toBe('REXI_BAD_OPTION');
      expect((e as RexiLiveError).message).toMatch(/backoffMax in .*config.json: 'forever' is not a duration/);
    }
    expect(() => resolveTail({ minMcap: '2M', maxMcap: '1M' }, environment())).toThrow(/--min-mcap 2M is above --max-mcap 1M/);
    expect(() => resolveTail({ receivedAt: true, format: 'lines' }, environment())).toThrow(/--received-at goes with --format ndjson/);
  });
});

describe('flags beat the config file for retries and the log level, as one setting each', () => {
  it('--max-retries beats a config {"retry": false}; --no-retry beats a config maxRetries', () => {
    const noRetry = writeConfig({ retry: false });
    expect(resolveTail({ config: noRetry }, environment()).stream.policy.maxRetries).toBe(0);
    expect(resolveTail({ config: noRetry, maxRetries: '2' }, environment()).stream.policy.maxRetries).toBe(2);
    const five = writeConfig({ maxRetries: 5 });
    expect(resolveTail({ config: five }, environment()).stream.policy.maxRetries).toBe(5);
    expect(resolveTail({ config: five, retry: false }, environment()).stream.policy.maxRetries).toBe(0);
  });

  it('--log-level beats a config {"verbose": true}; -v beats a config logLevel; -q beats a config verbose', () => {
    const env = environment();
    const verbose = loadConfig(writeConfig({ verbose: true }), env);
    expect(resolveLog({}, verbose, env).level).toBe('debug');
    expect(resolveLog({ logLevel: 'warn' }, verbose, env).level).toBe('warn');
    expect(resolveLog({ quiet: true }, verbose, env).level).toBe('warn');
    const errorOnly = loadConfig(writeConfig({ logLevel: 'error' }), env);
    expect(resolveLog({}, errorOnly, env).level).toBe('error');
    expect(resolveLog({ verbose: true }, errorOnly, env).level).toBe('debug');
    // Through resolveTail too, as the commands call it.
    expect(resolveTail({ config: verbose.path, logLevel: 'warn' }, env).log.level).toBe('warn');
  });

  it('a config {"quiet": true} alone gives warn; the default is info', () => {
    const env = environment();
    expect(resolveLog({}, loadConfig(writeConfig({ quiet: true }), env), env).level).toBe('warn');
    expect(resolveLog({}, loadConfig(undefined, env), env).level).toBe('info');
  });

  it('an explicit --log-level beats -v and -q', () => {
    const env = environment();
    const none = loadConfig(undefined, env);
    expect(resolveLog({ verbose: true }, none, env).level).toBe('debug');
    expect(resolveLog({ verbose: true, logLevel: 'trace' }, none, env).level).toBe('trace');
    expect(resolveLog({ quiet: true, logLevel: 'debug' }, none, env).level).toBe('debug');
  });
});

describe('bad environment and tuning values are usage errors that say what to fix', () => {
  it('REXI_AUTH=bogus names REXI_AUTH', () => {
    const err = userError(() => target({ url: 'ws://127.0.0.1:1/x' }, environment({ REXI_AUTH: 'bogus' })));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/REXI_AUTH/);
    expect(err.message).toMatch(/bogus/);
    // A valid one, in any case, is taken.
    expect(target({ url: 'ws://127.0.0.1:1/x' }, environment({ REXI_AUTH: ' Header ', REXI_API_KEY: 'k' })).endpoint.headers).toEqual({ 'X-API-Key': 'k' });
  });

  it('a blank REXI_API_KEY is no key: a non-loopback URL is a usage error', () => {
    const err = userError(() => target({ url: 'wss://api.example.com/x' }, environment({ REXI_API_KEY: '   ' })));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/no API key/);
    expect(err.message).toMatch(/REXI_API_KEY/);
    // Nor does a blank key go to a loopback host, where no key is needed.
    expect(target({ url: 'ws://127.0.0.1:1/x' }, environment({ REXI_API_KEY: '   ' })).endpoint.url).toBe('ws://127.0.0.1:1/x');
  });

  it('--backoff-min 0 is a usage error (it would hammer the server)', () => {
    const err = userError(() => resolveTail({ backoffMin: '0' }, environment()));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/--backoff-min/);
    const fromConfig = userError(() => resolveTail({ config: writeConfig({ backoffMin: 0 }) }, environment()));
    expect(fromConfig.code).toBe('REXI_BAD_OPTION');
  });
});

describe('config values have types: a wrong type is a usage error naming the key and the file', () => {
  it.each([
    [{ receivedAt: 'true' }, /receivedAt must be true or false, not "true"/],
    [{ allTypes: 1 }, /allTypes must be true or false, not 1/],
    [{ output: 7 }, /output must be a string, not 7/],
    [{ url: ['ws://127.0.0.1:1/x'] }, /url must be a string/],
    [{ caller: { name: 'x' } }, /caller must be a string or an array of strings/],
    [{ backoffMax: true }, /backoffMax must be a number or a string, not true/],
  ])('%j', (values, message) => {
    const config = writeConfig(values);
    const err = userError(() => resolveTail({ config }, environment()));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(message);
    expect(err.message).toContain(config);
  });

  it('takes values of the right type, numbers where a number is meant, and null as unset', () => {
    const config = writeConfig({ receivedAt: true, allTypes: false, count: 5, backoffMax: 9, minMcap: 250000, caller: ['a', 42], platform: 'telegram', output: null, format: 'ndjson' });
    const o = resolveTail({ config }, environment());
    expect(o.output).toMatchObject({ receivedAt: true, count: 5, file: undefined });
    expect(o.stream).toMatchObject({ allTypes: false, policy: { maxMs: 9000 } });
    expect(o.filter).toMatchObject({ minMcap: 250000, callers: ['a', '42'], platforms: ['telegram'] });
  });
});

describe('maxRetries', () => {
  it('takes Infinity as the library\'s number only; --max-retries Infinity is a usage error', async () => {
    const { LibrarySettings, resolveStream, Settings, EMPTY_CONFIG } = await import('../../src/config/options.js');
    expect(resolveStream(new LibrarySettings({ maxRetries: Infinity })).policy.maxRetries).toBe(Infinity);
    expect(() => resolveStream(new Settings({ maxRetries: 'Infinity' }, EMPTY_CONFIG))).toThrow(/--max-retries/);
  });
});
