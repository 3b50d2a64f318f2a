import * as tf from '@tensorflow/tfjs';
import type { RateUnit } from './objective';

/**
 * The differentiable form of objective.ts for training (same equations, float32 tensors):
 *   SINR_i = g_ii p_i / (Σ_j g_ij p_j − g_ii p_i + σ²),   R_b = Σ_i λ_i log(1 + SINR_i).
 * `gains` is [B, K, K] (rx-tx), `direct` its diagonal [B, K] (passed in so no gather is needed on wasm),
 * `powers` and `weights` are [B, K]. Returns the per-sample weighted sum rate [B].
 */
export function sumRateTensor(
  gains: tf.Tensor3D,
  direct: tf.Tensor2D,
  powers: tf.Tensor2D,
  noise: number,
  weights?: tf.Tensor2D,
  unit: RateUnit = 'bits',
): tf.Tensor1D {
  return tf.tidy(() => {
    const [b, k] = powers.shape;
    // Σ_{j≠i} g_ij p_j as a batched matMul with the diagonal zeroed. Subtracting g_ii p_i from the full sum
    // instead loses the interference to float32 rounding when direct gains dwarf it (D2D: g_ii ~ 1e11).
    const offDiagonal = tf.mul(gains, tf.sub(1, tf.eye(k)).reshape([1, k, k]));
    const interference = tf.add(tf.matMul(offDiagonal, powers.reshape([b, k, 1])).reshape([b, k]), noise);
    const signal = tf.mul(direct, powers);
    let rate = tf.log1p(tf.div(signal, interference));
    if (unit === 'bits') rate = tf.div(rate, Math.LN2);
    if (weights) rate = tf.mul(rate, weights);
    return tf.sum(rate, 1) as tf.Tensor1D;
  });
}

/** Tensors for a batch held as typed arrays: gains [B,K,K], direct [B,K], weights [B,K]. */
export function channelTensors(
  gains: Float64Array | Float32Array,
  batch: number,
  users: number,
  weights?: Float64Array,
): { gains: tf.Tensor3D; direct: tf.Tensor2D; weights?: tf.Tensor2D } {
  const direct = new Float32Array(batch * users);
  for (let b = 0; b < batch; b++) for (let i = 0; i < users; i++) direct[b * users + i] = gains[(b * users + i) * users + i];
  return {
    gains: tf.tensor3d(Float32Array.from(gains), [batch, users, users]),
    direct: tf.tensor2d(direct, [batch, users]),
    weights: weights ? tf.tensor2d(Float32Array.from(weights), [batch, users]) : undefined,
  };
}
