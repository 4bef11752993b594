import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, it } from 'vitest';

/**
 * Real nats-server processes for tests: one server, the same server restarted on its store, or a
 * 3-node cluster on loopback. Every server is stopped by its pid and its directory removed; a
 * worker that dies takes its servers with it (SIGKILL on exit).
 */

export const INSTALL_HINT = 'nats-server is not on PATH: apt-get install nats-server';

let available: boolean | undefined;

/** Whether `nats-server` can be run here. */
export function natsAvailable(): boolean {
  available ??= spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** CI sets REXI_REQUIRE_NATS=1: a missing server is then a failure, not a skip. */
export const natsRequired = (): boolean => process.env.REXI_REQUIRE_NATS === '1';

/**
 * describe() for a NATS test file: skipped when nats-server is missing (the one line saying how
 * to install it is printed by the global setup), failing when CI requires it.
 */
export function describeNats(name: string, body: () => void): void {
  if (natsAvailable()) describe(name, body);
  else if (natsRequired()) describe(name, () => it('needs nats-server', () => { throw new Error(`${INSTALL_HINT} (REXI_REQUIRE_NATS=1)`); }));
  else describe.skipIf(true)(name, body);
}

export interface ServerOptions {
  user?: string;
  password?: string;
  token?: string;
  /** Text of a configuration file passed with -c (flags still set address, port and store). */
  config?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /** false: a server without JetStream. */
  jetstream?: boolean;
}

const live = new Map<number, ChildProcess>();
process.once('exit', () => {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A port that was free a moment ago: cluster routes must be known before any node starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NatsServer {
  proc: ChildProcess | undefined;
  port = 0;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    /** Holds the store (`<dir>/store`), the ports files and the log. */
    readonly dir: string,
    private readonly argsFor: (port: number) => string[],
    readonly name: string,
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** `nats://127.0.0.1:<port>` (no credentials). */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Starts the process (on its old port when it had one) and waits for its ports file. */
  async start(): Promise<void> {
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    const proc = spawn('nats-server', this.argsFor(this.port === 0 ? -1 : this.port), { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.proc = proc;
    const pid = proc.pid!;
    live.set(pid, proc);
    this.exited = new Promise((resolve) => proc.once('exit', () => {
      live.delete(pid);
      resolve();
    }));
    const portsFile = path.join(this.dir, `nats-server_${pid}.ports`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!this.running) throw new Error(`nats-server ${this.name} exited at start:\n${this.logTail()}`);
      try {
        const ports = JSON.parse(fs.readFileSync(portsFile, 'utf8')) as { nats?: string[] };
        const first = ports.nats?.[0];
        if (first !== undefined) {
          this.port = Number(new URL(first).port);
          return;
        }
      } catch {
        // not written yet (or half written)
      }
      if (Date.now() > deadline) throw new Error(`nats-server ${this.name} wrote no ports file:\n${this.logTail()}`);
      await sleep(10);
    }
  }

  /** Ends the process by its pid and waits for it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.proc!.kill(signal);
    await this.exited;
  }

  /** SIGKILL, then the same server again: same port, same store. */
  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    await this.start();
  }

  logTail(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

function authArgs(o: ServerOptions, dir: string): string[] {
  const args: string[] = [];
  if (o.user !== undefined) args.push('--user', o.user, '--pass', o.password ?? '');
  if (o.token !== undefined) args.push('--auth', o.token);
  if (o.config !== undefined) {
    const file = path.join(dir, 'server.conf');
    fs.writeFileSync(file, o.config);
    args.push('-c', file);
  }
  return [...args, ...(o.args ?? [])];
}

export class NatsCluster {
  constructor(readonly nodes: NatsServer[]) {}

  /** Every node in one URL: `nats://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c`. */
  get url(): string {
    return `nats://${this.nodes.map((n) => n.hostPort).join(',')}`;
  }

  node(name: string): NatsServer {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }
}

/**
 * The servers of one test file. `each` stops them after every test (else after the file).
 */
export function natsServers(scope: 'each' | 'all' = 'each'): {
  start(options?: ServerOptions): Promise<NatsServer>;
  cluster(size?: number, options?: ServerOptions): Promise<NatsCluster>;
  stopAll(): Promise<void>;
} {
  const started: NatsServer[] = [];
  const stopAll = async (): Promise<void> => {
    const all = started.splice(0);
    await Promise.all(all.map((s) => s.kill('SIGKILL')));
    for (const s of all) fs.rmSync(s.dir, { recursive: true, force: true });
  };
  if (scope === 'each') afterEach(stopAll);
  afterAll(stopAll);

  const newDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'rexi-nats-'));

  return {
    async start(options: ServerOptions = {}): Promise<NatsServer> {
      const dir = newDir();
      const extra = authArgs(options, dir);
      const server = new NatsServer(
        dir,
        (port) => ['-a', '127.0.0.1', '-p', String(port), ...(options.jetstream === false ? [] : ['-js', '-sd', path.join(dir, 'store')]), '--ports_file_dir', dir, ...extra],
        'single',
      );
      started.push(server);
      await server.start();
      return server;
    },

    async cluster(size = 3, options: ServerOptions = {}): Promise<NatsCluster> {
      // Every port is chosen up front, client ports too: a node left to pick its own (-p -1) could
      // take a route port another node is about to bind. A port taken by another process in the
      // moment between choosing and binding is retried with new ones.
      for (let attempt = 1; ; attempt++) {
        const ports = new Set<number>();
        while (ports.size < 2 * size) ports.add(await freePort());
        const [clients, routes] = [[...ports].slice(0, size), [...ports].slice(size)];
        const routeUrls = routes.map((p) => `nats://127.0.0.1:${p}`).join(',');
        const nodes = routes.map((routePort, i) => {
          const dir = newDir();
          const extra = authArgs(options, dir);
          const name = `n${i + 1}`;
          const node = new NatsServer(
            dir,
            (port) => [
              '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(dir, 'store'), '--ports_file_dir', dir,
              '-n', name, '--cluster_name', 'rexi-test', '--cluster', `nats://127.0.0.1:${routePort}`, '--routes', routeUrls,
              ...extra,
            ],
            name,
          );
          node.port = clients[i]!;
          return node;
        });
        started.push(...nodes);
        try {
          await Promise.all(nodes.map((n) => n.start()));
          return new NatsCluster(nodes);
        } catch (err) {
          await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
          if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
        }
      }
    },

    stopAll,
  };
}
