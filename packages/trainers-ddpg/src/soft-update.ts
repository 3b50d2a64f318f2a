import * as tf from '@tensorflow/tfjs';

/**
 * Target networks (Lillicrap et al. 2016, §3): θ' ← τ θ + (1 − τ) θ', with τ ≪ 1, so the TD targets
 * r + γ Q'(s', μ'(s')) change slowly. τ = 1 is a hard copy.
 */
export function softUpdate(target: readonly tf.Variable[], source: readonly tf.Variable[], tau: number): void {
  if (target.length !== source.length) throw new Error(`soft update: ${target.length} target variables for ${source.length} source variables`);
  if (!(tau >= 0 && tau <= 1)) throw new RangeError(`soft update: tau must be in [0, 1], got ${tau}`);
  tf.tidy(() => {
    target.forEach((t, i) => {
      const s = source[i];
      if (t.shape.length !== s.shape.length || t.shape.some((d, n) => d !== s.shape[n])) {
        throw new Error(`soft update: variable ${i} has shape [${t.shape}] in the target, [${s.shape}] in the source`);
      }
      t.assign(tau === 1 ? s : tf.add(tf.mul(s, tau), tf.mul(t, 1 - tau)));
    });
  });
}

/** θ' ← θ. */
export function hardUpdate(target: readonly tf.Variable[], source: readonly tf.Variable[]): void {
  softUpdate(target, source, 1);
}

/** Copies every named weight of `source` into a network of the same architecture (actor targets). */
export function copyNamedWeights(target: { loadWeights(w: Record<string, tf.Tensor>): void }, source: { namedWeights(): { name: string; tensor: tf.Tensor }[] }): void {
  const weights: Record<string, tf.Tensor> = {};
  for (const { name, tensor } of source.namedWeights()) weights[name] = tensor;
  target.loadWeights(weights);
}
