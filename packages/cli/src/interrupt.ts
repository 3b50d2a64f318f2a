/*
 * Signals for long commands (train, demo, sweep, worker). A plain module: no @rrm package, no tfjs, so
 * main.ts and commands/sweep.ts import it statically.
 */

/** A command stopped by a signal (130 / 143) or ending with failed runs (1): main() exits with `code`. */
export class Interrupted extends Error {
  constructor(readonly code: number) {
    super(`interrupted (exit ${code})`);
  }
}

/** SIGINT/SIGTERM stop gracefully (`onFirst` says how); a second one exits at once with 130/143. */
export function interruptOn(io: { err: (s: string) => void }, onFirst: string) {
  const controller = new AbortController();
  let code = 130;
  const handler = (sig: 'SIGINT' | 'SIGTERM') => () => {
    const c = sig === 'SIGINT' ? 130 : 143;
    if (controller.signal.aborted) {
      io.err(`\n${sig} again: exiting now\n`);
      process.exit(c);
    }
    code = c;
    io.err(`\n${sig}: ${onFirst}\n`);
    controller.abort();
  };
  const onInt = handler('SIGINT');
  const onTerm = handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get code() {
      return code;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
