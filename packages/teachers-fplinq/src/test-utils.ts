import { makeChannelBatch, streams, type ChannelBatch, type PowerProblem } from '@rrm/core';
import { generateRayleigh } from '@rrm/channels';

/** Test helpers (not part of the public API). */

/** Gaussian interference channel (h ~ CN(0,1), |h|² ~ Exponential(1)), from the channels package. */
export function gaussianIC(batch: number, users: number, seed: number, weights?: Float64Array): ChannelBatch {
  return { ...generateRayleigh({ batch, users, rng: streams(seed).get('gains') }), weights };
}

/** Gains spanning many orders of magnitude: 10^U(lo, hi). */
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

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}
