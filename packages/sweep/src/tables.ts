import { join } from 'node:path';
import { writeFileAtomic } from '@rrm/core';
import type { RunSummary } from '@rrm/pipeline';
import type { SweepPlan, SweepRun } from './plan';
import { sweepRunState, type RunFailure, type RunState } from './run-state';
import { seedStats, type SeedStats } from './stats';
import { SWEEP_METRICS, valueLabel, type SweepMetric } from './sweep-file';

/** One row of sweep.csv: a grid point and seed, its run and where the run stands. */
export interface SweepRow {
  readonly run: SweepRun;
  readonly state: RunState;
  readonly summary?: RunSummary;
  readonly failure?: RunFailure;
}

/** One row of summary.csv: a grid point, its finished seeds, and statistics of each metric over them. */
export interface SummaryGroup {
  readonly point: Readonly<Record<string, unknown>>;
  /** Finished runs (done) of the point. */
  readonly n: number;
  /** Seeds of the point in the sweep. */
  readonly seeds: number;
  readonly stats: Readonly<Partial<Record<SweepMetric, SeedStats>>>;
}

export function sweepRows(plan: SweepPlan): SweepRow[] {
  return plan.runs.map((run) => {
    const s = sweepRunState(plan.dir, run.id, run.out);
    return { run, state: s.state, summary: s.summary, failure: s.failure };
  });
}

export function summaryGroups(plan: SweepPlan, rows: readonly SweepRow[]): SummaryGroup[] {
  const groups = new Map<string, { point: Record<string, unknown>; rows: SweepRow[] }>();
  for (const r of rows) {
    const key = JSON.stringify(plan.file.axes.map((a) => valueLabel(r.run.point[a.key])));
    const g = groups.get(key) ?? { point: { ...r.run.point }, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ point, rows: rs }) => {
    const done = rs.filter((r) => r.state === 'done' && r.summary);
    const stats: Partial<Record<SweepMetric, SeedStats>> = {};
    for (const m of SWEEP_METRICS) {
      const values = done.map((r) => r.summary![m]).filter((v): v is number => typeof v === 'number');
      const s = seedStats(values);
      if (s) stats[m] = s;
    }
    return { point, n: done.length, seeds: rs.length, stats };
  });
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(8))) : '';
  const s = valueLabel(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csv = (rows: readonly (readonly unknown[])[]) => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

export const ROW_COLUMNS = ['finalTestSumRate', 'finalPctWmmse', 'bestTestSumRate', 'bestPctWmmse', 'epochsTo95', 'epochs', 'trainSeconds'] as const;

export function sweepCsv(plan: SweepPlan, rows: readonly SweepRow[]): string {
  const axes = plan.file.axes.map((a) => a.key);
  return csv([
    [...axes, 'seed', 'run', 'status', ...ROW_COLUMNS],
    ...rows.map((r) => [...axes.map((a) => r.run.point[a]), r.run.seed, r.run.id, r.state, ...ROW_COLUMNS.map((c) => (r.state === 'pending' ? undefined : r.summary?.[c]))]),
  ]);
}

export function summaryCsv(plan: SweepPlan, groups: readonly SummaryGroup[]): string {
  const axes = plan.file.axes.map((a) => a.key);
  const stat = ['mean', 'std', 'ci95_low', 'ci95_high'] as const;
  return csv([
    [...axes, 'n', 'seeds', ...SWEEP_METRICS.flatMap((m) => stat.map((s) => `${m}_${s}`))],
    ...groups.map((g) => [
      ...axes.map((a) => g.point[a]),
      g.n,
      g.seeds,
      ...SWEEP_METRICS.flatMap((m) => {
        const s = g.stats[m];
        return [s?.mean, s?.std, s?.ciLow, s?.ciHigh];
      }),
    ]),
  ]);
}

const MD_METRICS: readonly [SweepMetric, string, number][] = [
  ['finalTestSumRate', 'final sum rate (bit/s/Hz)', 4],
  ['finalPctWmmse', 'final % of WMMSE', 2],
  ['bestPctWmmse', 'best % of WMMSE', 2],
  ['epochsTo95', 'epochs to 95 %', 1],
  ['trainSeconds', 'train s', 1],
];

function mdCell(s: SeedStats | undefined, digits: number): string {
  if (!s) return 'n/a';
  const mean = s.mean.toFixed(digits);
  if (s.ciHigh === null || s.std === null) return mean;
  return `${mean} ± ${(s.ciHigh - s.mean).toFixed(digits)} (σ ${s.std.toFixed(digits)})`;
}

export function summaryMd(plan: SweepPlan, groups: readonly SummaryGroup[], rows: readonly SweepRow[]): string {
  const axes = plan.file.axes.map((a) => a.key);
  const count = (st: RunState) => rows.filter((r) => r.state === st).length;
  const header = [...axes, 'n', ...MD_METRICS.map(([, t]) => t)];
  return [
    `# Sweep ${plan.file.name}`,
    '',
    `${rows.length} runs (${new Set(rows.map((r) => r.run.id)).size} distinct): ${count('done')} done, ${count('running')} running, ${count('interrupted')} interrupted, ${count('failed')} failed, ${count('pending')} pending. ` +
      `Seeds: ${plan.file.seeds.join(', ')}.`,
    '',
    'Each cell: mean over the finished seeds ± the half-width of its 95 % confidence interval (Student t, n − 1 degrees of freedom), σ the sample standard deviation; n finished seeds. Every value per run is in sweep.csv; the statistics as numbers in summary.csv.',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...groups.map((g) => `| ${[...axes.map((a) => valueLabel(g.point[a])), `${g.n}/${g.seeds}`, ...MD_METRICS.map(([m, , d]) => mdCell(g.stats[m], d))].join(' | ')} |`),
    '',
  ].join('\n');
}

/** Rewrites sweep.csv, summary.csv and summary.md from the run folders (atomically; safe to call after every run). */
export function writeTables(plan: SweepPlan): { rows: SweepRow[]; groups: SummaryGroup[] } {
  const rows = sweepRows(plan);
  const groups = summaryGroups(plan, rows);
  writeFileAtomic(join(plan.dir, 'sweep.csv'), sweepCsv(plan, rows));
  writeFileAtomic(join(plan.dir, 'summary.csv'), summaryCsv(plan, groups));
  writeFileAtomic(join(plan.dir, 'summary.md'), summaryMd(plan, groups, rows));
  return { rows, groups };
}
