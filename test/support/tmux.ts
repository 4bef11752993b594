import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A real pseudo-terminal for end-to-end tests of full-screen commands: tmux on a private socket (so
 * nothing touches the user's sessions), one detached session per command at a fixed size. The pane
 * is read back with capture-pane; its state (alternate screen, cursor, title) with display -p.
 */

export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

export interface Tmux {
  /** Starts `command` (run by sh) in a new session of `columns`×`rows`; returns its name. */
  start(command: string, size?: { columns: number; rows: number }): string;
  /** The pane's text as it is now (the screen on view: the alternate one while it is on). */
  capture(session: string): string;
  /** A tmux format of the pane: `#{alternate_on}`, `#{cursor_flag}`, `#{pane_title}`. */
  format(session: string, format: string): string;
  keys(session: string, ...keys: string[]): void;
  /** Resizes the session's window, as a user resizing the terminal. */
  resize(session: string, columns: number, rows: number): void;
  /** Polls the pane until `test` holds of its text; rejects with the last text after `timeoutMs`. */
  waitFor(session: string, test: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Ends every session and the server. */
  kill(): void;
}

export function createTmux(name: string): Tmux {
  const socket = `${name}-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 5000 });
  let n = 0;
  const self: Tmux = {
    start(command, size = { columns: 120, rows: 40 }) {
      const session = `s${n++}`;
      tmux('new-session', '-d', '-s', session, '-x', String(size.columns), '-y', String(size.rows), command);
      return session;
    },
    capture: (session) => tmux('capture-pane', '-p', '-t', session),
    format: (session, format) => tmux('display-message', '-p', '-t', session, format).trimEnd(),
    keys(session, ...keys) {
      tmux('send-keys', '-t', session, ...keys);
    },
    resize(session, columns, rows) {
      tmux('resize-window', '-t', session, '-x', String(columns), '-y', String(rows));
    },
    // Generous: top's terminal tests run at once, several boards starting together on a loaded machine.
    async waitFor(session, test, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let text = '';
      for (;;) {
        text = self.capture(session);
        if (test(text)) return text;
        if (Date.now() > until) throw new Error(`timed out; the pane shows:\n${text}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill() {
      spawnSync('tmux', ['-L', socket, 'kill-server'], { timeout: 5000 });
      // The server leaves its socket file behind.
      fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    },
  };
  return self;
}
