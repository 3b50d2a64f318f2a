// The `rrm` command for the sweep package's tests, run as a child process (like bin/rrm.mjs). It is
// bin/rrm.mjs exactly once packages/cli/src/main.ts registers the sweep commands; until then it builds the
// same program and adds them with registerSweepCommands (the one line main.ts is to call).
import { register } from 'tsx/esm/api';

register();
const main = await import('../../../cli/src/main.ts');
const probe = main.program(() => ({}), { out() {}, err() {} });
if (probe.commands.some((c) => c.name() === 'sweep')) {
  process.exitCode = await main.main(process.argv.slice(2));
} else {
  const { CommanderError } = await import('commander');
  const { ValidationError } = await import('@rrm/core');
  const { builtinRegistry } = await import('@rrm/pipeline');
  const { registerSweepCommands } = await import('../../../cli/src/commands/sweep.ts');
  const io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };
  const prog = main.program(() => builtinRegistry(), io);
  registerSweepCommands(prog, io);
  try {
    await prog.parseAsync(process.argv.slice(2), { from: 'user' });
    process.exitCode = 0;
  } catch (err) {
    if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
    else if (err instanceof main.Interrupted) process.exitCode = err.code;
    else if (err instanceof ValidationError) {
      io.err(`rrm: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      io.err(`rrm: internal error: ${err?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  }
}
