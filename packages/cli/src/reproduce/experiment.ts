import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ValidationError, integer, parseOptions, positive, strict, z } from '@rrm/core';
import { readSweepFile, type SweepFile } from '@rrm/sweep';

/**
 * An experiment of `rrm reproduce` is a sweep file (docs/sweeps.md) with a `reproduce:` section: which
 * paper, figure and claim it reproduces, the paper's numbers, the claims to check, what to plot, and test
 * sets to evaluate the trained runs on afterwards. `rrm sweep experiments/X.yaml` runs the same grid
 * without the verdict; the file's profiles (quick, paper) size it, the file as written is `standard`.
 */

/** Selects groups of results: every key (a grid axis, `variant`, or `test`) must equal the value. */
const whereSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), { error: 'a mapping of axis → value' });

export const RESULT_METRICS = [
  'finalTestSumRate',
  'finalPctWmmse',
  'bestPctWmmse',
  'epochsTo95',
  'samplesTo95',
  'rateAtQuarter',
  'rateAtHalf',
  'trainSeconds',
  'evalSumRate',
  'evalPctWmmse',
  'evalP5UserRate',
  'evalMsPerSample',
  'evalWmmseSumRate',
  'params',
] as const;
export type ResultMetric = (typeof RESULT_METRICS)[number];
const metricSchema = z.enum(RESULT_METRICS, { error: `one of ${RESULT_METRICS.join(', ')}` });

const testSetSchema = strict({
  label: z.string().regex(/^[A-Za-z0-9._=-]+$/, { error: 'a label of letters, digits, . _ = -' }),
  users: integer(1).optional().describe("K of the test set (default: the run's)"),
  noise: positive().optional().describe("σ² (default: the run's)"),
  channel: z.record(z.string(), z.unknown()).optional().describe("channel spec; without `kind` its options are merged into the run's channel"),
  samples: integer(1).default(500),
  seed: integer(0).default(1_000_003).describe('seed of the test set (distinct from every training seed: held out)'),
  unit: z.enum(['bits', 'nats']).default('bits'),
});
export type TestSet = z.output<typeof testSetSchema>;

const reproduceSchema = strict({
  paper: z.enum(['ad', 'uwgnn', 'beyond'], { error: 'ad (arXiv 2308.07511), uwgnn (arXiv 2307.05882) or beyond' }),
  figure: z.string(),
  title: z.string(),
  order: z.number().default(100),
  /** Estimated CPU time per profile on the 2-core development machine (measured where stated). */
  cost: z.record(z.string(), z.string()).default({}),
  /** What the section plots: test rate against epochs/samples per series, or a metric against an axis. */
  plot: z
    .union([
      strict({ kind: z.literal('convergence'), x: z.enum(['epoch', 'samples']).default('epoch'), y: z.enum(['testSumRate', 'pctReference']).default('testSumRate') }),
      strict({ kind: z.literal('axis'), axis: z.string(), metric: metricSchema }),
      // Quality against inference time, a panel per value of `by` (e.g. K): a latency–quality frontier.
      strict({ kind: z.literal('frontier'), by: z.string() }),
      // The CDF of the per-user rates on one test set, a line per variant (first seed's run).
      strict({ kind: z.literal('user-rate-cdf'), test: z.string() }),
    ])
    .optional(),
  evaluate: z.array(testSetSchema).default([]),
  /**
   * Classical methods scored on the same test sets as the trained runs, once per grid point (they do not
   * train): their rows appear with `variant` = the label. E.g. WMMSE best of 100 random starts, FPLinQ
   * truncated to 5 iterations.
   */
  baselines: z
    .array(
      strict({
        label: z.string().regex(/^[A-Za-z0-9._=-]+$/, { error: 'a label of letters, digits, . _ = -' }),
        teacher: z.record(z.string(), z.unknown(), { error: 'a teacher spec { kind, ...options }' }),
        /** Solve sample by sample (a per-sample loop, as papers time WMMSE) instead of one batched call. */
        loop: z.boolean().default(false),
      }),
    )
    .default([]),
  /** The metrics of the section's table (default: the compared ones and the usual ones). */
  table: z.array(metricSchema).optional(),
  paperValues: strict({
    metric: metricSchema,
    tolerance: z.number().nonnegative(),
    source: z.string().describe('where the numbers come from (figure read-off, table)'),
    rows: z.array(strict({ where: whereSchema, value: z.number() })).min(1),
  }).optional(),
  claims: z
    .array(
      strict({
        text: z.string(),
        metric: metricSchema,
        better: whereSchema,
        than: whereSchema,
        /** Lower is better (epochs to 95 %, time). */
        lower: z.boolean().default(false),
      }),
    )
    .default([]),
  notes: z.string().default(''),
});
export type ReproduceSpec = z.output<typeof reproduceSchema>;

export interface Experiment {
  readonly id: string;
  readonly path: string;
  readonly file: SweepFile;
  readonly spec: ReproduceSpec;
}

export const PROFILES = ['quick', 'standard', 'paper'] as const;
export type Profile = (typeof PROFILES)[number];

/** The experiments shipped with rrm (the repository's experiments/ folder). */
export const EXPERIMENTS_DIR = new URL('../../../../experiments/', import.meta.url).pathname;

export function readExperiment(path: string, profile?: string, seeds?: number): Experiment {
  const file = readSweepFile(path, [], profile, seeds);
  if (!file.reproduce) throw new ValidationError(`${path}: reproduce`, 'a reproduce: section (paper, figure, title, …; experiments/README.md)', undefined);
  const spec = parseOptions(reproduceSchema, file.reproduce, 'reproduce');
  const axes = new Set([...file.axes.map((a) => a.key), ...(spec.evaluate.length ? ['test'] : []), ...(spec.baselines.length ? ['variant'] : [])]);
  const checkWhere = (where: Record<string, unknown>, field: string) => {
    for (const k of Object.keys(where)) if (!axes.has(k)) throw new ValidationError(`${path}: ${field}.${k}`, `an axis of the experiment (${[...axes].join(', ')})`, k);
  };
  spec.paperValues?.rows.forEach((r, n) => checkWhere(r.where, `reproduce.paperValues.rows[${n}].where`));
  spec.claims.forEach((c, n) => {
    checkWhere(c.better, `reproduce.claims[${n}].better`);
    checkWhere(c.than, `reproduce.claims[${n}].than`);
  });
  if (spec.plot?.kind === 'axis' && !axes.has(spec.plot.axis)) throw new ValidationError(`${path}: reproduce.plot.axis`, `an axis of the experiment (${[...axes].join(', ')})`, spec.plot.axis);
  if (spec.plot?.kind === 'frontier' && !axes.has(spec.plot.by)) throw new ValidationError(`${path}: reproduce.plot.by`, `an axis of the experiment (${[...axes].join(', ')})`, spec.plot.by);
  if (spec.plot?.kind === 'user-rate-cdf' && !spec.evaluate.some((t) => t.label === (spec.plot as { test: string }).test)) {
    throw new ValidationError(`${path}: reproduce.plot.test`, `the label of one of its test sets (${spec.evaluate.map((t) => t.label).join(', ') || 'none'})`, spec.plot.test);
  }
  if (spec.baselines.length && !spec.evaluate.length) throw new ValidationError(`${path}: reproduce.baselines`, 'test sets to score them on (reproduce.evaluate)', spec.baselines.map((b) => b.label));
  const variantNames = new Set(Object.keys(file.variants));
  for (const b of spec.baselines) if (variantNames.has(b.label)) throw new ValidationError(`${path}: reproduce.baselines`, 'labels that are not also variant names', b.label);
  if (new Set(spec.evaluate.map((t) => t.label)).size !== spec.evaluate.length) throw new ValidationError(`${path}: reproduce.evaluate`, 'distinct labels', spec.evaluate.map((t) => t.label));
  return { id: basename(path).replace(/\.(ya?ml|json)$/, ''), path, file, spec };
}

/** Every experiment in a folder, in the order of the results document (paper, then `order`, then id). */
export function listExperiments(dir = EXPERIMENTS_DIR, profile?: string, seeds?: number): Experiment[] {
  const paperRank = { ad: 0, uwgnn: 1, beyond: 2 };
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => readExperiment(join(dir, f), profile, seeds))
    .sort((a, b) => paperRank[a.spec.paper] - paperRank[b.spec.paper] || a.spec.order - b.spec.order || a.id.localeCompare(b.id));
}
