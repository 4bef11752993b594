/**
 * The terminal while the board is up: the alternate screen (so the shell's screen comes back as it
 * was), the cursor hidden, raw mode on (Ink's useInput). `restore()` undoes all of it, may be called
 * from any exit path (q, a signal, an error, an uncaught exception, process exit) and does it once.
 */

const ENTER_ALT_SCREEN = '\x1b[?1049h';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
/** Resets colours and attributes a cut frame could have left on. */
const RESET_SGR = '\x1b[0m';

export interface ScreenIo {
  stdout: { write(s: string): unknown };
  stdin: { isTTY?: boolean; setRawMode?(on: boolean): unknown };
}

export interface Screen {
  enter(): void;
  restore(): void;
  readonly active: boolean;
}

export function createScreen(io: ScreenIo): Screen {
  let active = false;
  return {
    get active() {
      return active;
    },
    enter() {
      if (active) return;
      active = true;
      io.stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
    },
    restore() {
      if (!active) return;
      active = false;
      try {
        if (io.stdin.isTTY === true) io.stdin.setRawMode?.(false);
      } catch {
        // stdin already closed: nothing left to restore there.
      }
      io.stdout.write(RESET_SGR + SHOW_CURSOR + LEAVE_ALT_SCREEN);
    },
  };
}
