import { checkWeights, resolveWeights } from './channel-batch';
import type { PowerProblem } from './contracts';
import { ValidationError, requireInteger } from './errors';
import { PowerKernel, type KernelSpec } from './power-kernel';
import { streams } from './random';
import { integer, nonNegative, z } from './schema';
import { chooseWorkers, runParallel, workersOption, type ChunkTask } from './worker-pool';

/**
 * The batched driver of the iterative power-control teachers (WMMSE in @rrm/teachers-wmmse, FPLinQ in
 * @rrm/teachers-fplinq): starting points, best-of-R restarts, fixed iterations or a per-sample
 * tolerance, and the objective trace. The per-iteration work runs in a `PowerKernel` (power-kernel.ts);
 * this file only loops over samples and restarts.
 */

/** A 32-bit seed (signed or unsigned). */
export const seedOption = z.number().int().min(-2147483648).max(4294967295).default(0);

/** The options every iterative teacher takes: spread into a teacher's `strictOptions({...})`. */
export const iterativeShape = {
  /** Updates per sample; with `tolerance`, the most updates. */
  iterations: integer(0).max(1_000_000).default(100),
  /** Stop a sample once an update improves its weighted sum rate (bit/s/Hz) by less than this. */
  tolerance: nonNegative().optional(),
  /** Starting powers of the first run: all p_max, uniform on [0, p_max], or `problem.init`. */
  init: z.enum(['pmax', 'random', 'given']).default('pmax'),
  /** Runs per sample; runs 2..R start from uniform random powers; the best run is kept. */
  restarts: integer(1).max(100_000).default(1),
  /** Seed of the random starting points. */
  seed: seedOption,
  /** Threads, main thread included: an integer, or 'auto' (all cores for large batches). */
  workers: workersOption,
};

/** The library functions' options (unknown keys, such as `trace`, are dropped, not rejected). */
export const iterativeSchema = z.object(iterativeShape);

export type IterativeOptions = z.input<typeof iterativeSchema> & {
  /** Record the weighted sum rate after every update (first run of each sample). */
  readonly trace?: boolean;
  /** Global index of sample 0 of this batch (set by the parallel driver so random starts do not depend on chunking). */
  readonly sampleOffset?: number;
};
export type ResolvedIterativeOptions = z.output<typeof iterativeSchema>;

export interface IterativeResult {
  /** Powers [B, K] in [0, p_max]. */
  readonly powers: Float64Array;
  /** Weighted sum rate Σ λ_i log2(1 + SINR_i) of the returned powers, per sample [B] (bit/s/Hz). */
  readonly objective: Float64Array;
  /** Updates performed for the returned run of each sample [B]. */
  readonly iterations: Int32Array;
  /** With `trace`: [(iterations + 1) · B], entry t·B + b = objective of sample b after t updates (first run;
   * after an early stop the last value repeats). */
  readonly trace?: Float64Array;
}

/** A problem checked once at the boundary: sizes, σ², p_max, per-sample weights [B,K], starting powers. */
export interface CheckedProblem {
  readonly batch: number;
  readonly users: number;
  readonly gains: Float64Array;
  readonly weights: Float64Array;
  readonly noise: number;
  readonly pmax: number;
  readonly init?: Float64Array;
}

export function checkProblem(problem: PowerProblem, needInit = false): CheckedProblem {
  const { channels } = problem;
  if (!channels || typeof channels !== 'object') throw new ValidationError('problem.channels', 'a ChannelBatch', channels);
  const batch = requireInteger('problem.channels.batch', channels.batch, 1);
  const users = requireInteger('problem.channels.users', channels.users, 1);
  if (!(channels.gains instanceof Float64Array) || channels.gains.length !== batch * users * users) {
    throw new ValidationError('problem.channels.gains', `a Float64Array of ${batch * users * users} power gains ([B, K, K])`, channels.gains);
  }
  const noise = problem.noise;
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise <= 0) throw new ValidationError('problem.noise', 'a finite number > 0', noise);
  const pmax = problem.pmax;
  if (typeof pmax !== 'number' || !Number.isFinite(pmax) || pmax <= 0) throw new ValidationError('problem.pmax', 'a finite number > 0', pmax);
  const weights = channels.weights
    ? checkWeights('problem.channels.weights', channels.weights, batch, users)
    : problem.weights
      ? checkWeights('problem.weights', problem.weights, batch, users)
      : resolveWeights(channels);
  let init: Float64Array | undefined;
  if (needInit) {
    if (problem.init === undefined) {
      throw new ValidationError('problem.init', `starting powers [B, K] (${batch * users} values): the teacher option init: 'given' needs them`);
    }
    init = checkPowers('problem.init', problem.init, batch, users, pmax);
  }
  return { batch, users, gains: channels.gains, weights, noise, pmax, init };
}

/** Powers [B, K], finite, in [0, p_max] (up to a relative 1e-9, then clamped). */
function checkPowers(field: string, powers: ArrayLike<number>, batch: number, users: number, pmax: number): Float64Array {
  if (powers.length !== batch * users) throw new ValidationError(field, `${batch * users} powers ([B, K] = [${batch}, ${users}])`, powers);
  const out = new Float64Array(powers.length);
  for (let n = 0; n < out.length; n++) {
    const v = powers[n];
    if (!Number.isFinite(v) || v < 0 || v > pmax * (1 + 1e-9)) {
      throw new ValidationError(`${field}[${n}]`, `a power in [0, ${pmax}] (p_max)`, v);
    }
    out[n] = Math.min(v, pmax);
  }
  return out;
}

/** Runs `spec` on every sample of a checked problem (single thread). */
export function iterateKernel(spec: KernelSpec, problem: CheckedProblem, opts: ResolvedIterativeOptions, extra: { trace?: boolean; sampleOffset?: number } = {}): IterativeResult {
  const { batch: B, users: K, gains, weights, noise, pmax } = problem;
  const { iterations, tolerance, init, restarts, seed } = opts;
  const sampleOffset = extra.sampleOffset ?? 0;
  const kernel = new PowerKernel(spec, K);
  const powers = new Float64Array(B * K);
  const objective = new Float64Array(B);
  const used = new Int32Array(B);
  const trace = extra.trace ? new Float64Array((iterations + 1) * B) : undefined;
  const start = new Float64Array(restarts * K);
  const tol = tolerance ?? -1;
  const tracked = tolerance !== undefined || trace !== undefined;

  for (let b = 0; b < B; b++) {
    kernel.loadSample(gains, weights, b);
    // Starting points of all runs of this sample: run 0 from `init`, runs 1.. from random powers.
    // Random starts do not depend on how the batch is split: run r of the sample with global index s
    // starts from p_i = p_max·U_i, U = draws [rK, (r+1)K) of the core stream `init:s` of `seed`.
    if (restarts > 1 || init === 'random') {
      const rng = streams(seed).get(`init:${sampleOffset + b}`);
      for (let n = 0; n < restarts * K; n++) start[n] = pmax * rng.uniform();
    }
    if (init === 'pmax') start.fill(pmax, 0, K);
    else if (init === 'given') start.set((problem.init as Float64Array).subarray(b * K, b * K + K), 0);

    for (let r = 0; r < restarts; r++) {
      kernel.setPowers(start, r * K);
      let obj: number;
      let steps = iterations;
      if (!tracked) {
        kernel.run(noise, pmax, iterations);
        obj = kernel.objective();
      } else {
        const tr = r === 0 ? trace : undefined;
        kernel.begin(noise, pmax);
        obj = kernel.objective();
        if (tr) tr[b] = obj;
        for (let t = 1; t <= iterations; t++) {
          kernel.step(noise, pmax);
          const next = kernel.objective();
          if (tr) tr[t * B + b] = next;
          const gain = next - obj;
          obj = next;
          if (gain < tol) {
            steps = t;
            if (tr) for (let s = t + 1; s <= iterations; s++) tr[s * B + b] = next;
            break;
          }
        }
      }
      if (r === 0 || obj > objective[b]) {
        kernel.readPowers(powers, b * K);
        objective[b] = obj;
        used[b] = steps;
      }
    }
  }
  return { powers, objective, iterations: used, trace };
}

/**
 * An iterative teacher's solve on `options.workers` threads (identical to one thread): checks the
 * problem first, so bad input fails before any worker starts.
 */
export async function solveIterative<O extends ResolvedIterativeOptions>(req: {
  readonly problem: PowerProblem;
  readonly options: O;
  readonly sampleOffset?: number;
  /** File URL of the module that exports `fn` (its `import.meta.url`). */
  readonly module: string;
  readonly fn: string;
  readonly local: (task: ChunkTask<O>) => Float64Array;
}): Promise<Float64Array> {
  const { problem, options } = req;
  const checked = checkProblem(problem, options.init === 'given');
  const work = checked.batch * checked.users * checked.users * Math.max(1, options.iterations) * options.restarts;
  return runParallel({ ...req, threads: chooseWorkers(options.workers, work, checked.batch), offset: req.sampleOffset ?? 0 });
}
