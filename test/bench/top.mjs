/**
 * `npm run bench -- --only top`: the live board in a real pseudo-terminal (tmux, 120×40, on a
 * private socket), on the embedded feed:
 *   - CPU: `top --demo --rate 200`, % of one core over 10 s once it is drawing (the feed, in the
 *     same process, included), target ≤ 25 %;
 *   - memory: `top --demo --rate 5000`, RSS after 10 s, target ≤ 150 MB.
 * Read from /proc/<pid>/stat and /proc/<pid>/status of the node process under the pane's shell.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // utime and stime: fields 14 and 15 of stat, 12 and 13 once pid and comm are cut.
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function measure({ cli, log, rate, seconds }) {
  const socket = `rexi-bench-top-${process.pid}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 5000 });
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} top --demo --rate ${rate} --seed 1 --duration ${seconds + 8}s; sleep 60`;
  try {
    tmux('new-session', '-d', '-s', 'b', '-x', '120', '-y', '40', `env -i PATH="${process.env.PATH}" HOME="${os.tmpdir()}" TERM=tmux-256color LANG=C.UTF-8 XDG_CONFIG_HOME=/nonexistent ${command}`);
    const until = Date.now() + 15_000;
    let pid;
    while (Date.now() < until) {
      const shell = tmux('display-message', '-p', '-t', 'b', '#{pane_pid}').trim();
      const child = spawnSync('pgrep', ['-P', shell], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
      if (child && tmux('capture-pane', '-p', '-t', 'b').includes('Heating up')) {
        pid = Number(child);
        break;
      }
      await sleep(200);
    }
    if (pid === undefined) throw new Error('the board did not appear within 15 s');
    const t0 = cpuTicks(pid);
    const started = Date.now();
    await sleep(seconds * 1000);
    const t1 = cpuTicks(pid);
    const rss = rssMb(pid);
    const cpu = (100 * (t1 - t0)) / TICKS / ((Date.now() - started) / 1000);
    const received = /received (\d+)/.exec(tmux('capture-pane', '-p', '-t', 'b'))?.[1];
    log(`top --demo --rate ${rate}: ${cpu.toFixed(1)} % CPU, ${rss.toFixed(0)} MB RSS, ${received ?? '?'} received`);
    return { rate, cpu, rss, received: Number(received) };
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { timeout: 5000 });
    fs.rmSync(`${process.env.TMUX_TMPDIR ?? '/tmp'}/tmux-${process.getuid()}/${socket}`, { force: true });
  }
}

export async function topPhase({ cli, log, quick }) {
  if (!HAS_TMUX) return { error: 'tmux is not installed: top needs a terminal' };
  const seconds = quick ? 5 : 10;
  try {
    const cpu = await measure({ cli, log, rate: 200, seconds });
    const memory = await measure({ cli, log, rate: 5000, seconds });
    return { seconds, cpu, memory };
  } catch (err) {
    return { error: err.message };
  }
}

export function topReport(r, { table, verdict }) {
  if (r.error) return `TOP  ERROR ${r.error}\n`;
  const lines = [`TOP  rexi-live top --demo in tmux (120×40), measured over ${r.seconds} s once the board is drawn (the feed is in the same process)`];
  lines.push(
    table(
      ['run', 'CPU (% of a core)', 'RSS', 'received', 'target', ''],
      [
        ['top --demo --rate 200', r.cpu.cpu.toFixed(1), `${r.cpu.rss.toFixed(0)} MB`, String(r.cpu.received), 'CPU ≤ 25 %', verdict(r.cpu.cpu <= 25)],
        ['top --demo --rate 5000', r.memory.cpu.toFixed(1), `${r.memory.rss.toFixed(0)} MB`, String(r.memory.received), 'RSS ≤ 150 MB', verdict(r.memory.rss <= 150)],
      ],
    ),
  );
  return lines.join('\n') + '\n';
}

export const topErrors = (r) => (r?.error ? [`top: ${r.error}`] : []);
