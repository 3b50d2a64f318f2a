import { resolve as resolvePath } from 'node:path';
import { ValidationError, loadLocalPlugins, type Registry } from '@rrm/core';
import { builtinRegistry, configHash, resolveConfig, validateConfig, type PipelineConfig } from '@rrm/pipeline';
import { DEFAULT_PROFILE, VARIANT_AXIS, gridPoints, pointSets, readSweepFile, valueLabel, type SweepFile } from './sweep-file';

/** One run of a sweep: a grid point and a seed, resolved to a full config whose hash is the run's id. */
export interface SweepRun {
  /** configHash of the resolved config (with the rrm version): equal configs share a run. */
  readonly id: string;
  /** The value of each grid axis. */
  readonly point: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly config: PipelineConfig;
  /** DIR/runs/<id> (absolute). */
  readonly out: string;
  /** "scenario.users=10 distill.beta.kind=none seed=0" */
  readonly label: string;
}

export interface SweepPlan {
  readonly file: SweepFile;
  /** The sweep's output folder (absolute). */
  readonly dir: string;
  /** One per grid point × seed, in grid order (seeds innermost). */
  readonly runs: readonly SweepRun[];
  /** Grid points that resolve to the same config (same id): the run happens once and fills every row. */
  readonly duplicates: readonly (readonly [string, string])[];
}

export interface PlanOptions {
  readonly file: string;
  /** --set overrides on the base config (before the grid). */
  readonly sets?: readonly (readonly [string, unknown])[];
  /** The sweep's folder (default sweeps/<name>). */
  readonly out?: string;
  readonly registry?: Registry;
  /** A profile of the file (default: the file as written, `standard`). */
  readonly profile?: string;
  /** Seeds 0…N−1 instead of the file's. */
  readonly seeds?: number;
}

const pointLabel = (point: Readonly<Record<string, unknown>>, seed: number) =>
  [...Object.entries(point).map(([k, v]) => `${k}=${valueLabel(v)}`), `seed=${seed}`].join(' ');

/** The first words of a ValidationError from resolving one value, reworded for the grid entry that caused it. */
function gridError(err: unknown, key: string, index: number, value: unknown): never {
  if (!(err instanceof ValidationError)) throw err;
  if (err.expected.startsWith('one of the known options') || err.expected.startsWith('a registered')) {
    // The key itself (or a plugin kind it names) is unknown.
    const keyIsUnknown = err.expected.startsWith('one of the known options') && (key === err.field || key.startsWith(`${err.field}.`) || err.field.startsWith(key));
    if (keyIsUnknown) throw new ValidationError(`grid['${key}']`, `a config key (${err.message})`, key);
  }
  throw new ValidationError(`grid['${key}'][${index}]`, `a value this key accepts (${err.message})`, value);
}

/**
 * Expands a sweep file into its runs and validates every one before anything runs: each axis value on
 * the base alone (so the error names the grid entry), then every grid point × seed with resolveConfig and
 * validateConfig (each plugin resolved, its options checked).
 */
export async function planSweep(opts: PlanOptions): Promise<SweepPlan> {
  const file = readSweepFile(opts.file, opts.sets ?? [], opts.profile, opts.seeds);
  const registry = opts.registry ?? builtinRegistry();
  const withPlugins = new Map<string, Registry>();
  const registryFor = async (config: PipelineConfig): Promise<Registry> => {
    if (config.plugins.length === 0) return registry;
    const key = JSON.stringify(config.plugins);
    let r = withPlugins.get(key);
    if (!r) {
      r = registry.scope();
      await loadLocalPlugins(config.plugins, r);
      withPlugins.set(key, r);
    }
    return r;
  };
  const check = async (sets: readonly (readonly [string, unknown])[]) => {
    const config = resolveConfig(file.base, sets);
    validateConfig(config, await registryFor(config));
    return config;
  };

  try {
    await check(file.sets);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`base config of ${opts.file} (with set/--set)`, `a valid config (${err.message})`);
    throw err;
  }
  for (const axis of file.axes) {
    for (let n = 0; n < axis.values.length; n++) {
      try {
        await check([...file.sets, ...pointSets(file, { [axis.key]: axis.values[n] })]);
      } catch (err) {
        if (axis.key === VARIANT_AXIS && err instanceof ValidationError) {
          throw new ValidationError(`variants['${String(axis.values[n])}']`, `overrides this config accepts (${err.message})`, file.variants[axis.values[n] as string]);
        }
        gridError(err, axis.key, n, axis.values[n]);
      }
    }
  }

  const suffix = opts.profile && opts.profile !== DEFAULT_PROFILE ? `-${opts.profile}` : '';
  const dir = resolvePath(opts.out ?? `sweeps/${file.name}${suffix}`);
  const runs: SweepRun[] = [];
  const byId = new Map<string, string>();
  const duplicates: [string, string][] = [];
  for (const point of gridPoints(file.axes)) {
    for (const seed of file.seeds) {
      const label = pointLabel(point, seed);
      let config: PipelineConfig;
      try {
        config = await check([...file.sets, ...pointSets(file, point), ['seed', seed]]);
      } catch (err) {
        if (err instanceof ValidationError) throw new ValidationError(`run ${label}`, `a valid config (${err.message})`);
        throw err;
      }
      const id = configHash(config);
      const first = byId.get(id);
      if (first) duplicates.push([first, label]);
      else byId.set(id, label);
      runs.push({ id, point, seed, config, out: resolvePath(dir, 'runs', id), label });
    }
  }
  return { file, dir, runs, duplicates };
}
