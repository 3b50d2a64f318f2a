import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeChannelBatch, meanSumRate, readNpy, userRates, writeFileAtomic, type PluginSpec, type PowerProblem, type Registry } from '@rrm/core';
import { canonicalJson, type PipelineConfig } from '@rrm/pipeline';
import type { SweepRow } from '@rrm/sweep';
import { generate } from '../commands/generate';
import { evaluateRun, predictRun } from '../pipeline/evaluate-run';
import type { TestSet } from './experiment';
import type { Observation } from './verdict';

/**
 * Held-out test sets for trained runs (scalability, distribution shift, topology, mobility, validation
 * splits): each set is drawn from the run's scenario with the set's changes (K, σ², channel), from a seed no
 * training run uses, written once per distinct spec, and every finished run is scored on it by the same
 * `evaluateRun` as `rrm evaluate` (its sum rate beside WMMSE-100 on the same channels). Scores are kept per
 * run and set, so a rerun only evaluates what is new.
 */

export interface ResolvedTestSet {
  readonly label: string;
  readonly users: number;
  readonly noise: number;
  readonly pmax: number;
  readonly channel: Record<string, unknown>;
  readonly samples: number;
  readonly seed: number;
  readonly unit: 'bits' | 'nats';
}

export function resolveTestSet(set: TestSet, config: PipelineConfig): ResolvedTestSet {
  const runChannel = config.channel as Record<string, unknown>;
  const channel = set.channel && 'kind' in set.channel ? set.channel : { ...runChannel, ...(set.channel ?? {}) };
  return { label: set.label, users: set.users ?? config.scenario.users, noise: set.noise ?? config.scenario.noise, pmax: config.scenario.pmax, channel, samples: set.samples, seed: set.seed, unit: set.unit };
}

const hashOf = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, 10);

/** The 5th percentile of the per-user rates (every user of every sample): the cell-edge user's rate. */
export function percentile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

const QUANTILES = Array.from({ length: 101 }, (_, n) => n / 100);

export interface TestSetScore {
  readonly evalSumRate: number;
  readonly evalPctWmmse: number;
  readonly evalP5UserRate: number;
  readonly evalMsPerSample: number;
  readonly evalWmmseSumRate: number;
  /** Per-user rates at the quantiles 0, 0.01, …, 1 (every user of every sample): the CDF, sampled. */
  readonly userRateQuantiles: readonly number[];
}

async function scoreRun(registry: Registry, dir: string, runOut: string, runId: string, set: ResolvedTestSet): Promise<TestSetScore> {
  const { gains, weights, hash: setHash } = ensureTestSet(registry, dir, set);
  const cache = join(dir, 'evals', `${runId}--${set.label}-${setHash}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as TestSetScore;
  const input = { channels: gains, weights };
  const powersFile = join(dir, 'evals', `${runId}--${set.label}-${setHash}.powers.npy`);
  mkdirSync(join(dir, 'evals'), { recursive: true });
  await predictRun({ registry, run: runOut, input, noise: set.noise, out: powersFile });
  // Timed second: predictRun has run every kernel at these shapes once (compiled, heap grown), so the
  // time per sample is the steady state, not the first call's allocation.
  const ev = await evaluateRun({ registry, run: runOut, input, noise: set.noise, unit: set.unit });
  const channels = readTestSet(gains, weights, set);
  const rates = userRates(channels, readNpy(powersFile).data, { noise: set.noise, unit: set.unit });
  const score: TestSetScore = { evalSumRate: ev.mean, evalPctWmmse: 100 * ev.ratio, evalP5UserRate: percentile(rates, 0.05), evalMsPerSample: ev.msPerSample, evalWmmseSumRate: ev.wmmse, userRateQuantiles: QUANTILES.map((q) => percentile(rates, q)) };
  writeFileAtomic(cache, JSON.stringify(score) + '\n');
  return score;
}

/** Reads a test set written by ensureTestSet as a channel batch. */
function readTestSet(gains: string, weights: string, set: ResolvedTestSet) {
  return makeChannelBatch(readNpy(gains).data, [set.samples, set.users, set.users], { weights: readNpy(weights).data });
}

function ensureTestSet(registry: Registry, dir: string, set: ResolvedTestSet): { gains: string; weights: string; hash: string } {
  const hash = hashOf({ set, v: 3 });
  const gains = join(dir, 'testsets', `${set.label}-${hash}.npy`);
  const weights = join(dir, 'testsets', `${set.label}-${hash}.weights.npy`);
  if (!existsSync(gains) || !existsSync(weights)) {
    mkdirSync(join(dir, 'testsets'), { recursive: true });
    generate({ registry, channel: set.channel as PluginSpec, users: set.users, samples: set.samples, seed: set.seed, out: gains, weightsOut: weights });
  }
  return { gains, weights, hash };
}

export interface Baseline {
  readonly label: string;
  readonly teacher: Record<string, unknown>;
  readonly loop?: boolean;
}

/** Powers of a teacher on a batch, in one batched call or sample by sample. */
async function solveWith(teacher: { solve(p: PowerProblem): Promise<Float64Array> }, problem: PowerProblem, loop: boolean): Promise<Float64Array> {
  if (!loop) return teacher.solve(problem);
  const { batch, users, gains, weights } = problem.channels;
  const out = new Float64Array(batch * users);
  for (let b = 0; b < batch; b++) {
    const one = makeChannelBatch(gains.subarray(b * users * users, (b + 1) * users * users), [1, users, users], { weights: weights?.subarray(b * users, (b + 1) * users) });
    out.set(await teacher.solve({ ...problem, channels: one }), b * users);
  }
  return out;
}

/**
 * A classical method on a test set: its powers' sum rate beside WMMSE-100's (the run's reference) on the
 * same channels, the 5th-percentile user rate, and its solve time per sample (second of two solves, so
 * the time is the steady state: worker pools started, kernels assembled). Cached like a run's score.
 */
async function scoreBaseline(registry: Registry, dir: string, baseline: Baseline, reference: PluginSpec, set: ResolvedTestSet): Promise<TestSetScore> {
  const { gains, weights, hash } = ensureTestSet(registry, dir, set);
  const cache = join(dir, 'evals', `baseline-${baseline.label}-${hashOf({ t: baseline.teacher, reference, loop: baseline.loop ?? false })}--${set.label}-${hash}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as TestSetScore;
  const channels = readTestSet(gains, weights, set);
  const problem = { channels, noise: set.noise, pmax: set.pmax };
  const teacher = registry.create('teacher', baseline.teacher as PluginSpec, `reproduce.baselines[${baseline.label}].teacher`);
  const loop = baseline.loop ?? false;
  await solveWith(teacher, problem, loop);
  const t0 = performance.now();
  const powers = await solveWith(teacher, problem, loop);
  const seconds = (performance.now() - t0) / 1000;
  const refPowers = await registry.create('teacher', reference, 'reference').solve(problem);
  const opts = { noise: set.noise, unit: set.unit };
  const ours = meanSumRate(channels, powers, opts);
  const ref = meanSumRate(channels, refPowers, opts);
  const rates = userRates(channels, powers, opts);
  const score: TestSetScore = {
    evalSumRate: ours,
    evalPctWmmse: (100 * ours) / ref,
    evalP5UserRate: percentile(rates, 0.05),
    evalMsPerSample: (1000 * seconds) / set.samples,
    evalWmmseSumRate: ref,
    userRateQuantiles: QUANTILES.map((q) => percentile(rates, q)),
  };
  mkdirSync(join(dir, 'evals'), { recursive: true });
  writeFileAtomic(cache, JSON.stringify(score) + '\n');
  return score;
}

/** Scores every finished run of a sweep on every test set: one observation per run, seed and set. */
export async function scoreTestSets(
  registry: Registry,
  dir: string,
  rows: readonly SweepRow[],
  sets: readonly TestSet[],
  onScored?: (done: number, total: number, what: string) => void,
  baselines: readonly Baseline[] = [],
): Promise<Observation[]> {
  const out: Observation[] = [];
  const done = rows.filter((r) => r.state === 'done');
  let n = 0;
  for (const row of done) {
    for (const set of sets) {
      const resolved = resolveTestSet(set, row.run.config);
      const score = await scoreRun(registry, dir, row.run.out, row.run.id, resolved);
      const { userRateQuantiles, ...metrics } = score;
      out.push({ point: { ...row.run.point, test: set.label }, seed: row.run.seed, metrics: { ...metrics, params: row.summary?.paramCount ?? null }, userRateQuantiles });
      onScored?.(++n, done.length * sets.length, `${row.run.label} on ${set.label}`);
    }
  }
  // Baselines: once per grid point (variant and seed aside), on the test set that point's runs saw.
  const points = new Map<string, SweepRow>();
  for (const row of rows) {
    const { variant: _variant, ...rest } = row.run.point;
    const key = canonicalJson(rest);
    if (!points.has(key)) points.set(key, row);
  }
  for (const baseline of baselines) {
    for (const row of points.values()) {
      const { variant: _variant, ...rest } = row.run.point;
      for (const set of sets) {
        const score = await scoreBaseline(registry, dir, baseline, row.run.config.reference as PluginSpec, resolveTestSet(set, row.run.config));
        const { userRateQuantiles, ...metrics } = score;
        out.push({ point: { variant: baseline.label, ...rest, test: set.label }, seed: 0, metrics: { ...metrics, params: 0 }, userRateQuantiles });
        onScored?.(n, done.length * sets.length, `baseline ${baseline.label} on ${set.label}`);
      }
    }
  }
  return out;
}
