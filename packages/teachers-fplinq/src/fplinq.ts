import {
  checkProblem,
  iterateKernel,
  iterativeShape,
  parseOptions,
  solveIterative,
  sumRates,
  warmWorkers,
  z,
  type ChunkTask,
  type IterativeOptions,
  type IterativeResult,
  type KernelSpec,
  type PowerProblem,
} from '@rrm/core';

/**
 * Fractional-programming power control (FPLinQ's power step) for the weighted sum rate over scalar
 * interference channels: K. Shen and W. Yu, "Fractional programming for communication systems —
 * Part I: Power control and beamforming" (quadratic transform) and "— Part II: Uplink scheduling via
 * matching" (Lagrangian dual transform, FPLinQ), IEEE Trans. Signal Processing 66(10), 2018.
 *
 * Problem: maximise Σ_i λ_i log(1 + γ_i(p)) over 0 ≤ p ≤ p_max, γ_i(p) = g_ii p_i / (Σ_{j≠i} g_ij p_j + σ²)
 * (g_ij: power gain from transmitter j to receiver i).
 *
 * 1. Lagrangian dual transform (Part II): with auxiliary γ, the objective equals the maximum over γ of
 *      Σ λ_i log(1+γ_i) − Σ λ_i γ_i + Σ λ_i (1+γ_i) · g_ii p_i / (Σ_j g_ij p_j + σ²),
 *    attained at γ_i = SINR_i(p). The last sum is a sum of ratios A_i / B_i with
 *    A_i = λ_i(1+γ_i) g_ii p_i and B_i = Σ_j g_ij p_j + σ² (the total received power, signal included).
 * 2. Quadratic transform (Part I): Σ A_i/B_i = max_y Σ 2 y_i √A_i − y_i² B_i, attained at y_i = √A_i / B_i.
 * 3. The resulting f(p, γ, y) is concave in p (in √p the p-terms separate), and ∂f/∂p_i = 0 gives
 *      √p_i = y_i √(λ_i(1+γ_i) g_ii) / Σ_j y_j² g_ji,  clipped to [0, √p_max].
 *
 * One iteration, from p:
 *      γ_i = g_ii p_i / (Σ_{j≠i} g_ij p_j + σ²)
 *      y_i = √(λ_i (1+γ_i) g_ii p_i) / (Σ_j g_ij p_j + σ²)
 *      p_i ← min( p_max, λ_i (1+γ_i) y_i² g_ii / (Σ_j y_j² g_ji)² )
 * Each step maximises f over one block and f(p, γ*(p), y*(p)) is the weighted sum rate, so the rate
 * never decreases. With y_i² = λ_i w_i u_i² and w_i = 1+γ_i these are exactly WMMSE's updates
 * (wmmse-kernel.ts in @rrm/teachers-wmmse): from the same start the iterates agree to rounding.
 *
 * The per-iteration work runs in the shared SIMD kernel engine of @rrm/core (power-kernel.ts), which
 * supplies n_i = Σ_{j≠i} g_ij p_j + σ² before `evaluate` and d_i = Σ_j g_ji c_j before `update`.
 */
export const fplinqKernel: KernelSpec = {
  name: 'fplinq',
  begin: () => [],
  evaluate: (e, L, x) => {
    const [signal, total, s, y] = x.tmp;
    return [
      ...e.set(signal, e.mul(e.load(L.gd), e.load(L.p))), // g_ii p_i
      ...e.set(total, e.add(e.load(L.n), e.get(signal))), // Σ_j g_ij p_j + σ²
      ...e.store(L.w, e.add(e.splat(1), e.div(e.get(signal), e.load(L.n)))), // 1 + γ_i
      ...e.set(s, e.mul(e.load(L.lam), e.load(L.w))), // λ_i (1 + γ_i)
      ...e.set(y, e.div(e.sqrt(e.mul(e.get(s), e.get(signal))), e.get(total))), // y_i
      ...e.store(L.c, e.mul(e.get(y), e.get(y))), // y_i²
      ...e.store(L.a, e.mul(e.mul(e.get(s), e.load(L.c)), e.load(L.gd))), // λ_i (1+γ_i) y_i² g_ii
    ];
  },
  update: (e, L, x) => {
    const [q, mask] = x.tmp;
    return [
      // q_i = clamp(a_i / d_i², 0, p_max), d_i = Σ_j y_j² g_ji
      ...e.set(q, e.pmax(e.pmin(e.div(e.load(L.a), e.mul(e.load(L.d), e.load(L.d))), e.splatLocal(x.pmax)), e.splat(0))),
      // d_i = 0 forces a_i = 0 (y_i² g_ii is one of d_i's terms): the objective is flat in p_i, keep it.
      ...e.set(mask, e.or(e.gt(e.load(L.d), e.splat(0)), e.gt(e.load(L.a), e.splat(0)))),
      ...e.store(L.p, e.select(e.get(mask), e.get(q), e.load(L.p))),
    ];
  },
};

/** FPLinQ's options: the iterative teachers' ones, plus `mode` and `threshold`. */
export const fplinqShape = {
  ...iterativeShape,
  /** 'power': continuous powers. 'schedule': on/off decisions {0, p_max} (see `schedule`). */
  mode: z.enum(['power', 'schedule']).default('power'),
  /** Schedule mode: link i is on when its FP power p_i ≥ threshold · p_max. */
  threshold: z.number({ error: 'a number in (0, 1]' }).gt(0).max(1).default(0.5),
};
const fplinqSchema = z.object(fplinqShape);

export type FplinqOptions = IterativeOptions & z.input<typeof fplinqSchema>;
export type ResolvedFplinqOptions = z.output<typeof fplinqSchema>;
export type FplinqMode = ResolvedFplinqOptions['mode'];

export interface FplinqResult extends IterativeResult {
  readonly mode: FplinqMode;
  /** The continuous FP powers [B, K] (equal to `powers` in power mode). */
  readonly fpPowers: Float64Array;
}

/**
 * Scheduling from FP powers: link i is on (p_max) when p_i ≥ threshold · p_max, else off (0).
 * Why a threshold on the FP solution: weighted-sum-rate-optimal powers on interference channels are
 * close to binary (links either transmit near p_max or are nearly silent), so rounding at half power
 * (default 0.5) keeps the links FP activates and drops the ones it throttles. If no link of a sample
 * passes the threshold, the link with the largest FP power is turned on (ties: lowest index), since
 * one active link always beats silence. In place on `powers` [B, K].
 */
export function schedule(powers: Float64Array, batch: number, users: number, pmax: number, threshold: number): Float64Array {
  for (let b = 0; b < batch; b++) {
    const base = b * users;
    let any = false;
    let best = 0;
    let bestPower = -1;
    for (let i = 0; i < users; i++) {
      const p = powers[base + i];
      if (p > bestPower) {
        best = i;
        bestPower = p;
      }
      const on = p >= threshold * pmax;
      any ||= on;
      powers[base + i] = on ? pmax : 0;
    }
    if (!any) powers[base + best] = pmax;
  }
  return powers;
}

function run(problem: PowerProblem, opts: ResolvedFplinqOptions, extra: { trace?: boolean; sampleOffset?: number }): FplinqResult {
  const checked = checkProblem(problem, opts.init === 'given');
  const result = iterateKernel(fplinqKernel, checked, opts, extra);
  if (opts.mode === 'power') return { ...result, mode: 'power', fpPowers: result.powers };
  const powers = schedule(result.powers.slice(), checked.batch, checked.users, checked.pmax, opts.threshold);
  const objective = sumRates({ batch: checked.batch, users: checked.users, gains: checked.gains, weights: checked.weights }, powers, {
    noise: checked.noise,
  });
  return { ...result, mode: 'schedule', powers, objective, fpPowers: result.powers };
}

/** FPLinQ on one thread. In schedule mode `powers` are the on/off decisions and `objective` their rate. */
export function fplinq(problem: PowerProblem, options: FplinqOptions = {}): FplinqResult {
  return run(problem, parseOptions(fplinqSchema, options, 'fplinq'), options);
}

/** Chunk function for core's worker pool. */
export function fplinqChunk(task: ChunkTask<ResolvedFplinqOptions>): Float64Array {
  return run(task.problem, task.options, { sampleOffset: task.offset }).powers;
}

/** `fplinq(problem, options).powers` on `options.workers` threads (default 'auto'; identical results). */
export function solveFplinq(problem: PowerProblem, options: FplinqOptions = {}): Promise<Float64Array> {
  const opts = parseOptions(fplinqSchema, options, 'fplinq');
  return solveIterative({ problem, options: opts, sampleOffset: options.sampleOffset, module: import.meta.url, fn: 'fplinqChunk', local: fplinqChunk });
}

/** Starts `count` pooled workers with this module loaded (e.g. before timing); false if they cannot start. */
export function warmFplinqWorkers(count: number): Promise<boolean> {
  return warmWorkers(count, import.meta.url);
}
