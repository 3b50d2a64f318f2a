import { join } from 'node:path';
import { writeFileAtomic } from '@rrm/core';
import type { SweepPlan } from './plan';
import type { SummaryGroup } from './tables';
import { gridPoints, valueLabel, type SweepMetric } from './sweep-file';

/**
 * Sweep plots as Vega-Lite specs rendered to SVG in Node (vega's View with the 'none' renderer and
 * toSVG: no canvas, no browser). Each spec is kept beside its SVG, so a plot can be restyled or opened in
 * the Vega editor without rerunning anything.
 */
export type VegaLiteSpec = Record<string, unknown>;

export const METRIC_TITLES: Readonly<Record<SweepMetric, string>> = {
  finalTestSumRate: 'final test sum rate (bit/s/Hz)',
  finalPctWmmse: 'final % of WMMSE',
  bestTestSumRate: 'best test sum rate (bit/s/Hz)',
  bestPctWmmse: 'best % of WMMSE',
  epochsTo95: 'epochs to 95 % of final',
  samplesTo95: 'samples to 95 % of final',
  trainSeconds: 'training time (s)',
  wallSeconds: 'wall time (s)',
};

export interface BandPoint {
  readonly x: number | string;
  readonly series: string;
  readonly mean: number;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
}

/** A line per series through the means, with a shaded band between the CI bounds. */
export function bandLineSpec(o: {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  seriesTitle?: string;
  points: readonly BandPoint[];
  /** Category order of a non-numeric x. */
  xOrder?: readonly string[];
  /** Legend order of the series (default: as they come). */
  seriesOrder?: readonly string[];
  width?: number;
  height?: number;
}): VegaLiteSpec {
  const numeric = o.points.every((p) => typeof p.x === 'number');
  const x = numeric
    ? { field: 'x', type: 'quantitative', title: o.xTitle, scale: { zero: false } }
    : { field: 'x', type: 'ordinal', title: o.xTitle, sort: o.xOrder ?? null, axis: { labelAngle: 0 } };
  const multi = new Set(o.points.map((p) => p.series)).size > 1;
  const seriesOrder = o.seriesOrder ?? [...new Set(o.points.map((p) => p.series))];
  const color = multi ? { color: { field: 'series', type: 'nominal', title: o.seriesTitle ?? 'series', sort: seriesOrder, legend: { labelLimit: 400 } } } : {};
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: o.width ?? 420,
    height: o.height ?? 260,
    data: { values: o.points },
    encoding: { x, ...color },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: { y: { field: 'lo', type: 'quantitative', title: o.yTitle, scale: { zero: false } }, y2: { field: 'hi' } },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          y: { field: 'mean', type: 'quantitative', title: o.yTitle },
          tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'mean', format: '.4f' }, { field: 'lo', format: '.4f' }, { field: 'hi', format: '.4f' }, { field: 'n' }],
        },
      },
    ],
  };
}

/** Renders a Vega-Lite spec to an SVG string in Node. */
export async function renderVegaLite(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes spec.vl.json and spec.svg side by side. */
export async function writePlot(path: string, spec: VegaLiteSpec): Promise<{ spec: string; svg: string }> {
  const specPath = `${path}.vl.json`;
  const svgPath = `${path}.svg`;
  writeFileAtomic(specPath, JSON.stringify(spec, null, 2) + '\n');
  writeFileAtomic(svgPath, await renderVegaLite(spec));
  return { spec: specPath, svg: svgPath };
}

/** The specs of a sweep: each plotted metric against each grid axis, one line per value of the other axes. */
export function sweepPlotSpecs(plan: SweepPlan, groups: readonly SummaryGroup[]): { name: string; spec: VegaLiteSpec }[] {
  const out: { name: string; spec: VegaLiteSpec }[] = [];
  const axes = plan.file.axes;
  for (const metric of plan.file.plotMetrics) {
    for (const axis of axes) {
      const others = axes.filter((a) => a.key !== axis.key);
      const numeric = axis.values.every((v) => typeof v === 'number');
      // One other axis: its values name the lines (its key titles the legend); more: key=value pairs.
      const seriesOf = (point: Readonly<Record<string, unknown>>) =>
        others.length === 0 ? 'all' : others.length === 1 ? valueLabel(point[others[0].key]) : others.map((a) => `${a.key}=${valueLabel(point[a.key])}`).join(', ');
      const points: BandPoint[] = [];
      for (const g of groups) {
        const s = g.stats[metric];
        if (!s) continue;
        const v = g.point[axis.key];
        points.push({
          x: numeric ? (v as number) : valueLabel(v),
          series: seriesOf(g.point),
          mean: s.mean,
          lo: s.ciLow,
          hi: s.ciHigh,
          n: s.n,
        });
      }
      if (points.length === 0) continue;
      const seeds = plan.file.seeds.length;
      out.push({
        name: `${metric}-vs-${axis.key}`,
        spec: bandLineSpec({
          title: `${METRIC_TITLES[metric]} vs ${axis.key}`,
          subtitle: `sweep ${plan.file.name}: mean and 95 % CI over ${seeds} seed${seeds > 1 ? 's' : ''}`,
          xTitle: axis.key,
          yTitle: METRIC_TITLES[metric],
          seriesTitle: others.map((a) => a.key).join(', '),
          points,
          xOrder: numeric ? undefined : axis.values.map(valueLabel),
          seriesOrder: gridPoints(others).map(seriesOf),
        }),
      });
    }
  }
  return out;
}

export async function writeSweepPlots(plan: SweepPlan, groups: readonly SummaryGroup[]): Promise<string[]> {
  const written: string[] = [];
  for (const { name, spec } of sweepPlotSpecs(plan, groups)) written.push((await writePlot(join(plan.dir, 'plots', name), spec)).svg);
  return written;
}
