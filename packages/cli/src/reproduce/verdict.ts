import { seedStats, valueLabel, type SeedStats } from '@rrm/sweep';
import type { ReproduceSpec, ResultMetric } from './experiment';

/** One finished run's numbers at one point (grid axes, `variant`, and `test` for an evaluation set). */
export interface Observation {
  readonly point: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly metrics: Readonly<Partial<Record<ResultMetric, number | null>>>;
  /** Test-set observations: the per-user rate CDF at the quantiles 0, 0.01, …, 1. */
  readonly userRateQuantiles?: readonly number[];
}

export interface ResultGroup {
  readonly point: Readonly<Record<string, unknown>>;
  readonly stats: Readonly<Partial<Record<ResultMetric, SeedStats>>>;
}

const keyOf = (point: Readonly<Record<string, unknown>>, axes: readonly string[]) => JSON.stringify(axes.map((a) => valueLabel(point[a])));

/** Observations grouped by point (seeds pooled), statistics of each metric over the seeds. */
export function groupResults(observations: readonly Observation[], axes: readonly string[]): ResultGroup[] {
  const groups = new Map<string, { point: Readonly<Record<string, unknown>>; obs: Observation[] }>();
  for (const o of observations) {
    const k = keyOf(o.point, axes);
    const g = groups.get(k) ?? { point: o.point, obs: [] };
    g.obs.push(o);
    groups.set(k, g);
  }
  return [...groups.values()].map(({ point, obs }) => {
    const stats: Partial<Record<ResultMetric, SeedStats>> = {};
    const metrics = new Set(obs.flatMap((o) => Object.keys(o.metrics))) as Set<ResultMetric>;
    for (const m of metrics) {
      const s = seedStats(obs.map((o) => o.metrics[m]).filter((v): v is number => typeof v === 'number'));
      if (s) stats[m] = s;
    }
    return { point, stats };
  });
}

/** The groups a `where` selects (every key equal, compared as labels). */
export function select(groups: readonly ResultGroup[], where: Readonly<Record<string, unknown>>): ResultGroup[] {
  return groups.filter((g) => Object.entries(where).every(([k, v]) => valueLabel(g.point[k]) === valueLabel(v)));
}

export const whereLabel = (where: Readonly<Record<string, unknown>>) => Object.entries(where).map(([k, v]) => `${k}=${valueLabel(v)}`).join(', ');

export interface ValueCheck {
  readonly where: Readonly<Record<string, unknown>>;
  readonly paper: number;
  readonly ours?: SeedStats;
  /** |ours − paper| ≤ tolerance (undefined: no finished run). */
  readonly within?: boolean;
}

export interface ClaimCheck {
  readonly text: string;
  readonly better?: SeedStats;
  readonly than?: SeedStats;
  /** The mean of `better` beats the mean of `than` (undefined: no data). */
  readonly holds?: boolean;
  /** The 95 % intervals do not overlap (needs ≥ 2 seeds on each side). */
  readonly significant?: boolean;
}

export type VerdictKind = 'reproduced' | 'partly reproduced' | 'not reproduced' | 'not run' | 'measured';

export interface Verdict {
  readonly kind: VerdictKind;
  readonly values: readonly ValueCheck[];
  readonly claims: readonly ClaimCheck[];
  /** One sentence with the measured reason. */
  readonly reason: string;
}

function single(groups: readonly ResultGroup[], where: Readonly<Record<string, unknown>>, metric: ResultMetric): SeedStats | undefined {
  const found = select(groups, where);
  if (found.length !== 1) return undefined;
  return found[0].stats[metric];
}

/**
 * The verdict of an experiment, from its claims (orderings the paper states) and its values (numbers read
 * off the paper, with a tolerance): every claim holds and every value is within tolerance → reproduced;
 * some hold (or orderings hold but levels differ) → partly; no claim holds (or, without claims, no value is
 * within tolerance) → not reproduced.
 */
export function verdictOf(spec: Pick<ReproduceSpec, 'paperValues' | 'claims'>, groups: readonly ResultGroup[]): Verdict {
  const pv = spec.paperValues;
  if (!pv && spec.claims.length === 0) {
    return { kind: 'measured', values: [], claims: [], reason: 'the paper states nothing to check here: a measurement (see the table)' };
  }
  const values: ValueCheck[] = (pv?.rows ?? []).map((r) => {
    const ours = single(groups, r.where, pv!.metric);
    return { where: r.where, paper: r.value, ours, within: ours ? Math.abs(ours.mean - r.value) <= pv!.tolerance : undefined };
  });
  const claims: ClaimCheck[] = spec.claims.map((c) => {
    const better = single(groups, c.better, c.metric);
    const than = single(groups, c.than, c.metric);
    if (!better || !than) return { text: c.text, better, than };
    const sign = c.lower ? -1 : 1;
    const holds = sign * (better.mean - than.mean) > 0;
    const apart =
      better.ciLow !== null && better.ciHigh !== null && than.ciLow !== null && than.ciHigh !== null
        ? c.lower
          ? better.ciHigh < than.ciLow
          : better.ciLow > than.ciHigh
        : undefined;
    return { text: c.text, better, than, holds, significant: apart };
  });
  const measuredValues = values.filter((v) => v.within !== undefined);
  const measuredClaims = claims.filter((c) => c.holds !== undefined);
  if (measuredValues.length === 0 && measuredClaims.length === 0) {
    return { kind: 'not run', values, claims, reason: 'no finished runs for the compared points' };
  }
  const held = measuredClaims.filter((c) => c.holds).length;
  const inside = measuredValues.filter((v) => v.within).length;
  const parts: string[] = [];
  const apart = measuredClaims.filter((c) => c.holds && c.significant).length;
  const comparable = measuredClaims.filter((c) => c.holds && c.significant !== undefined).length;
  const strength = held && comparable ? `, ${apart} of them with 95 % CIs apart` : '';
  if (measuredClaims.length) parts.push(`${held} of ${measuredClaims.length} claimed orderings hold${strength}${claims.length > measuredClaims.length ? ` (${claims.length - measuredClaims.length} not measured)` : ''}`);
  if (measuredValues.length) parts.push(`${inside} of ${measuredValues.length} paper values are within ±${pv!.tolerance} of our mean${values.length > measuredValues.length ? ` (${values.length - measuredValues.length} not measured)` : ''}`);
  const failedClaims = measuredClaims.filter((c) => !c.holds).map((c) => `"${c.text}" fails (${c.better!.mean.toFixed(4)} vs ${c.than!.mean.toFixed(4)})`);
  const reason = [parts.join('; '), ...failedClaims].join('. ') + '.';
  const allClaims = held === measuredClaims.length;
  const allValues = inside === measuredValues.length;
  let kind: VerdictKind;
  if (allClaims && allValues) kind = 'reproduced';
  else if (measuredClaims.length > 0 ? held === 0 && inside === 0 : inside === 0) kind = 'not reproduced';
  else kind = 'partly reproduced';
  return { kind, values, claims, reason };
}
