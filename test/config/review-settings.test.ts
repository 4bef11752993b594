import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpdirs } from '../support/tmp.js';
import { loadConfig, resolveTail, resolveTarget, Settings, type Environment } from '../../src/config/options.js';

const tmpdir = tmpdirs('rexi-review-');
const environment = (env: Record<string, string> = {}): Environment => ({ env, stdoutIsTTY: false, stderrIsTTY: false, homedir: '/nonexistent-home' });
function writeConfig(values: unknown): string {
  const file = path.join(tmpdir(), 'config.json');
  fs.writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
  return file;
}
const target = (flags: Record<string, unknown>, env: Environment) => resolveTarget(new Settings(flags, loadConfig(flags.config, env), env.env), { env: env.env });

describe('keys the config file may not hold are ignored, as the warning says', () => {
  it('a config apiKeyFile (noConfig) neither beats REXI_API_KEY nor clashes with --api-key', () => {
    const keyFile = path.join(tmpdir(), 'key');
    fs.writeFileSync(keyFile, 'from-config-file\n');
    const config = writeConfig({ url: 'wss://api.example.com/x', apiKeyFile: keyFile });
    const env = environment({ REXI_API_KEY: 'from-env' });
    expect(resolveTail({ config }, env).warnings.join('\n')).toMatch(/unknown keys ignored: apiKeyFile/);
    expect(target({ config }, env).endpoint.url).toBe('wss://api.example.com/x?api_key=from-env');
    expect(target({ config, apiKey: 'from-flag' }, env).endpoint.url).toBe('wss://api.example.com/x?api_key=from-flag');
  });

  it('a config apiKeyFile does not beat a key written into the URL', () => {
    const keyFile = path.join(tmpdir(), 'key');
    fs.writeFileSync(keyFile, 'from-config-file\n');
    const config = writeConfig({ apiKeyFile: keyFile });
    expect(target({ config, url: 'wss://api.example.com/x?api_key=in-url' }, environment()).endpoint.url).toBe('wss://api.example.com/x?api_key=in-url');
  });
});

describe('a one-shot read (replay nats://, callers nats://) gives up after 3 tries unless told', () => {
  const retries = (flags: Record<string, unknown>, conf?: unknown, oneShot = true) =>
    resolveTail({ retry: true, ...flags, ...(conf !== undefined && { config: writeConfig(conf) }) }, environment(), oneShot ? { maxRetries: 3 } : {}).stream.policy.maxRetries;

  it('3 by default, forever for a tail; --max-retries, --no-retry and the config file still decide', () => {
    expect(retries({})).toBe(3);
    expect(retries({}, undefined, false)).toBe(Infinity);
    expect(retries({ maxRetries: '10' })).toBe(10);
    expect(retries({ retry: false })).toBe(0);
    expect(retries({}, { maxRetries: 5 })).toBe(5);
    expect(retries({}, { retry: false })).toBe(0);
    expect(retries({ maxRetries: '2' }, { retry: false })).toBe(2);
    expect(retries({ retry: false }, { maxRetries: 5 })).toBe(0);
  });
});
