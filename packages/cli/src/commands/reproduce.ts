import type { Command } from 'commander';
import { Interrupted, interruptOn } from '../interrupt';
import { alignedColumns, positiveInt, sweepView, type SweepIo } from './sweep';

/*
 * `rrm reproduce`: the papers' figures and tables as experiments (experiments/*.yaml), each a sweep with the
 * paper's numbers and a verdict. Like sweep.ts, no @rrm package is imported at load time.
 */

export function registerReproduceCommand(prog: Command, io: SweepIo): void {
  prog
    .command('reproduce')
    .description("reproduce the papers' figures and tables (experiments/*.yaml): runs, tables with seed CIs, plots, the paper's numbers beside ours, a verdict each")
    .argument('[ids...]', 'experiment ids, or all (see --list)')
    .option('--list', 'list the experiments: id, paper, figure, runs and estimated CPU time per profile')
    .option('--profile <name>', 'quick (minutes; checks the pipeline), standard (hours of a 2-core machine), paper (the papers\' sizes)', 'standard')
    .option('--seeds <N>', "seeds 0…N−1 instead of the profile's")
    .option('--workers <N>', 'runs at once on this machine (default: one per core)')
    .option('--queue <url>', 'queue the runs on Redis for `rrm worker` processes: redis://HOST:PORT[/DB]')
    .option('--out <dir>', 'output root, one sweep folder per experiment (default reproduce/<profile>)')
    .option('--report <file>', 'also write the assembled Markdown there (e.g. docs/results.md), plots copied to figures/reproduce beside it')
    .option('--dry-run', 'plan and validate every run and list their status; start nothing')
    .action(async (ids: string[], o: { list?: boolean; profile: string; seeds?: string; workers?: string; queue?: string; out?: string; report?: string; dryRun?: boolean }) => {
      const { ValidationError } = await import('@rrm/core');
      const { listExperiments, PROFILES } = await import('../reproduce/experiment');
      const seeds = positiveInt('--seeds', o.seeds, ValidationError);
      const workers = positiveInt('--workers', o.workers, ValidationError);
      if (o.queue && o.workers) throw new ValidationError('--workers', 'no --workers with --queue (each `rrm worker` sets its own --concurrency)', o.workers);
      if (!(PROFILES as readonly string[]).includes(o.profile)) throw new ValidationError('--profile', PROFILES.join(', '), o.profile);
      if (o.list) {
        const { planSweep } = await import('@rrm/sweep');
        const { builtinRegistry } = await import('@rrm/pipeline');
        const registry = builtinRegistry();
        const rows: string[][] = [['id', 'paper', 'figure', ...PROFILES.map((p) => `runs/${p}`), ...PROFILES.map((p) => `CPU ${p}`)]];
        for (const exp of listExperiments(undefined, o.profile, seeds)) {
          const counts: string[] = [];
          for (const p of PROFILES) {
            const plan = await planSweep({ file: exp.path, profile: p, seeds, registry, out: '/nonexistent' });
            counts.push(String(new Set(plan.runs.map((r) => r.id)).size));
          }
          rows.push([exp.id, exp.spec.paper, exp.spec.figure, ...counts, ...PROFILES.map((p) => exp.spec.cost[p] ?? '?')]);
        }
        io.out(alignedColumns(rows));
        io.out('CPU: time on one core of the 2-core development machine, summed over runs (divide by --workers). Standard-profile figures of experiments that have run at standard are measured (the run wall times of their sections); the others are estimates scaled from measured per-epoch times.\n');
        return;
      }
      if (ids.length === 0 && o.report) {
        // Assemble only: every experiment's last section in the output root.
        const { assembleReports } = await import('../reproduce/reproduce');
        const { join, resolve } = await import('node:path');
        assembleReports(resolve(o.out ?? join('reproduce', o.profile)), o.profile, o.report);
        io.out(`wrote ${o.report}\n`);
        return;
      }
      if (ids.length === 0) throw new ValidationError('ids', 'experiment ids or all (rrm reproduce --list shows them; --report alone assembles the report)', ids);
      const { reproduce } = await import('../reproduce/reproduce');
      const view = sweepView(io, Boolean(process.stderr.isTTY));
      const stop = o.dryRun ? undefined : interruptOn(io, 'stopping: no new runs; running runs stop after their current step and resume next time (finished runs are kept)');
      let outcomes;
      try {
        outcomes = await reproduce({
          ids,
          profile: o.profile,
          seeds,
          workers,
          queue: o.queue,
          out: o.out,
          report: o.report,
          dryRun: o.dryRun,
          signal: stop?.signal,
          onEvent: (_id, e) => view.event(e),
          log: (line) => {
            view.clear();
            io.err(line + '\n');
          },
        });
      } finally {
        view.clear();
        stop?.dispose();
      }
      if (o.dryRun) {
        for (const out of outcomes) {
          const distinct = new Set(out.plan.runs.map((r) => r.id)).size;
          io.out(`${out.exp.id}: ${out.plan.runs.length} runs (${distinct} distinct) in ${out.plan.dir}\n`);
        }
        return;
      }
      for (const out of outcomes) io.out(`${out.exp.id}: ${out.verdict?.kind ?? 'not run'}${out.verdict ? ` — ${out.verdict.reason}` : ''}\n`);
      if (stop?.signal.aborted) throw new Interrupted(stop.code);
    });
}
