import { describe, expect, it } from 'vitest';
import { parseMetricsAddress, resolveMetrics } from '../../src/config/metrics.js';
import { userError } from '../support/errors.js';

describe('--metrics <[host:]port>', () => {
  it('a port alone is loopback; a host given is used as given', () => {
    expect(parseMetricsAddress('9464', '--metrics')).toMatchObject({ host: '127.0.0.1', port: 9464, display: '127.0.0.1:9464' });
    expect(parseMetricsAddress('0', '--metrics')).toMatchObject({ host: '127.0.0.1', port: 0 });
    expect(parseMetricsAddress('0.0.0.0:9464', '--metrics')).toMatchObject({ host: '0.0.0.0', port: 9464 });
    expect(parseMetricsAddress('localhost:1', '--metrics')).toMatchObject({ host: 'localhost', port: 1 });
    expect(parseMetricsAddress('[::1]:9464', '--metrics')).toMatchObject({ host: '::1', port: 9464, display: '[::1]:9464' });
    expect(parseMetricsAddress('[::]:0', '--metrics')).toMatchObject({ host: '::', port: 0 });
  });

  it.each([':9464', '*:9464', '[]:9464', 'host', 'host:', 'host:port', '65536', '-1', '1.5', '::1:9464', 'a:b:c', ''])('%j is a usage error naming the flag', (value) => {
    const err = userError(() => parseMetricsAddress(value, '--metrics'));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toMatch(/^--metrics: /);
  });

  it('reads the config file below the flag', () => {
    const config = { values: { metrics: '9100' }, path: '/c.json', warnings: [] };
    expect(resolveMetrics({}, config)).toMatchObject({ port: 9100, source: 'metrics in /c.json' });
    expect(resolveMetrics({ metrics: '9200' }, config)).toMatchObject({ port: 9200, source: '--metrics' });
    expect(resolveMetrics({})).toBeUndefined();
  });
});
