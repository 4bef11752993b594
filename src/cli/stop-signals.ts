/** The signals that stop a run cleanly: closing a terminal (HUP), Ctrl-C (INT), kill (TERM). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGTERM'];

export interface StopWatch {
  /** The first stop signal received, if any. */
  readonly stopped: NodeJS.Signals | undefined;
  remove(): void;
}

/**
 * Watches the stop signals: the first one calls `first` (a clean stop), a second ends the process
 * at once by that signal, as users of Unix tools expect of a second Ctrl-C.
 */
export function watchStopSignals(first: (sig: NodeJS.Signals) => void): StopWatch {
  let stopped: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopped !== undefined) {
      remove();
      process.kill(process.pid, sig);
      return;
    }
    stopped = sig;
    first(sig);
  };
  const remove = (): void => {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return {
    get stopped() {
      return stopped;
    },
    remove,
  };
}
