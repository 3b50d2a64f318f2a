import * as tf from '@tensorflow/tfjs';
import { ValidationError, requireInteger, type PluginSpec, type Registry } from '@rrm/core';
import type { BetaSchedule } from './beta-schedules';
import type { Distance } from './distances';
import type { TrainingProgress } from './progress';

/**
 * The algorithm-distillation term β(t)·D(p, p_teacher) as a loss term any trainer can add to its task
 * loss (ARCHITECTURE.md: minimise −R(p) + β‖p − p_teacher‖; the papers' eq. (10)/(11) print the sign
 * for gradient ascent). Structurally the `LossTerm` of @rrm/trainers-unsup:
 *   value({ powers, indices, progress }) → { loss: D(powers, labels[indices]), coefficient: β(progress) }
 * and the trainer adds coefficient · loss.
 *
 * Teacher labels are plain data: the batch's rows are copied from the typed array into a fresh
 * constant tensor (no tf.gather, no variable), so no gradient can reach them (tfjs has no stopGradient).
 */
export interface DistillLossContext {
  readonly powers: tf.Tensor2D;
  readonly indices: Int32Array;
  readonly progress: TrainingProgress;
}

export interface DistillLossTerm {
  readonly name: string;
  readonly schedule: BetaSchedule;
  readonly distance: Distance;
  value(ctx: DistillLossContext): { loss: tf.Scalar; coefficient: number };
}

export interface DistillationTermOptions {
  readonly schedule: BetaSchedule;
  readonly distance: Distance;
  /** Teacher powers [N, K] for the training set, row n = training sample n. */
  readonly labels: Float64Array | Float32Array;
  readonly users: number;
  /** Default 'distill'. */
  readonly name?: string;
}

/** The batch's teacher powers [B, K] as a constant float32 tensor (rows `indices` of `labels`). */
export function labelBatch(labels: ArrayLike<number>, users: number, indices: Int32Array): tf.Tensor2D {
  const rows = labels.length / users;
  const out = new Float32Array(indices.length * users);
  for (let b = 0; b < indices.length; b++) {
    const n = indices[b];
    if (!(n >= 0 && n < rows)) throw new RangeError(`distillation labels: sample index ${n} outside [0, ${rows})`);
    const src = n * users;
    for (let i = 0; i < users; i++) out[b * users + i] = labels[src + i];
  }
  return tf.tensor2d(out, [indices.length, users]);
}

export function distillationTerm(opts: DistillationTermOptions): DistillLossTerm {
  const users = requireInteger('distill.users', opts.users, 1);
  const { labels, schedule, distance } = opts;
  if (labels.length === 0 || labels.length % users !== 0) {
    throw new ValidationError('distill.labels', `teacher powers [N, K] with K = ${users} (a multiple of ${users} values)`, labels);
  }
  return {
    name: opts.name ?? 'distill',
    schedule,
    distance,
    value({ powers, indices, progress }) {
      if (powers.shape[1] !== users) {
        throw new ValidationError('distill.labels', `teacher powers for K = ${powers.shape[1]} users`, `labels for K = ${users}`);
      }
      const coefficient = schedule.value(progress);
      const loss = tf.tidy(() => distance.compute(powers, labelBatch(labels, users, indices)));
      return { loss, coefficient };
    },
  };
}

/** A config's AD section: `{ beta: { kind: 'decreasing', ... }, distance: 'l2' }` (strings name a kind). */
export interface DistillConfig {
  readonly beta?: PluginSpec | string;
  readonly distance?: PluginSpec | string;
}

/**
 * Resolves the schedule and distance through the registry (so plugin schedules work) and builds the
 * term. Defaults: β decreasing from 1 to 0 over the epochs, D = l2. Errors name `field.beta.*`,
 * `field.distance.*`.
 */
export function distillationTermFromConfig(
  registry: Registry,
  config: DistillConfig,
  labels: Float64Array | Float32Array,
  users: number,
  field = 'distill',
): DistillLossTerm {
  const schedule = registry.create('beta-schedule', config.beta ?? 'decreasing', `${field}.beta`);
  const dist = registry.create('distance', config.distance ?? 'l2', `${field}.distance`);
  return distillationTerm({ schedule, distance: dist, labels, users });
}
