import { join } from 'node:path';
import { bandLineSpec, writePlot, type BandPoint, type VegaLiteSpec } from '@rrm/pipeline';
import type { SweepPlan } from './plan';
import type { SummaryGroup } from './tables';
import { gridPoints, valueLabel, type SweepMetric } from './sweep-file';

/**
 * Sweep plots: Vega-Lite specs rendered to SVG through @rrm/pipeline's plotting module (the one run
 * reports and rrm compare use); each spec is kept beside its SVG.
 */
export { bandLineSpec, renderVegaLite, writePlot, type BandPoint, type VegaLiteSpec } from '@rrm/pipeline';

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
