import type { Command } from 'commander';
import type { SweepEvent, SweepResult } from '@rrm/sweep';
import { Interrupted, interruptOn } from '../interrupt';

/*
 * `rrm sweep` and `rrm worker`: thin commands over @rrm/sweep (runSweep, runWorker). Like main.ts, nothing
 * here imports an @rrm package at load time (they load TensorFlow.js); the actions import them.
 */

export interface SweepIo {
  out(s: string): void;
  err(s: string): void;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(flag: string, text: string | undefined, ValidationError: new (f: string, e: string, g?: unknown) => Error): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new ValidationError(flag, 'an integer >= 1', text);
  return v;
}

/** Progress on stderr: a redrawn status line on a terminal, a line per finished run otherwise. */
export function sweepView(io: SweepIo, tty: boolean) {
  let last = 0;
  let drawn = false;
  let ended = -1;
  const clear = () => {
    if (tty && drawn) io.err('\r\x1b[K');
    drawn = false;
  };
  const say = (line: string) => {
    clear();
    io.err(line + '\n');
  };
  return {
    clear,
    event(e: SweepEvent) {
      switch (e.type) {
        case 'planned': {
          const distinct = new Set(e.rows.map((r) => r.run.id)).size;
          say(`sweep ${e.plan.file.name}: ${e.rows.length} runs (${distinct} distinct) in ${e.plan.dir}; ${distinct - e.toRun} already finished, ${e.toRun} to run`);
          break;
        }
        case 'started':
          if (!tty) say(`started ${e.run.id} ${e.run.label}${e.host ? ` on ${e.host}` : ''}`);
          break;
        case 'finished':
          say(
            `${e.summary.status === 'interrupted' ? 'interrupted' : e.skipped ? 'already finished' : 'finished'} ${e.run.id} ${e.run.label}: ` +
              `${e.summary.finalTestSumRate.toFixed(4)} bit/s/Hz${e.summary.finalPctWmmse !== null ? ` (${e.summary.finalPctWmmse.toFixed(1)} % of WMMSE)` : ''}, ${e.summary.epochs} epochs`,
          );
          break;
        case 'failed':
          say(`FAILED ${e.run.id} ${e.run.label}: ${e.message.split('\n')[0]}`);
          for (const l of e.logTail) io.err(`  | ${l}\n`);
          say(`  (full log: ${e.run.out.replace(/runs\/[^/]+$/, `logs/${e.run.id}.log`)})`);
          break;
        case 'retrying':
          say(`retrying ${e.run.id} ${e.run.label} (attempt ${e.attempt} failed: ${e.message.split('\n')[0]})`);
          break;
        case 'note':
          say(e.line);
          break;
        case 'progress': {
          const now = performance.now();
          const p = e.progress;
          if (!tty) {
            // Without a terminal: the status line once per finished or failed run.
            if (p.done + p.failed + p.interrupted !== ended) {
              ended = p.done + p.failed + p.interrupted;
              if (p.running.size || ended < p.total) io.err(`  ${p.line()}\n`);
            }
          } else {
            if (now - last < 200) return;
            last = now;
            const cols = process.stderr.columns ?? 120;
            io.err(`\r\x1b[K${e.progress.line().slice(0, cols - 1)}`);
            drawn = true;
          }
          break;
        }
        default:
          break;
      }
    },
  };
}

/** Rows of cells as plain-text columns (each padded to its widest cell), one line per row. */
export function alignedColumns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n') + '\n';
}

function dryRunTable(r: SweepResult): string {
  const axes = r.plan.file.axes.map((a) => a.key);
  const label = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return alignedColumns([['status', 'run', ...axes, 'seed'], ...r.rows.map((row) => [row.state, row.run.id, ...axes.map((a) => label(row.run.point[a])), String(row.run.seed)])]);
}

/** Adds `rrm sweep` and `rrm worker` to the program. */
export function registerSweepCommands(prog: Command, io: SweepIo): void {
  prog
    .command('sweep')
    .description('train every run of a sweep file (base config × grid × seeds) on this machine or a Redis queue; finished runs are skipped; tables over seeds and plots')
    .argument('<file>', 'sweep file (.yaml or .json): name, base, grid, seeds (docs/sweeps.md)')
    .option('--set <key=value>', 'override a key of the base config for every run, e.g. --set trainer.epochs=5 (repeatable)', collect, [])
    .option('--profile <name>', 'a size the file defines under profiles: (e.g. quick, paper); default: the file as written (standard)')
    .option('--out <dir>', 'sweep folder (default sweeps/<name>, sweeps/<name>-<profile> for a profile); with --queue, a path every worker sees (shared)')
    .option('--workers <N>', 'runs at once on this machine (default: one per core)')
    .option('--queue <url>', 'queue the runs on Redis for `rrm worker` processes instead: redis://HOST:PORT[/DB]')
    .option('--dry-run', 'list every run with its status (done / interrupted / failed / pending); start nothing')
    .action(async (file: string, o: { set: string[]; profile?: string; out?: string; workers?: string; queue?: string; dryRun?: boolean }) => {
      const { ValidationError } = await import('@rrm/core');
      const { parseSets } = await import('../options');
      const { runSweep } = await import('@rrm/sweep');
      const workers = positiveInt('--workers', o.workers, ValidationError);
      if (o.queue && o.workers) throw new ValidationError('--workers', 'no --workers with --queue (each `rrm worker` sets its own --concurrency)', o.workers);
      const view = sweepView(io, Boolean(process.stderr.isTTY));
      const stop = o.dryRun ? undefined : interruptOn(io, o.queue ? 'stopping: queued runs leave the queue; runs on workers finish there' : 'stopping: no new runs; running runs stop after their current step and resume next time (finished runs are kept)');
      let result: SweepResult;
      try {
        result = await runSweep({
          file,
          sets: parseSets(o.set),
          profile: o.profile,
          out: o.out,
          workers,
          queue: o.queue,
          dryRun: o.dryRun,
          signal: stop?.signal,
          onEvent: (e) => view.event(e),
        });
      } finally {
        view.clear();
        stop?.dispose();
      }
      if (result.dryRun) {
        io.out(dryRunTable(result));
        const c = result.counts;
        io.out(`${c.done} done, ${c.running} running, ${c.interrupted} interrupted, ${c.failed} failed, ${c.pending} pending (distinct runs); nothing started\n`);
        return;
      }
      const { readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      io.out(readFileSync(join(result.plan.dir, 'summary.md'), 'utf8'));
      const c = result.counts;
      io.err(
        `sweep ${result.plan.file.name}: ${c.done} done, ${c.failed} failed, ${c.interrupted} interrupted, ${c.pending + c.running} not run; ${result.started} started now\n` +
          `  ${join(result.plan.dir, 'sweep.csv')}, summary.csv, summary.md${result.plots.length ? `, ${result.plots.length} plots in ${join(result.plan.dir, 'plots')}` : ''}\n` +
          `  tensorboard --logdir ${result.plan.dir}\n`,
      );
      if (result.stopped) throw new Interrupted(stop!.code);
      if (c.failed > 0) {
        io.err(`rrm: ${c.failed} run${c.failed > 1 ? 's' : ''} failed (logs in ${join(result.plan.dir, 'logs')}); rerun the sweep to retry them\n`);
        throw new Interrupted(1);
      }
    });

  prog
    .command('worker')
    .description('take sweep runs from a Redis queue (rrm sweep --queue) and train them, each in a sandboxed process, until stopped')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT[/DB]')
    .option('--concurrency <N>', 'runs at once in this worker (default 1; one per core on a dedicated machine)', '1')
    .option('--lock-seconds <S>', 'job lock lifetime: a dead worker\'s run moves to another worker this long after its last renewal', '30')
    .action(async (o: { queue: string; concurrency: string; lockSeconds: string }) => {
      const { ValidationError } = await import('@rrm/core');
      const { runWorker } = await import('@rrm/sweep');
      const concurrency = positiveInt('--concurrency', o.concurrency, ValidationError);
      const lockSeconds = Number(o.lockSeconds);
      if (!Number.isFinite(lockSeconds) || lockSeconds < 1) throw new ValidationError('--lock-seconds', 'a number >= 1', o.lockSeconds);
      const stop = interruptOn(io, 'stopping: taking no new runs; the running ones finish first (again to stop now: they resume on another worker)');
      try {
        await runWorker({ url: o.queue, concurrency, lockSeconds, signal: stop.signal, log: (l) => io.err(`${new Date().toISOString()} ${l}\n`) });
      } finally {
        stop.dispose();
      }
      if (stop.signal.aborted) throw new Interrupted(stop.code);
    });
}
