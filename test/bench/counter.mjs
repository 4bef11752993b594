/**
 * Readers of a measured child's stdout pipe. None writes what it reads anywhere.
 *
 *  - countLines: counts newline bytes and notes when the expected count is reached (throughput).
 *  - latencyLines: parses every line as it arrives and records now − data.sent_us (latency).
 *  - throttledLines: reads at a fixed byte rate by pausing the pipe, and checks every line parses
 *    (memory behind a slow reader).
 *
 * Times are process.hrtime in µs: CLOCK_MONOTONIC, the same clock the feed process stamps with.
 */

export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * `state.tLast` is set when `expected` lines have been seen; cpuFirst/cpuLast are this process's
 * CPU use at the first chunk and then, for the bench's own share of the machine.
 */
export function countLines(stream, expected) {
  const state = { lines: 0, bytes: 0, tFirst: undefined, tLast: undefined, cpuFirst: undefined, cpuLast: undefined, endsWithNewline: true };
  stream.on('data', (buf) => {
    if (state.tFirst === undefined) {
      state.tFirst = nowUs();
      state.cpuFirst = process.cpuUsage();
    }
    state.bytes += buf.length;
    let n = 0;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
    state.lines += n;
    state.endsWithNewline = buf[buf.length - 1] === 10;
    if (state.tLast === undefined && state.lines >= expected) {
      state.tLast = nowUs();
      state.cpuLast = process.cpuUsage();
    }
  });
  return state;
}

/** Splits a byte stream into lines; `onLines(lines, now)` gets the whole lines of each chunk. */
function splitLines(stream, onLines) {
  let rest = '';
  const state = { rest: () => rest };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const now = nowUs();
    const parts = (rest + chunk).split('\n');
    rest = parts.pop();
    onLines(parts, now, chunk);
  });
  return state;
}

/**
 * Records now − data.sent_us for every line after the first `skip` (the warm-up). Latencies are µs
 * in a Float64Array of `expected` slots.
 */
export function latencyLines(stream, expected, skip) {
  const state = { lines: 0, bad: 0, tLast: undefined, samples: new Float64Array(Math.max(0, expected - skip)), n: 0, partial: () => split.rest().length > 0 };
  const split = splitLines(stream, (lines, now) => {
    for (const line of lines) {
      const index = state.lines++;
      let sent;
      try {
        sent = JSON.parse(line).data.sent_us;
      } catch {
        state.bad++;
        continue;
      }
      if (typeof sent !== 'number') {
        state.bad++;
        continue;
      }
      if (index >= skip && state.n < state.samples.length) state.samples[state.n++] = now - sent;
    }
    if (state.tLast === undefined && state.lines >= expected) state.tLast = now;
  });
  return state;
}

/**
 * Reads at most `bytesPerSec`, pausing the pipe when ahead of that budget: the child's writes then
 * block on a full pipe, as they would behind `| slow-consumer`. Every line must JSON.parse.
 */
export function throttledLines(stream, bytesPerSec) {
  const state = { lines: 0, bad: 0, bytes: 0, pauses: 0, tFirst: undefined, tLast: undefined, partial: () => split.rest().length > 0 };
  let timer;
  const split = splitLines(stream, (lines, now, chunk) => {
    if (state.tFirst === undefined) state.tFirst = now;
    state.tLast = now;
    state.bytes += Buffer.byteLength(chunk);
    for (const line of lines) {
      state.lines++;
      try {
        JSON.parse(line);
      } catch {
        state.bad++;
      }
    }
    const aheadMs = (state.bytes / bytesPerSec) * 1000 - (now - state.tFirst) / 1000;
    if (aheadMs > 1 && timer === undefined) {
      state.pauses++;
      stream.pause();
      timer = setTimeout(() => {
        timer = undefined;
        stream.resume();
      }, aheadMs);
    }
  });
  stream.on('close', () => clearTimeout(timer));
  return state;
}

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** VmHWM and VmRSS (kB) from /proc/<pid>/status, and CPU time (µs) from /proc/<pid>/stat. */
export async function readProc(pid) {
  const { readFile } = await import('node:fs/promises');
  const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  // Fields after the command name (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuUs = ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SEC;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS'), cpuUs };
}

/**
 * Polls a process every `everyMs`: the last VmHWM seen (its peak RSS, kB), the largest VmRSS seen,
 * and (time, CPU time) samples for its CPU use over a window.
 */
export function pollProc(pid, everyMs = 50) {
  const state = { hwmKb: undefined, maxRssKb: 0, samples: [], stop, cpuShare };
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const t = nowUs();
      const s = await readProc(pid);
      if (Number.isFinite(s.hwm)) state.hwmKb = s.hwm;
      if (Number.isFinite(s.rss) && s.rss > state.maxRssKb) state.maxRssKb = s.rss;
      if (Number.isFinite(s.cpuUs)) state.samples.push({ t, cpuUs: s.cpuUs });
    } catch {
      // the process is gone
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(sample, everyMs);
  sample();
  function stop() {
    clearInterval(timer);
  }
  /** CPU time / wall time between the first sample at or after `from` and the last at or before `to` (µs). */
  function cpuShare(from, to) {
    const inside = state.samples.filter((x) => x.t >= from && x.t <= to);
    if (inside.length < 2) return undefined;
    const a = inside[0];
    const b = inside[inside.length - 1];
    return b.t > a.t ? (b.cpuUs - a.cpuUs) / (b.t - a.t) : undefined;
  }
  return state;
}
