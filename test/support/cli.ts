import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, as users run it. `npm test` builds first. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/rexi-live.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliChild {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
}

const live = new Set<ChildProcess>();

/** A clean environment: nothing from the developer's shell leaks into a test. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: '/nonexistent-rexi-test' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function spawnCli(args: string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number; stdin?: string } = {}): CliChild {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  if (options.stdin !== undefined) proc.stdin!.end(options.stdin);
  const limit = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const done = new Promise<CliResult>((resolve) => {
    proc.on('close', (code, signal) => {
      clearTimeout(limit);
      live.delete(proc);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stderr', timeoutMs = 10_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const source = stream === 'stdout' ? proc.stdout! : proc.stderr!;
      const check = (): boolean => {
        const m = (stream === 'stdout' ? out : err).match(pattern);
        if (m) {
          clearTimeout(timer);
          source.off('data', onData);
          resolve(m);
        }
        return m !== null;
      };
      const onData = (): void => void check();
      const timer = setTimeout(() => {
        source.off('data', onData);
        reject(new Error(`timed out waiting for ${pattern} on ${stream}; stderr so far:\n${err}\nstdout:\n${out.slice(0, 2000)}`));
      }, timeoutMs);
      if (!check()) source.on('data', onData);
      done.then(() => {
        if (!check()) {
          clearTimeout(timer);
          reject(new Error(`exited before ${pattern} on ${stream}; stderr:\n${err}`));
        }
      });
    });
  return { proc, stdout: () => out, stderr: () => err, waitFor, done };
}

export function runCli(args: string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number; stdin?: string } = {}): Promise<CliResult> {
  return spawnCli(args, options).done;
}

/** Kills whatever a test left running; call from afterEach. */
export async function killAll(): Promise<void> {
  const waits = [...live].map(
    (proc) =>
      new Promise<void>((resolve) => {
        proc.once('close', () => resolve());
        proc.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}

export const ndjsonLines = (stdout: string): unknown[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
