import * as tf from '@tensorflow/tfjs';
import type { ModelInputs } from '@rrm/core';

/**
 * Input transform shared by the learned GNNs. Models take raw power gains g (ModelInputs, rx-tx) and see
 * them as the received SNR at full power, s = g·p_max/σ² (dimensionless, so one trained model serves any
 * noise level and power budget with the same SNR statistics), compressed by a logarithm:
 *
 *   'log'      f(g) = ln(1 + s)                       1 feature  (GNN, WCGCN)
 *   'log-sat'  f(g) = (ln(1 + s), s / (1 + s))        2 features (UWGNN; stands in for the paper's 2-D
 *                                                                 complex channel (Re h, Im h))
 *
 * Both give 0 for g = 0 and are finite for every g ≥ 0, so absent links (gain 0) are harmless even before
 * the mask removes them. With σ² = 0 the scale falls back to p_max.
 */
export type GainTransform = 'log' | 'log-sat';

export function transformWidth(t: GainTransform): number {
  return t === 'log' ? 1 : 2;
}

export function snrScale(inputs: Pick<ModelInputs, 'noise' | 'pmax'>): number {
  return inputs.noise > 0 ? inputs.pmax / inputs.noise : inputs.pmax;
}

/**
 * Stacks same-shape tensors along a new last axis. (A concat on the last axis of a [B, K, K, 1] tensor is
 * ~10× slower on wasm than stacking on a new first axis and moving it last with a transpose.)
 */
export function stackLast(ts: readonly tf.Tensor[]): tf.Tensor {
  if (ts.length === 1) return tf.expandDims(ts[0], -1);
  const r = ts[0].rank;
  const perm = [...Array.from({ length: r }, (_, i) => i + 1), 0];
  return tf.transpose(tf.stack(ts as tf.Tensor[], 0), perm);
}

/** The transform's channels of gains g [...], unstacked. */
function channels(g: tf.Tensor, scale: number, t: GainTransform): tf.Tensor[] {
  const s = tf.mul(g, scale);
  const log = tf.log1p(s);
  return t === 'log' ? [log] : [log, tf.div(s, tf.add(s, 1))];
}

/** Features of gains g [...] as [..., F] (F = transformWidth(t)). */
export function gainFeatures<T extends tf.Tensor>(g: tf.Tensor, scale: number, t: GainTransform): T {
  return stackLast(channels(g, scale, t)) as T;
}

/** Which interference an edge j → i carries, seen from receiver i. */
export type EdgeFeatures = 'incoming' | 'outgoing' | 'both';
export const EDGE_FEATURES: readonly EdgeFeatures[] = ['incoming', 'outgoing', 'both'];

/**
 * Edge features e_ij [B, K, K, F·(1 or 2)] for the edge j → i:
 *   incoming  f(g_ij): what transmitter j does to receiver i (interference i suffers),
 *   outgoing  f(g_ji): what transmitter i does to receiver j (interference i causes at j),
 *   both      [f(g_ij), f(g_ji)] (WCGCN's choice).
 */
export function edgeFeatures(inputs: ModelInputs, mode: EdgeFeatures, t: GainTransform): tf.Tensor4D {
  return stackLast(edgeChannels(inputs, mode, t)) as tf.Tensor4D;
}

/** The same features as channels, each [B, K, K] (for `EdgeInput`). */
export function edgeChannels(inputs: ModelInputs, mode: EdgeFeatures, t: GainTransform): tf.Tensor3D[] {
  const scale = snrScale(inputs);
  const incoming = (): tf.Tensor[] => channels(inputs.gains, scale, t);
  const outgoing = (): tf.Tensor[] => channels(tf.transpose(inputs.gains, [0, 2, 1]), scale, t);
  const parts = mode === 'incoming' ? incoming() : mode === 'outgoing' ? outgoing() : [...incoming(), ...outgoing()];
  return parts as tf.Tensor3D[];
}

/** Direct-link features f(g_ii), [B, K, F]. */
export function directFeatures(inputs: ModelInputs, t: GainTransform): tf.Tensor3D {
  return gainFeatures(inputs.direct, snrScale(inputs), t);
}

/** Link weights λ_i as a node feature, [B, K, 1]. */
export function weightFeature(inputs: ModelInputs): tf.Tensor3D {
  return tf.expandDims(inputs.weights, 2) as tf.Tensor3D;
}
