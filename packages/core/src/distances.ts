import * as tf from '@tensorflow/tfjs';

/**
 * Distances between two power allocations p, t [B, K] as scalar tensors, shared by the supervised loss and
 * the distillation term:
 * - `l2`: (1/B) Σ_b sqrt(Σ_i (p_bi − t_bi)² + ε). ε keeps the gradient finite when p = t exactly (the
 *   gradient of sqrt at 0 is infinite) and adds at most √ε to each sample's distance.
 * - `mse`: (1/(B·K)) Σ_b Σ_i (p_bi − t_bi)².
 * - `l1`: (1/B) Σ_b Σ_i |p_bi − t_bi| (subgradient at 0 as tfjs defines it for |x|).
 */
export type PowerDistanceKind = 'l2' | 'mse' | 'l1';
export const POWER_DISTANCES: readonly PowerDistanceKind[] = ['l2', 'mse', 'l1'];

export function powerDistance(kind: PowerDistanceKind, p: tf.Tensor2D, t: tf.Tensor2D, epsilon = 1e-12): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.sub(p, t);
    switch (kind) {
      case 'l2':
        return tf.mean(tf.sqrt(tf.add(tf.sum(tf.square(d), 1), epsilon))) as tf.Scalar;
      case 'mse':
        return tf.mean(tf.square(d)) as tf.Scalar;
      case 'l1':
        return tf.mean(tf.sum(tf.abs(d), 1)) as tf.Scalar;
    }
  });
}
