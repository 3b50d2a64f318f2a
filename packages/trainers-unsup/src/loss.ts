import * as tf from '@tensorflow/tfjs';
import { ValidationError, requireOneOf, sumRateLoss, type ModelInputs, type RateUnit, type PowerDistanceKind, POWER_DISTANCES, powerDistance } from '@rrm/core';

export { trainingProgress, type TrainingProgress } from '@rrm/core';

/** Extra loss terms (the AD term of @rrm/distill): the trainer minimises task + Σ coefficient · loss. */
export type { LossTerm, LossTermContext, LossTermValue } from '@rrm/core';

export type SupervisedDistance = PowerDistanceKind;
export const SUPERVISED_DISTANCES: readonly SupervisedDistance[] = POWER_DISTANCES;

/** The task loss: `unsupervised` (−mean weighted sum rate) or `supervised` (distance to teacher labels). */
export type LossSpec = { readonly kind: 'unsupervised' } | { readonly kind: 'supervised'; readonly distance?: SupervisedDistance };
export type LossKind = LossSpec['kind'];
export const LOSS_KINDS: readonly LossKind[] = ['unsupervised', 'supervised'];

export type ResolvedLoss = { readonly kind: 'unsupervised' } | { readonly kind: 'supervised'; readonly distance: SupervisedDistance };

export function resolveLoss(spec: LossKind | LossSpec | undefined, field = 'loss'): ResolvedLoss {
  const s = typeof spec === 'string' || spec === undefined ? { kind: spec ?? 'unsupervised' } : spec;
  if (typeof s !== 'object' || s === null) throw new ValidationError(field, `'unsupervised', 'supervised' or { kind, ... }`, s);
  const kind = requireOneOf(`${field}.kind`, s.kind, LOSS_KINDS);
  if (kind === 'unsupervised') return { kind };
  const distance = requireOneOf(`${field}.distance`, (s as { distance?: unknown }).distance ?? 'mse', SUPERVISED_DISTANCES);
  return { kind, distance };
}

/**
 * ℓ_unsup = −(1/B) Σ_b Σ_i λ_i log(1 + SINR_i(p_b))   (both papers' unsupervised objective; core objective-tensor).
 * Core `sumRateLoss`: one kernel forward and one backward on wasm, the tensor ops elsewhere; differentiable
 * with respect to the powers (the channel batch is data).
 */
export function unsupervisedLoss(inputs: ModelInputs, powers: tf.Tensor2D, unit: RateUnit = 'bits'): tf.Scalar {
  return sumRateLoss(inputs.gains, inputs.direct, powers, inputs.noise, inputs.weights, unit);
}

/**
 * Distance between powers and teacher labels, both [B, K]:
 * - `mse`: (1/(B·K)) Σ (p − p_t)²                         (default; the supervised baseline)
 * - `l1`:  (1/B) Σ_b ‖p_b − p_t,b‖₁
 * - `l2`:  (1/B) Σ_b sqrt(‖p_b − p_t,b‖² + ε), ε = 1e-12 keeps the gradient finite at p = p_t.
 */
export function supervisedLoss(powers: tf.Tensor2D, labels: tf.Tensor2D, distance: SupervisedDistance = 'mse'): tf.Scalar {
  return powerDistance(distance, powers, labels);
}

/** The task loss of a batch; `labels` ([B, K]) are required for `supervised`. */
export function taskLoss(loss: ResolvedLoss, inputs: ModelInputs, powers: tf.Tensor2D, labels?: tf.Tensor2D, unit: RateUnit = 'bits'): tf.Scalar {
  if (loss.kind === 'unsupervised') return unsupervisedLoss(inputs, powers, unit);
  if (!labels) throw new Error('supervised loss: the batch has no teacher labels');
  return supervisedLoss(powers, labels, loss.distance);
}
