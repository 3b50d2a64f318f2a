import { ValidationError, checkProblem, chooseWorkers, runParallel, streams, type ChunkTask, type PowerProblem, type WorkersOption } from '@rrm/core';

/**
 * Baseline teachers: full power, uniform random power, and the exhaustive best on/off allocation.
 * Binary power control is optimal for two links (Gjendemsjø, Gesbert, Øien, Kiani, "Binary power
 * control for sum rate maximization over multiple interfering links", IEEE TWC 2008) and a strong
 * heuristic beyond; WMMSE powers are nearly binary on Rayleigh channels.
 */

/** Every link at p_max: [B, K]. */
export function fullPower(problem: PowerProblem): Float64Array {
  const { batch, users, pmax } = checkProblem(problem);
  return new Float64Array(batch * users).fill(pmax);
}

/** p_i ~ U(0, p_max), i.i.d., from the core stream `random-power` of `seed`, in sample-major order: [B, K]. */
export function randomPower(problem: PowerProblem, seed = 0): Float64Array {
  const { batch, users, pmax } = checkProblem(problem);
  const rng = streams(seed).get('random-power');
  const out = new Float64Array(batch * users);
  for (let n = 0; n < out.length; n++) out[n] = pmax * rng.uniform();
  return out;
}

/** Above this, 2^K patterns per sample are too many. */
export const MAX_BINARY_USERS = 20;

export interface BinaryResult {
  /** Powers [B, K], each 0 or p_max. */
  readonly powers: Float64Array;
  /** The best weighted sum rate per sample [B] (bit/s/Hz). */
  readonly objective: Float64Array;
}

/**
 * The best of the 2^K on/off allocations p ∈ {0, p_max}^K per sample, by exhaustive search in
 * Gray-code order: consecutive patterns differ in one link k, so the interference-plus-noise of every
 * receiver is updated in O(K) (I_i ± p_max g_ik) instead of recomputed in O(K²). With equal weights
 * the rates of a pattern are combined as one log of a product (one log per pattern instead of K).
 * Ties keep the first pattern in Gray order (all-off first). Single thread.
 */
export function binaryPower(problem: PowerProblem): BinaryResult {
  const { batch: B, users: K, gains, weights, noise, pmax } = checkProblem(problem);
  if (K > MAX_BINARY_USERS) {
    throw new ValidationError('problem.channels.users', `at most ${MAX_BINARY_USERS} links for the exhaustive binary teacher (2^K patterns per sample)`, K);
  }
  const powers = new Float64Array(B * K);
  const objective = new Float64Array(B);
  const I = new Float64Array(K); // σ² + Σ_{j on, j≠i} g_ij p_max
  const S = new Float64Array(K); // g_ii p_max
  const on = new Float64Array(K); // 1 if link i transmits
  const lam = new Float64Array(K);
  const patterns = 2 ** K;
  for (let b = 0; b < B; b++) {
    const base = b * K * K;
    let uniform = true;
    for (let i = 0; i < K; i++) {
      I[i] = noise;
      on[i] = 0;
      S[i] = gains[base + i * K + i] * pmax;
      lam[i] = weights[b * K + i];
      if (lam[i] !== lam[0]) uniform = false;
    }
    let best = 0; // all off: rate 0
    let bestMask = 0;
    for (let n = 1; n < patterns; n++) {
      const k = 31 - Math.clz32(n & -n); // the bit that changes from Gray(n−1) to Gray(n)
      const delta = on[k] === 0 ? pmax : -pmax;
      on[k] = on[k] === 0 ? 1 : 0;
      for (let i = 0; i < K; i++) if (i !== k) I[i] += delta * gains[base + i * K + k];
      let value: number;
      if (uniform) {
        let prod = 1;
        for (let i = 0; i < K; i++) prod *= 1 + (on[i] * S[i]) / I[i];
        value = Number.isFinite(prod) ? lam[0] * Math.log(prod) : logSum(K, on, S, I, lam);
      } else {
        value = logSum(K, on, S, I, lam);
      }
      if (value > best) {
        best = value;
        bestMask = n ^ (n >>> 1);
      }
    }
    for (let i = 0; i < K; i++) powers[b * K + i] = (bestMask >>> i) & 1 ? pmax : 0;
    objective[b] = exactRate(gains, base, K, powers, b * K, lam, noise);
  }
  return { powers, objective };
}

function logSum(K: number, on: Float64Array, S: Float64Array, I: Float64Array, lam: Float64Array): number {
  let acc = 0;
  for (let i = 0; i < K; i++) if (on[i] !== 0) acc += lam[i] * Math.log1p(S[i] / I[i]);
  return acc;
}

/** Σ λ_i log2(1 + SINR_i) of one sample, recomputed directly (no accumulated updates). */
function exactRate(gains: Float64Array, base: number, K: number, p: Float64Array, off: number, lam: Float64Array, noise: number): number {
  let acc = 0;
  for (let i = 0; i < K; i++) {
    let interference = noise;
    for (let j = 0; j < K; j++) if (j !== i) interference += gains[base + i * K + j] * p[off + j];
    acc += lam[i] * Math.log2(1 + (gains[base + i * K + i] * p[off + i]) / interference);
  }
  return acc;
}

/** Chunk function for core's worker pool. */
export function binaryChunk(task: ChunkTask<Record<string, never>>): Float64Array {
  return binaryPower(task.problem).powers;
}

/** `binaryPower(problem).powers`, on several threads for large searches. */
export async function solveBinary(problem: PowerProblem, options: { workers?: WorkersOption } = {}): Promise<Float64Array> {
  const { batch, users } = checkProblem(problem);
  if (users > MAX_BINARY_USERS) binaryPower(problem); // throws the ValidationError
  return runParallel({
    problem,
    options: {},
    threads: chooseWorkers(options.workers ?? 'auto', batch * 2 ** users * users, batch),
    module: import.meta.url,
    fn: 'binaryChunk',
    local: binaryChunk,
  });
}
