import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValidationError, integer, parseOptions, strict, z } from '@rrm/core';
import { canonicalJson, readConfigFile } from '@rrm/pipeline';

/**
 * A sweep file (YAML or JSON): a base config, a grid of dotted config keys → lists of values (their
 * cartesian product), and seeds. Every run of the sweep is base ← `set` ← --set ← one value per axis ← seed.
 *
 *   name: gnn-k-sweep
 *   base: ../configs/gnn-ad-k10.yaml     # a config file (relative to this file) or an inline config
 *   set: { trainer.epochs: 20 }          # optional: overrides for every run
 *   grid:
 *     scenario.users: [10, 20, 40]
 *     distill.beta.kind: [none, fixed, decreasing]
 *   seeds: 3                             # seeds 0, 1, 2; or a list such as [0, 7, 42]
 *   plots: { metrics: [finalPctWmmse] }  # optional: the metrics to plot against each axis
 */

const METRICS = ['finalTestSumRate', 'finalPctWmmse', 'bestTestSumRate', 'bestPctWmmse', 'epochsTo95', 'samplesTo95', 'trainSeconds', 'wallSeconds'] as const;
export type SweepMetric = (typeof METRICS)[number];
export const SWEEP_METRICS: readonly SweepMetric[] = METRICS;

const sweepSchema = strict({
  name: z
    .string({ error: 'a name (letters, digits, . _ -)' })
    .regex(/^[A-Za-z0-9._-]+$/, { error: 'a name of letters, digits, . _ - (it names the output folder)' }),
  base: z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'a config file path or an inline config mapping' }).optional(),
  set: z.record(z.string(), z.unknown(), { error: 'a mapping of dotted config keys to values' }).default({}),
  grid: z.record(z.string(), z.unknown(), { error: 'a mapping of dotted config keys to lists of values' }).default({}),
  seeds: z
    .union([integer(1), z.array(integer(0), { error: 'a list of seeds (integers >= 0)' }).min(1)], { error: 'a seed count (integer >= 1) or a list of seeds' })
    .default(1),
  plots: strict({
    metrics: z.array(z.enum(METRICS, { error: `one of ${METRICS.join(', ')}` })).min(1).optional(),
  }).optional(),
});

export interface SweepAxis {
  readonly key: string;
  readonly values: readonly unknown[];
}

export interface SweepFile {
  readonly path: string;
  readonly name: string;
  /** The base config as a mapping (before defaults), plugin paths made absolute. */
  readonly base: Record<string, unknown>;
  /** Overrides for every run: the file's `set`, then --set. */
  readonly sets: readonly (readonly [string, unknown])[];
  readonly axes: readonly SweepAxis[];
  readonly seeds: readonly number[];
  readonly plotMetrics: readonly SweepMetric[];
}

function parseFile(path: string): unknown {
  if (!existsSync(path)) throw new ValidationError('sweep file', 'a readable YAML or JSON file', path);
  const text = readFileSync(path, 'utf8');
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ValidationError(`sweep file ${path}`, 'valid JSON or YAML', (err as Error).message.split('\n')[0]);
  }
}

/** Reads and checks a sweep file's shape; the configs of its runs are checked by `expandSweep`. */
export function readSweepFile(path: string, cliSets: readonly (readonly [string, unknown])[] = []): SweepFile {
  const raw = parseFile(path);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError(`sweep file ${path}`, 'a mapping with name, base, grid and seeds', raw);
  const s = parseOptions(sweepSchema, raw, '');
  const here = dirname(resolvePath(path));
  let base: Record<string, unknown> = {};
  if (typeof s.base === 'string') {
    const file = isAbsolute(s.base) ? s.base : resolvePath(here, s.base);
    if (!existsSync(file)) throw new ValidationError('base', `a config file (relative to the sweep file ${path})`, s.base);
    base = readConfigFile(file);
  } else if (s.base) {
    base = structuredClone(s.base);
    if (Array.isArray(base.plugins)) base.plugins = base.plugins.map((p) => (typeof p === 'string' && !isAbsolute(p) ? resolvePath(here, p) : p));
  }

  const axes: SweepAxis[] = [];
  for (const [key, values] of Object.entries(s.grid)) {
    const field = `grid['${key}']`;
    if (key === 'seed') throw new ValidationError(field, 'no seed axis (give the seeds with `seeds:`, a count or a list)', key);
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(key)) throw new ValidationError(field, 'a dotted config key such as scenario.users', key);
    if (!Array.isArray(values)) throw new ValidationError(field, 'a list of values', values);
    if (values.length === 0) throw new ValidationError(field, 'a non-empty list of values (an empty axis would give no runs)', values);
    const seen = new Set<string>();
    for (const v of values) {
      const c = canonicalJson(v);
      if (seen.has(c)) throw new ValidationError(field, 'distinct values (a repeated value would repeat its runs)', v);
      seen.add(c);
    }
    axes.push({ key, values });
  }
  const sets: [string, unknown][] = [...Object.entries(s.set), ...cliSets.map(([k, v]) => [k, v] as [string, unknown])];
  for (const [k] of sets) {
    if (axes.some((a) => a.key === k)) throw new ValidationError(`--set ${k}`, 'a key that is not a grid axis (the grid gives it its values)', k);
    if (k === 'seed') throw new ValidationError(`--set ${k}`, 'no seed (the sweep file gives the seeds)', k);
  }
  const seeds = typeof s.seeds === 'number' ? Array.from({ length: s.seeds }, (_, n) => n) : s.seeds;
  if (new Set(seeds).size !== seeds.length) throw new ValidationError('seeds', 'distinct seeds', seeds);
  return {
    path,
    name: s.name,
    base,
    sets,
    axes,
    seeds,
    plotMetrics: s.plots?.metrics ?? ['finalPctWmmse', 'finalTestSumRate'],
  };
}

/** Every combination of one value per axis (the first axis varies slowest). */
export function gridPoints(axes: readonly SweepAxis[]): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  return points;
}

/** A value as a table cell or plot label: strings and numbers as they are, anything else as canonical JSON. */
export function valueLabel(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : canonicalJson(v);
}
