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
 *   variants:                            # optional: named sets of overrides, one axis called `variant`
 *     supervised: { trainer.kind: supervised }
 *     ad-decreasing: { distill.beta.kind: decreasing }
 *   seeds: 3                             # seeds 0, 1, 2; or a list such as [0, 7, 42]
 *   plots: { metrics: [finalPctWmmse] }  # optional: the metrics to plot against each axis
 */

const METRICS = ['finalTestSumRate', 'finalPctWmmse', 'bestTestSumRate', 'bestPctWmmse', 'epochsTo95', 'samplesTo95', 'trainSeconds', 'wallSeconds'] as const;
export type SweepMetric = (typeof METRICS)[number];
export const SWEEP_METRICS: readonly SweepMetric[] = METRICS;

const seedsSchema = z.union([integer(1), z.array(integer(0), { error: 'a list of seeds (integers >= 0)' }).min(1)], {
  error: 'a seed count (integer >= 1) or a list of seeds',
});

/**
 * A named size of the same sweep (quick / paper next to the file as written): more `set` overrides, other
 * values for existing grid axes, a subset of the variants, other seeds.
 */
const profileSchema = strict({
  set: z.record(z.string(), z.unknown(), { error: 'a mapping of dotted config keys to values' }).default({}),
  grid: z.record(z.string(), z.array(z.unknown()), { error: 'a mapping of existing grid axes to lists of values' }).default({}),
  variants: z
    .union([z.array(z.string()).min(1), z.record(z.string(), z.record(z.string(), z.unknown()))], {
      error: 'a list of variant names, or a mapping of variant names to extra overrides',
    })
    .optional(),
  seeds: seedsSchema.optional(),
});

const sweepSchema = strict({
  name: z
    .string({ error: 'a name (letters, digits, . _ -)' })
    .regex(/^[A-Za-z0-9._-]+$/, { error: 'a name of letters, digits, . _ - (it names the output folder)' }),
  base: z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'a config file path or an inline config mapping' }).optional(),
  set: z.record(z.string(), z.unknown(), { error: 'a mapping of dotted config keys to values' }).default({}),
  grid: z.record(z.string(), z.unknown(), { error: 'a mapping of dotted config keys to lists of values' }).default({}),
  variants: z
    .record(z.string(), z.record(z.string(), z.unknown(), { error: 'a mapping of dotted config keys to values' }), {
      error: 'a mapping of variant names to dotted config overrides',
    })
    .optional(),
  profiles: z.record(z.string(), profileSchema, { error: 'a mapping of profile names to { set, grid, variants, seeds }' }).optional(),
  seeds: seedsSchema.default(1),
  plots: strict({
    metrics: z.array(z.enum(METRICS, { error: `one of ${METRICS.join(', ')}` })).min(1).optional(),
  }).optional(),
  // What `rrm reproduce` needs (the paper's numbers, claims); checked there, ignored by `rrm sweep`.
  reproduce: z.record(z.string(), z.unknown(), { error: 'a mapping (see experiments/README.md)' }).optional(),
});

/** The profile a sweep file runs as written. */
export const DEFAULT_PROFILE = 'standard';

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
  /** The grid axes; a `variant` axis (first) when the file has variants. */
  readonly axes: readonly SweepAxis[];
  /** Variant name → its overrides (the values of the `variant` axis). */
  readonly variants: Readonly<Record<string, readonly (readonly [string, unknown])[]>>;
  readonly seeds: readonly number[];
  readonly plotMetrics: readonly SweepMetric[];
  /** Profile names the file defines (besides `standard`, the file as written). */
  readonly profiles: readonly string[];
  /** The file's `reproduce:` mapping, unchecked. */
  readonly reproduce?: Readonly<Record<string, unknown>>;
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
export function readSweepFile(path: string, cliSets: readonly (readonly [string, unknown])[] = [], profile?: string, seedCount?: number): SweepFile {
  const raw = parseFile(path);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError(`sweep file ${path}`, 'a mapping with name, base, grid and seeds', raw);
  const s = applyProfile(parseOptions(sweepSchema, raw, ''), profile);
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
  const variants: Record<string, [string, unknown][]> = {};
  if (s.variants) {
    const names = Object.keys(s.variants);
    if (names.length === 0) throw new ValidationError('variants', 'at least one named variant (or no `variants:`)', s.variants);
    for (const name of names) {
      if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new ValidationError(`variants['${name}']`, 'a name of letters, digits, . _ -', name);
      variants[name] = Object.entries(s.variants[name]);
      for (const [k] of variants[name]) {
        if (k === 'seed') throw new ValidationError(`variants['${name}'].${k}`, 'no seed (the sweep file gives the seeds)', k);
        if (k in s.grid) throw new ValidationError(`variants['${name}'].${k}`, 'a key that is not a grid axis', k);
      }
    }
    axes.push({ key: VARIANT_AXIS, values: names });
  }
  for (const [key, values] of Object.entries(s.grid)) {
    if (key === VARIANT_AXIS) throw new ValidationError(`grid['${key}']`, 'another name (`variant` is the axis of `variants:`)', key);
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
  const seedsGiven = seedCount ?? s.seeds;
  const seeds = typeof seedsGiven === 'number' ? Array.from({ length: seedsGiven }, (_, n) => n) : seedsGiven;
  if (new Set(seeds).size !== seeds.length) throw new ValidationError('seeds', 'distinct seeds', seeds);
  return {
    path,
    name: s.name,
    base,
    sets,
    axes,
    variants,
    seeds,
    plotMetrics: s.plots?.metrics ?? ['finalPctWmmse', 'finalTestSumRate'],
    profiles: Object.keys(s.profiles ?? {}),
    reproduce: s.reproduce,
  };
}

type ParsedSweep = z.output<typeof sweepSchema>;

/** The file as the named profile runs it (the file as written for `standard` unless it names a standard profile). */
function applyProfile(s: ParsedSweep, name: string | undefined): ParsedSweep {
  if (name === undefined || (name === DEFAULT_PROFILE && !s.profiles?.[name])) return s;
  const p = s.profiles?.[name];
  if (!p) throw new ValidationError('--profile', `one of ${[DEFAULT_PROFILE, ...Object.keys(s.profiles ?? {}).filter((k) => k !== DEFAULT_PROFILE)].join(', ')}`, name);
  const grid = { ...s.grid };
  for (const [k, v] of Object.entries(p.grid)) {
    if (!(k in grid)) throw new ValidationError(`profiles.${name}.grid['${k}']`, `an axis of the grid (${Object.keys(grid).join(', ') || 'none'})`, k);
    grid[k] = v;
  }
  let variants = s.variants;
  if (p.variants) {
    // A list keeps those variants; a mapping keeps them with extra overrides (a variant's own size).
    const extra: Record<string, Record<string, unknown>> = Array.isArray(p.variants) ? Object.fromEntries(p.variants.map((v) => [v, {}])) : p.variants;
    for (const v of Object.keys(extra)) if (!variants?.[v]) throw new ValidationError(`profiles.${name}.variants`, `names of variants (${Object.keys(variants ?? {}).join(', ') || 'none'})`, v);
    variants = Object.fromEntries(Object.entries(extra).map(([v, more]) => [v, { ...s.variants![v], ...more }]));
  }
  return { ...s, set: { ...s.set, ...p.set }, grid, variants, seeds: p.seeds ?? s.seeds };
}

export const VARIANT_AXIS = 'variant';

/** The config overrides of a grid point: each axis's value, the `variant` axis expanded to its overrides. */
export function pointSets(file: Pick<SweepFile, 'variants'>, point: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(point).flatMap(([k, v]) => (k === VARIANT_AXIS ? file.variants[v as string].map(([a, b]) => [a, b] as [string, unknown]) : [[k, v] as [string, unknown]]));
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
