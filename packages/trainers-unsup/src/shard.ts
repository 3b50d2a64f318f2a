import * as tf from '@tensorflow/tfjs';
import { disposeInputs, type PowerModel, type RateUnit } from '@rrm/core';
import type { DatasetBatches } from './dataset';
import { taskLoss, type LossTerm, type ResolvedLoss, type TrainingProgress } from './loss';

/** The gradient of one shard of a mini-batch, as the main thread and every gradient worker compute it. */
export interface ShardGradients {
  /** Gradients of the shard's mean loss, in `model.trainable` order. */
  readonly grads: tf.Tensor[];
  /** Mean task loss over the shard. */
  readonly task: tf.Scalar;
  /** Mean unweighted extra term over the shard (undefined without one). */
  readonly extra?: tf.Scalar;
  readonly coefficient: number;
}

/**
 * Gradients of task + coefficient · extra, averaged over the rows `indices` of the training data.
 * The data are gathered on the host, outside the gradient closure (we never differentiate through the
 * data); the labels only for the supervised loss. Every loss here is a mean over samples, so the gradient of a batch is
 * the size-weighted mean of its shards' gradients: that is what makes data-parallel steps exact.
 */
export function shardGradients(
  model: PowerModel,
  data: DatasetBatches,
  loss: ResolvedLoss,
  extraLoss: LossTerm | undefined,
  indices: Int32Array,
  progress: TrainingProgress,
  unit: RateUnit,
): ShardGradients {
  const batch = data.inputs(indices);
  const batchLabels = loss.kind === 'supervised' ? data.labels(indices) : undefined;
  let task: tf.Scalar | undefined;
  let extra: tf.Scalar | undefined;
  let coefficient = 0;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const powers = model.apply(batch);
      const t = taskLoss(loss, batch, powers, batchLabels, unit);
      task = tf.keep(t);
      if (!extraLoss) return t;
      const term = extraLoss.value({ powers, indices, progress });
      coefficient = term.coefficient;
      extra = tf.keep(term.loss);
      return tf.add(t, tf.mul(term.loss, coefficient)) as tf.Scalar;
    }, model.trainable);
    if (value !== task) tf.dispose(value); // without an extra term the value is the task loss itself
    return { grads: model.trainable.map((v) => grads[v.name]), task: task!, extra, coefficient };
  } catch (err) {
    tf.dispose([task, extra].filter((t): t is tf.Scalar => t !== undefined));
    throw err;
  } finally {
    disposeInputs(batch);
    batchLabels?.dispose();
  }
}

/** Splits `indices` into `parts` contiguous shards whose sizes differ by at most one (empty ones dropped). */
export function splitShards(indices: Int32Array, parts: number): Int32Array[] {
  const out: Int32Array[] = [];
  const n = indices.length;
  let start = 0;
  for (let s = 0; s < parts; s++) {
    const end = start + Math.floor(n / parts) + (s < n % parts ? 1 : 0);
    if (end > start) out.push(indices.subarray(start, end));
    start = end;
  }
  return out;
}
