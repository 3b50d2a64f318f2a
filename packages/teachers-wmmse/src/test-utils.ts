import { makeChannelBatch, streams, type ChannelBatch, type PowerProblem } from '@rrm/core';
import { generateRayleigh } from '@rrm/channels';

/**
 * Test helpers (not part of the public API): channel batches and a naive scalar WMMSE written
 * straight from the equations of Shi et al. 2011, as an oracle independent of the SIMD kernel.
 */

/** Gaussian interference channel (h ~ CN(0,1), |h|² ~ Exponential(1)), from the channels package. */
export function gaussianIC(batch: number, users: number, seed: number, weights?: Float64Array): ChannelBatch {
  return { ...generateRayleigh({ batch, users, rng: streams(seed).get('gains') }), weights };
}

/** Gains spanning many orders of magnitude (path-loss-like): 10^U(lo, hi). */
export function wideIC(batch: number, users: number, seed: number, lo = -6, hi = 2): ChannelBatch {
  const rng = streams(seed).get('wide');
  const g = new Float64Array(batch * users * users);
  for (let n = 0; n < g.length; n++) g[n] = 10 ** rng.uniformIn(lo, hi);
  return makeChannelBatch(g, [batch, users, users]);
}

export function uniformWeights(batch: number, users: number, seed: number): Float64Array {
  return streams(seed).get('weights').fillUniform(new Float64Array(batch * users)) as Float64Array;
}

export function problemOf(channels: ChannelBatch, extra: Partial<PowerProblem> = {}): PowerProblem {
  return { channels, noise: 1, pmax: 1, ...extra };
}

/** Naive WMMSE (one sample at a time, Sun et al.'s update order), powers [B, K]. */
export function naiveWmmse(problem: PowerProblem, iterations: number, start?: Float64Array): Float64Array {
  const { channels, noise, pmax } = problem;
  const { batch: B, users: K, gains } = channels;
  const lam = channels.weights ?? new Float64Array(B * K).fill(1);
  const out = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    const g = (i: number, j: number) => gains[(b * K + i) * K + j];
    const v = Array.from({ length: K }, (_, i) => Math.sqrt(start ? start[b * K + i] : pmax));
    const u = new Array<number>(K).fill(0);
    const w = new Array<number>(K).fill(0);
    const receivers = () => {
      for (let i = 0; i < K; i++) {
        let total = noise;
        for (let j = 0; j < K; j++) total += g(i, j) * v[j] * v[j];
        u[i] = (Math.sqrt(g(i, i)) * v[i]) / total;
        w[i] = 1 / (1 - u[i] * Math.sqrt(g(i, i)) * v[i]);
      }
    };
    receivers();
    for (let t = 0; t < iterations; t++) {
      for (let i = 0; i < K; i++) {
        let den = 0;
        for (let j = 0; j < K; j++) den += lam[b * K + j] * w[j] * u[j] * u[j] * g(j, i);
        const num = lam[b * K + i] * w[i] * u[i] * Math.sqrt(g(i, i));
        if (den > 0 || num > 0) v[i] = Math.min(Math.max(num / den, 0), Math.sqrt(pmax));
      }
      receivers();
    }
    for (let i = 0; i < K; i++) out[b * K + i] = v[i] * v[i];
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
