import { join } from 'node:path';
import { match } from 'ts-pattern';
import { RunFolder, bandLineSpec, linePlotSpec, writePlot, type BandPoint, type VegaLiteSpec } from '@rrm/pipeline';
import { seedStats, valueLabel, type SeedStats, type SweepRow } from '@rrm/sweep';
import type { Experiment, ResultMetric } from './experiment';
import { whereLabel, type Observation, type ResultGroup, type Verdict } from './verdict';

export const METRIC_TITLES: Readonly<Record<ResultMetric, [string, number]>> = {
  finalTestSumRate: ['final test sum rate (bit/s/Hz)', 4],
  finalPctWmmse: ['final % of WMMSE-100', 2],
  bestPctWmmse: ['best % of WMMSE-100', 2],
  epochsTo95: ['epochs to 95 % of final', 1],
  samplesTo95: ['samples to 95 % of final', 0],
  rateAtQuarter: ['test sum rate after ¼ of training', 4],
  rateAtHalf: ['test sum rate after ½ of training', 4],
  trainSeconds: ['training time (s)', 1],
  evalSumRate: ['test-set sum rate', 4],
  evalPctWmmse: ['test-set % of WMMSE-100', 2],
  evalP5UserRate: ['5th-percentile user rate', 4],
  evalMsPerSample: ['inference ms per sample', 4],
  evalWmmseSumRate: ['WMMSE-100 on the test set', 4],
  params: ['parameters', 0],
};

/** The metrics a section's table shows: the compared ones first, then the usual ones that were measured. */
export function tableMetrics(exp: Experiment, groups: readonly ResultGroup[]): ResultMetric[] {
  const s = exp.spec;
  const wanted: ResultMetric[] = s.table ? [...s.table] : [
    ...(s.paperValues ? [s.paperValues.metric] : []),
    ...s.claims.map((c) => c.metric),
    ...(s.plot?.kind === 'axis' ? [s.plot.metric] : []),
    ...(s.evaluate.length ? (['evalSumRate', 'evalPctWmmse', 'evalP5UserRate'] as const) : (['finalTestSumRate', 'finalPctWmmse', 'epochsTo95', 'trainSeconds'] as const)),
  ];
  return [...new Set(wanted)].filter((m) => groups.some((g) => g.stats[m]));
}

export function statCell(s: SeedStats | undefined, digits: number): string {
  if (!s) return '—';
  const mean = s.mean.toFixed(digits);
  return s.ciHigh === null ? mean : `${mean} ± ${(s.ciHigh - s.mean).toFixed(digits)}`;
}

/** Test rate per epoch (or samples), mean and 95 % CI over seeds, one line per point of the other axes. */
export function convergenceSpec(exp: Experiment, rows: readonly SweepRow[], x: 'epoch' | 'samples', y: 'testSumRate' | 'pctReference'): VegaLiteSpec | undefined {
  const axes = exp.file.axes.map((a) => a.key);
  const series = new Map<string, Map<number, number[]>>();
  for (const r of rows) {
    if (r.state !== 'done') continue;
    const name = axes.map((a) => (axes.length === 1 ? valueLabel(r.run.point[a]) : `${a}=${valueLabel(r.run.point[a])}`)).join(', ') || 'all';
    const byX = series.get(name) ?? new Map<number, number[]>();
    for (const rec of RunFolder.readRecords(r.run.out)) {
      const v = rec[y];
      if (typeof v !== 'number') continue;
      const at = rec[x];
      byX.set(at, [...(byX.get(at) ?? []), v]);
    }
    series.set(name, byX);
  }
  const points: BandPoint[] = [];
  for (const [name, byX] of series) {
    for (const [at, values] of [...byX].sort((a, b) => a[0] - b[0])) {
      const s = seedStats(values)!;
      points.push({ x: at, series: name, mean: s.mean, lo: s.ciLow, hi: s.ciHigh, n: s.n });
    }
  }
  if (points.length === 0) return undefined;
  return bandLineSpec({
    title: `${exp.spec.figure}: ${exp.spec.title}`,
    subtitle: `rrm reproduce ${exp.id}: mean and 95 % CI over ${exp.file.seeds.length} seed${exp.file.seeds.length > 1 ? 's' : ''}`,
    xTitle: x === 'epoch' ? 'epoch' : 'training samples',
    yTitle: y === 'testSumRate' ? 'test sum rate (bit/s/Hz)' : 'test % of WMMSE-100',
    seriesTitle: axes.join(', '),
    points,
  });
}

/** A metric against one axis (K, training-set size, test set, …), a line per point of the other axes. */
export function axisSpec(exp: Experiment, groups: readonly ResultGroup[], axis: string, metric: ResultMetric): VegaLiteSpec | undefined {
  const others = [...exp.file.axes.map((a) => a.key), ...(exp.spec.evaluate.length ? ['test'] : [])].filter((a) => a !== axis);
  const numeric = groups.every((g) => typeof g.point[axis] === 'number');
  const points: BandPoint[] = [];
  for (const g of groups) {
    const s = g.stats[metric];
    if (!s) continue;
    const v = g.point[axis];
    const series = others.length === 0 ? 'all' : others.map((a) => (others.length === 1 ? valueLabel(g.point[a]) : `${a}=${valueLabel(g.point[a])}`)).join(', ');
    points.push({ x: numeric ? (v as number) : valueLabel(v), series, mean: s.mean, lo: s.ciLow, hi: s.ciHigh, n: s.n });
  }
  if (points.length === 0) return undefined;
  const order = axis === 'test' ? exp.spec.evaluate.map((t) => t.label) : exp.file.axes.find((a) => a.key === axis)?.values.map(valueLabel);
  return bandLineSpec({
    title: `${exp.spec.figure}: ${exp.spec.title}`,
    subtitle: `rrm reproduce ${exp.id}: mean and 95 % CI over ${exp.file.seeds.length} seed${exp.file.seeds.length > 1 ? 's' : ''}`,
    xTitle: axis,
    yTitle: METRIC_TITLES[metric][0],
    seriesTitle: others.join(', '),
    points,
    xOrder: numeric ? undefined : order,
  });
}

/**
 * The latency–quality frontier: % of WMMSE-100 against inference ms per sample (log scale), a labelled
 * point per method (mean over seeds), one panel per value of `by`.
 */
export function frontierSpec(exp: Experiment, groups: readonly ResultGroup[], by: string): VegaLiteSpec | undefined {
  const values = groups
    .filter((g) => g.stats.evalPctWmmse && g.stats.evalMsPerSample)
    .map((g) => ({ panel: `${by} = ${valueLabel(g.point[by])}`, method: valueLabel(g.point.variant ?? 'all'), ms: g.stats.evalMsPerSample!.mean, pct: g.stats.evalPctWmmse!.mean }));
  if (values.length === 0) return undefined;
  const encoding = {
    x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'inference ms per sample (log)' },
    y: { field: 'pct', type: 'quantitative', scale: { zero: false }, title: '% of WMMSE-100' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${exp.spec.figure}: ${exp.spec.title}`, subtitle: `rrm reproduce ${exp.id}: means over ${exp.file.seeds.length} seed(s)` },
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 260,
      layer: [
        { mark: { type: 'point', filled: true }, encoding: { ...encoding, tooltip: [{ field: 'method' }, { field: 'ms', format: '.4f' }, { field: 'pct', format: '.2f' }] } },
        { mark: { type: 'text', align: 'left', dx: 5, fontSize: 9 }, encoding: { ...encoding, text: { field: 'method' } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

/** The CDF of per-user rates on one test set: a line per point (seeds averaged quantile by quantile). */
export function userRateCdfSpec(exp: Experiment, observations: readonly Observation[], test: string): VegaLiteSpec | undefined {
  const byPoint = new Map<string, number[][]>();
  for (const o of observations) {
    if (o.point.test !== test || !o.userRateQuantiles) continue;
    const name = Object.entries(o.point).filter(([k]) => k !== 'test').map(([, v]) => valueLabel(v)).join(', ') || 'all';
    byPoint.set(name, [...(byPoint.get(name) ?? []), [...o.userRateQuantiles]]);
  }
  if (byPoint.size === 0) return undefined;
  const series = [...byPoint].map(([name, qs]) => ({
    name,
    x: qs[0].map((_, n) => qs.reduce((a, q) => a + q[n], 0) / qs.length),
    y: qs[0].map((_, n) => n / (qs[0].length - 1)),
  }));
  return linePlotSpec(series, { title: `${exp.spec.figure}: CDF of user rates (${test})`, xTitle: 'user rate (bit/s/Hz)', yTitle: 'fraction of users' });
}

export async function writeExperimentPlot(exp: Experiment, dir: string, rows: readonly SweepRow[], groups: readonly ResultGroup[], observations: readonly Observation[] = []): Promise<string | undefined> {
  const p = exp.spec.plot;
  if (!p) return undefined;
  const spec = match(p)
    .with({ kind: 'convergence' }, (c) => convergenceSpec(exp, rows, c.x, c.y))
    .with({ kind: 'axis' }, (a) => axisSpec(exp, groups, a.axis, a.metric))
    .with({ kind: 'frontier' }, (f) => frontierSpec(exp, groups, f.by))
    .with({ kind: 'user-rate-cdf' }, (c) => userRateCdfSpec(exp, observations, c.test))
    .exhaustive();
  if (!spec) return undefined;
  return (await writePlot(join(dir, 'plots', `reproduce-${exp.id}`), spec)).svg;
}

export interface SectionInput {
  readonly exp: Experiment;
  readonly profile: string;
  readonly groups: readonly ResultGroup[];
  readonly verdict: Verdict;
  readonly runs: { readonly done: number; readonly total: number; readonly trainSeconds: number; readonly wallSeconds: number };
  /** The plot as the report links it (relative path), if any. */
  readonly plot?: string;
  readonly machine: string;
  readonly date: string;
}

const MARK: Record<string, string> = { reproduced: '✅', 'partly reproduced': '🟡', 'not reproduced': '❌', 'not run': '⏳', measured: '📏' };

/** The Markdown section of one experiment: verdict, our numbers, the paper's beside them, claims, plot. */
export function sectionMarkdown(s: SectionInput): string {
  const { exp, groups, verdict } = s;
  const axes = [...exp.file.axes.map((a) => a.key), ...(exp.spec.evaluate.length ? ['test'] : [])];
  const metrics = tableMetrics(exp, groups);
  const seeds = exp.file.seeds;
  const lines = [
    `### ${exp.spec.figure}: ${exp.spec.title} (\`${exp.id}\`)`,
    '',
    `${MARK[verdict.kind]} **${verdict.kind}.** ${verdict.reason}`,
    '',
    `Profile \`${s.profile}\`, seeds ${seeds.join(', ')}; ${s.runs.done} of ${s.runs.total} runs finished, ${(s.runs.trainSeconds / 60).toFixed(1)} min of training in all (${(s.runs.wallSeconds / 60).toFixed(1)} min of run wall time, summed over runs). ` +
      `Command: \`npx rrm reproduce ${exp.id} --profile ${s.profile}\` (${s.machine}, ${s.date}).`,
    '',
    `| ${[...axes, ...metrics.map((m) => METRIC_TITLES[m][0])].join(' | ')} |`,
    `|${[...axes, ...metrics].map(() => '---').join('|')}|`,
    ...groups.map((g) => `| ${[...axes.map((a) => valueLabel(g.point[a])), ...metrics.map((m) => statCell(g.stats[m], METRIC_TITLES[m][1]))].join(' | ')} |`),
    '',
    'Cells: mean over the finished seeds ± the half-width of the 95 % confidence interval (Student t).',
    '',
  ];
  const pv = exp.spec.paperValues;
  if (pv && verdict.values.length) {
    const d = METRIC_TITLES[pv.metric][1];
    lines.push(
      `Paper values (${METRIC_TITLES[pv.metric][0]}; ${pv.source}; tolerance ±${pv.tolerance}):`,
      '',
      '| point | paper | ours | ours − paper | within |',
      '|---|---|---|---|---|',
      ...verdict.values.map((v) => `| ${whereLabel(v.where)} | ${v.paper} | ${statCell(v.ours, d)} | ${v.ours ? (v.ours.mean - v.paper >= 0 ? '+' : '') + (v.ours.mean - v.paper).toFixed(d) : '—'} | ${v.within === undefined ? 'not run' : v.within ? 'yes' : 'no'} |`),
      '',
    );
  }
  if (verdict.claims.length) {
    lines.push('Claims of the paper, checked on the seed means:', '');
    for (const c of verdict.claims) {
      const mark = c.holds === undefined ? '⏳' : c.holds ? '✓' : '✗';
      const nums = c.better && c.than ? ` (${c.better.mean.toFixed(4)} vs ${c.than.mean.toFixed(4)}${c.significant === undefined ? '' : c.significant ? '; 95 % CIs apart' : '; CIs overlap'})` : ' (not measured)';
      lines.push(`- ${mark} ${c.text}${nums}`);
    }
    lines.push('');
  }
  if (exp.spec.notes.trim()) lines.push(exp.spec.notes.trim(), '');
  if (s.plot) lines.push(`![${exp.id}](${s.plot})`, '');
  return lines.join('\n');
}
