import * as tf from '@tensorflow/tfjs';
import { Rng, type ModelInputs } from '@rrm/core';

/** Plain arrays behind a small test batch (gains row-major [B, K, K], rx-tx). */
export interface RawBatch {
  readonly batch: number;
  readonly users: number;
  readonly gains: Float64Array;
  readonly mask: Float64Array;
  readonly weights: Float64Array;
}

/**
 * A random batch: Rayleigh-like power gains (exponential, mean 1; direct links mean `directMean`),
 * weights in [0.5, 1.5], and each interference edge kept with probability `density` (dropped edges have
 * gain 0 and mask 0, as ModelInputs requires).
 */
export function randomBatch(batch: number, users: number, seed: number, opts: { density?: number; directMean?: number } = {}): RawBatch {
  const rng = new Rng(seed);
  const density = opts.density ?? 1;
  const gains = new Float64Array(batch * users * users);
  const mask = new Float64Array(batch * users * users);
  const weights = new Float64Array(batch * users);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < users; i++) {
      weights[b * users + i] = 0.5 + rng.uniform();
      for (let j = 0; j < users; j++) {
        const g = -Math.log(1 - rng.uniform());
        const idx = (b * users + i) * users + j;
        if (i === j) gains[idx] = g * (opts.directMean ?? 1);
        else if (rng.uniform() < density) {
          gains[idx] = g;
          mask[idx] = 1;
        }
      }
    }
  }
  return { batch, users, gains, mask, weights };
}

export function toInputs(raw: RawBatch, noise = 1, pmax = 1): ModelInputs {
  const { batch: b, users: k } = raw;
  const direct = new Float32Array(b * k);
  for (let s = 0; s < b; s++) for (let i = 0; i < k; i++) direct[s * k + i] = raw.gains[(s * k + i) * k + i];
  return {
    gains: tf.tensor3d(Float32Array.from(raw.gains), [b, k, k]),
    direct: tf.tensor2d(direct, [b, k]),
    weights: tf.tensor2d(Float32Array.from(raw.weights), [b, k]),
    mask: tf.tensor3d(Float32Array.from(raw.mask), [b, k, k]),
    noise,
    pmax,
  };
}

/** Relabels users: user i of the result is user perm[i] of `raw` (gains[P, P], mask[P, P], weights[P]). */
export function permuteBatch(raw: RawBatch, perm: readonly number[]): RawBatch {
  const { batch: b, users: k } = raw;
  const gains = new Float64Array(raw.gains.length);
  const mask = new Float64Array(raw.mask.length);
  const weights = new Float64Array(raw.weights.length);
  for (let s = 0; s < b; s++) {
    for (let i = 0; i < k; i++) {
      weights[s * k + i] = raw.weights[s * k + perm[i]];
      for (let j = 0; j < k; j++) {
        gains[(s * k + i) * k + j] = raw.gains[(s * k + perm[i]) * k + perm[j]];
        mask[(s * k + i) * k + j] = raw.mask[(s * k + perm[i]) * k + perm[j]];
      }
    }
  }
  return { batch: b, users: k, gains, mask, weights };
}

export function disposeInputs(inputs: ModelInputs): void {
  tf.dispose([inputs.gains, inputs.direct, inputs.weights, inputs.mask]);
}

/** Largest |a − b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
