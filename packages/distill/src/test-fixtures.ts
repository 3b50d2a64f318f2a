/** Test helpers (not exported): Rayleigh channels and a small local WMMSE teacher. */
import { Rng, type ChannelBatch, type PowerProblem, type Teacher } from '@rrm/core';

/** Exponential(1) power gains: g = −log(1 − u). */
export function rayleigh(batch: number, users: number, seed: number): ChannelBatch {
  const rng = new Rng(seed);
  const gains = new Float64Array(batch * users * users);
  for (let n = 0; n < gains.length; n++) gains[n] = -Math.log(1 - rng.uniform());
  return { batch, users, gains };
}

/** WMMSE for scalar channels from full power (Shi et al. 2011; Sun et al. 2018, Alg. 1), unit weights. */
export function wmmse(ch: ChannelBatch, noise: number, pmax: number, iterations = 100): Float64Array {
  const { batch, users: k, gains } = ch;
  const out = new Float64Array(batch * k);
  const v = new Float64Array(k);
  const u = new Float64Array(k);
  const w = new Float64Array(k);
  const vmax = Math.sqrt(pmax);
  for (let b = 0; b < batch; b++) {
    const g = (i: number, j: number) => gains[(b * k + i) * k + j];
    v.fill(vmax);
    for (let it = 0; it < iterations; it++) {
      for (let i = 0; i < k; i++) {
        let den = noise;
        for (let j = 0; j < k; j++) den += g(i, j) * v[j] * v[j];
        u[i] = (Math.sqrt(g(i, i)) * v[i]) / den;
        w[i] = 1 / (1 - u[i] * Math.sqrt(g(i, i)) * v[i]);
      }
      for (let i = 0; i < k; i++) {
        let den = 0;
        for (let j = 0; j < k; j++) den += w[j] * u[j] * u[j] * g(j, i);
        v[i] = Math.min(vmax, Math.max(0, (w[i] * u[i] * Math.sqrt(g(i, i))) / den));
      }
    }
    for (let i = 0; i < k; i++) out[b * k + i] = v[i] * v[i];
  }
  return out;
}

/** A local WMMSE teacher that counts its calls (for cache tests). */
export function countingWmmse(iterations = 20): Teacher & { calls: number } {
  const t = {
    kind: 'test-wmmse',
    options: { iterations, init: 'full' },
    calls: 0,
    async solve(problem: PowerProblem) {
      t.calls++;
      return wmmse(problem.channels, problem.noise, problem.pmax, iterations);
    },
  };
  return t;
}
