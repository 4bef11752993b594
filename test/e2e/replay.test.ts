import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, startBareServer } from '../support/ws-server.js';
import { killAll, ndjsonLines, runCli } from '../support/cli.js';

const BIG = '{"type":"NEW_SCAN","data":{"token_address":"BigIntToken111","caller":{"id":1094872340978122843,"name":"Whale","platform":"discord"},"price_data":{"market_cap":2000000}},"seq":123456789012345678901234567890}';
const HOSTILE = JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 'Evil1111', token_name: 'x\u001b]0;owned\u0007\u202e', caller: { name: 'c', platform: 'telegram' } } });

let dir: string;
let capture: string;
let sent: string[];
/** What tail writes for each: bidi overrides become \u escapes, the rest is the frame as sent. */
const asNdjson = (frame: string): string => frame.replace(/\u202e/g, '\\u202e');

afterEach(killAll);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rexi-replay-'));
  capture = path.join(dir, 'capture.ndjson');
  sent = [...Array.from({ length: 8 }, (_, i) => call(i + 1)), BIG, HOSTILE];
  const server = await startBareServer((ws) => sent.forEach((f) => ws.send(f)));
  try {
    const r = await runCli(['--url', server.url, '-n', String(sent.length), '--received-at', '-o', capture]);
    expect(r.code).toBe(0);
  } finally {
    await server.close();
  }
  return () => fs.rmSync(dir, { recursive: true, force: true });
});

describe('replay of a capture written by tail -o --received-at', () => {
  it('the capture holds every call with received_at as its last key', () => {
    const lines = fs.readFileSync(capture, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(sent.length);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^${escapeRe(asNdjson(sent[i]!).slice(0, -1))},"received_at":"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"}$`)));
  });

  it('-f ndjson gives back the messages as received; --received-at gives back the capture byte for byte', async () => {
    const r = await runCli(['replay', capture, '-f', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(sent.map(asNdjson));
    const again = await runCli(['replay', capture, '-f', 'ndjson', '--received-at']);
    expect(again.stdout).toBe(fs.readFileSync(capture, 'utf8'));
    expect(again.stderr).toMatch(/received 10, output 10, filtered 0, skipped 0/);
  });

  it('applies the same filters as tail', async () => {
    const r = await runCli(['replay', capture, '--platform', 'discord', '--min-mcap', '1M']);
    expect(r.code).toBe(0);
    const tokens = ndjsonLines(r.stdout).map((m) => (m as { data: { token_address: string } }).data.token_address);
    expect(tokens).toEqual(['BigIntToken111']);
    const byId = await runCli(['replay', capture, '--caller', '1094872340978122843']);
    expect(ndjsonLines(byId.stdout)).toHaveLength(1);
  });

  it('renders lines and table, sanitized', async () => {
    for (const format of ['lines', 'table']) {
      const r = await runCli(['replay', capture, '-f', format, '--color', 'never']);
      expect(r.code, format).toBe(0);
      expect(r.stdout).toContain('Evil1111');
      expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it('reads - from stdin; skips malformed lines, counts them, exits 0', async () => {
    const input = ['not json', '[1]', fs.readFileSync(capture, 'utf8').split('\n')[0], '', '{"type":"OTHER"}', '{"type":"NEW_SCAN"}'].join('\n') + '\n';
    const r = await runCli(['replay', '-'], { stdin: input });
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toMatch(/received 5, output 1, filtered 0, skipped 4 \(not-json 1, not-object 1, no-token-address 1, other-type 1\)/);
    expect(r.stderr).toMatch(/skipped line 1: not JSON/);
  });

  it('a missing file is a usage error', async () => {
    const r = await runCli(['replay', path.join(dir, 'nope.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replay: cannot read '.*nope.ndjson': ENOENT/);
  });
});

describe('colour control', () => {
  const ESC = '\u001b[';
  const lines = (extra: string[], env: Record<string, string> = {}) => runCli(['replay', capture, '-f', 'lines', ...extra], { env });

  it('--color always colours a pipe, never and auto (not a terminal) do not', async () => {
    expect((await lines(['--color', 'always'])).stdout).toContain(ESC);
    expect((await lines(['--color', 'never'])).stdout).not.toContain(ESC);
    expect((await lines([])).stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR forces it on under auto, NO_COLOR wins over FORCE_COLOR, --color never wins over both', async () => {
    expect((await lines([], { FORCE_COLOR: '1' })).stdout).toContain(ESC);
    expect((await lines([], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain(ESC);
    expect((await lines(['--color', 'never'], { FORCE_COLOR: '3' })).stdout).not.toContain(ESC);
  });

  it('the table is plain when colour is off (no header or border colours)', async () => {
    const r = await runCli(['replay', capture, '-f', 'table', '--color', 'never']);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toMatch(/ADDRESS/);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
