import { mkdirSync } from 'node:fs';
import type { TrainRecord } from '@rrm/core';
import type { RunSummary } from '@rrm/pipeline';
import type { Executor } from './executor';
import { ensureSweepMarker, type SweepJob } from './job';
import { localPool } from './local-pool';
import { planSweep, type PlanOptions, type SweepPlan, type SweepRun } from './plan';
import { writeSweepPlots } from './plots';
import { SweepProgress } from './progress';
import { checkRedis, queueExecutor } from './queue';
import { clearFailure, recordFailure, type RunState } from './run-state';
import { sweepRows, writeTables, type SummaryGroup, type SweepRow } from './tables';

export interface SweepOptions extends PlanOptions {
  /** Local pool size (default: one per core). */
  readonly workers?: number;
  /** redis://HOST:PORT[/DB]: queue the runs on BullMQ for `rrm worker` processes instead of running them here. */
  readonly queue?: string;
  /** List every run with its status; start nothing, write nothing. */
  readonly dryRun?: boolean;
  /** Stops the sweep: nothing new starts, running runs stop after their current step (local pool). */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: SweepEvent) => void;
  /** The local pool's run module (tests: a fake). */
  readonly jobModule?: string;
  /** Any executor (overrides workers/queue). */
  readonly executor?: Executor;
  /** Attempts per run on the queue (default 3). */
  readonly attempts?: number;
}

export type SweepEvent =
  | { readonly type: 'planned'; readonly plan: SweepPlan; readonly rows: readonly SweepRow[]; readonly toRun: number }
  | { readonly type: 'started'; readonly run: SweepRun; readonly host?: string; readonly pid?: number }
  | { readonly type: 'epoch'; readonly run: SweepRun; readonly record: TrainRecord; readonly epochs?: number }
  | { readonly type: 'finished'; readonly run: SweepRun; readonly summary: RunSummary; readonly skipped: boolean }
  | { readonly type: 'failed'; readonly run: SweepRun; readonly message: string; readonly logTail: readonly string[] }
  | { readonly type: 'retrying'; readonly run: SweepRun; readonly attempt: number; readonly message: string }
  | { readonly type: 'note'; readonly line: string }
  | { readonly type: 'progress'; readonly progress: SweepProgress };

export interface SweepResult {
  readonly plan: SweepPlan;
  readonly rows: readonly SweepRow[];
  readonly groups: readonly SummaryGroup[];
  /** Distinct runs by state after the sweep. */
  readonly counts: Readonly<Record<RunState, number>>;
  /** Runs this invocation started. */
  readonly started: number;
  readonly plots: readonly string[];
  readonly stopped: boolean;
  readonly dryRun: boolean;
}

export function countStates(rows: readonly SweepRow[]): Record<RunState, number> {
  const counts: Record<RunState, number> = { done: 0, running: 0, interrupted: 0, failed: 0, pending: 0 };
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.run.id)) continue;
    seen.add(r.run.id);
    counts[r.state]++;
  }
  return counts;
}

/**
 * `rrm sweep`: plans and validates every run, skips finished ones (a rerun resumes the sweep), runs the
 * rest on the local pool or the queue, and keeps DIR/sweep.csv, summary.csv and summary.md current after
 * every run; plots at the end.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const emit = opts.onEvent ?? (() => {});
  const plan = await planSweep(opts);
  if (opts.queue && !opts.dryRun && !opts.executor) await checkRedis(opts.queue);
  const rows = sweepRows(plan);
  const distinct = new Map<string, SweepRow>();
  for (const r of rows) if (!distinct.has(r.run.id)) distinct.set(r.run.id, r);
  // A run another process is writing: the local pool leaves it alone; on the queue its job (if it is one
  // of a worker) is followed, and a run nobody has queued is queued (the worker takes over a dead attempt).
  const toRun = [...distinct.values()].filter((r) => r.state !== 'done' && (r.state !== 'running' || Boolean(opts.queue)));
  emit({ type: 'planned', plan, rows, toRun: toRun.length });
  for (const [a, b] of plan.duplicates) emit({ type: 'note', line: `grid points "${a}" and "${b}" resolve to the same config: one run fills both rows` });
  if (opts.dryRun) {
    return { plan, rows, groups: [], counts: countStates(rows), started: 0, plots: [], stopped: false, dryRun: true };
  }
  for (const r of distinct.values()) {
    if (r.state === 'running' && !opts.queue) emit({ type: 'note', line: `run ${r.run.id} (${r.run.label}) is being written by another process: not started here` });
  }

  mkdirSync(plan.dir, { recursive: true });
  const marker = ensureSweepMarker(plan.dir, plan.file.name);
  writeTables(plan);
  const byId = new Map(plan.runs.map((r) => [r.id, r]));
  const jobs: SweepJob[] = toRun.map(({ run }) => ({ id: run.id, label: run.label, config: run.config, out: run.out, dir: plan.dir, token: marker.token }));
  const executor = opts.executor ?? (opts.queue ? queueExecutor({ url: opts.queue, attempts: opts.attempts }) : localPool({ workers: opts.workers, jobModule: opts.jobModule }));
  const progress = new SweepProgress(distinct.size, distinct.size - toRun.length, opts.queue ? undefined : (opts.workers ?? undefined));
  const tick = () => emit({ type: 'progress', progress });
  let started = 0;
  await executor.run(
    jobs,
    {
      started(id, where) {
        clearFailure(plan.dir, id);
        if (!progress.running.has(id)) started++;
        progress.start(id, byId.get(id)!.label, where.host);
        emit({ type: 'started', run: byId.get(id)!, ...where });
        tick();
      },
      epoch(id, record, epochs) {
        progress.epoch(id, record.epoch, epochs);
        emit({ type: 'epoch', run: byId.get(id)!, record, epochs });
        tick();
      },
      finished(id, result) {
        const st = result.summary.status;
        progress.finish(id, st === 'interrupted' || st === 'running' ? 'interrupted' : st === 'failed' ? 'failed' : 'done', !result.skipped);
        writeTables(plan);
        emit({ type: 'finished', run: byId.get(id)!, summary: result.summary, skipped: result.skipped });
        tick();
      },
      failed(id, message, logTail) {
        progress.finish(id, 'failed');
        recordFailure(plan.dir, id, message);
        writeTables(plan);
        emit({ type: 'failed', run: byId.get(id)!, message, logTail });
        tick();
      },
      stopped(id) {
        progress.finish(id, 'interrupted');
        tick();
      },
      retrying(id, attempt, message) {
        emit({ type: 'retrying', run: byId.get(id)!, attempt, message });
      },
      note(line) {
        emit({ type: 'note', line });
      },
    },
    opts.signal,
  );
  const { rows: finalRows, groups } = writeTables(plan);
  const counts = countStates(finalRows);
  const plots = counts.done > 0 ? await writeSweepPlots(plan, groups) : [];
  return { plan, rows: finalRows, groups, counts, started, plots, stopped: opts.signal?.aborted ?? false, dryRun: false };
}
