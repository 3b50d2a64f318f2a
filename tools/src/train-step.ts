/**
 * One full training step of a registered model for the benchmark and the profiler: forward, sum-rate
 * loss, backward and an Adam update, through the trainer's own step (`shardGradients`, or
 * `GradientWorkers.gradients` with the batch split over `workers` threads), on Rayleigh channels.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { disposeInputs, streams, trainingProgress, type PluginSpec, type Registry } from '@rrm/core';
import { DatasetBatches, GradientWorkers, datasetInputs, resolveLoss, shardGradients } from '@rrm/trainers-unsup';

const BENCH_REPLICA = fileURLToPath(new URL('./bench-replica.ts', import.meta.url));

export interface TrainStep {
  step(): Promise<void>;
  dispose(): Promise<void>;
}

/** A step on a fixed batch of `batch` samples with `users` links (registry: channels, models, backends). */
export async function createTrainStep(registry: Registry, spec: PluginSpec, users: number, batch: number, workers = 1): Promise<TrainStep> {
  const model = registry.create('model', spec, 'model')({ users, pmax: 1, noise: 1, seed: 1 });
  const channels = registry.create('channel', { kind: 'rayleigh' }).generate({ batch, users, rng: streams(0).get('bench') });
  const train = { channels, noise: 1, pmax: 1 };
  const all = datasetInputs(train);
  model.fit?.(all);
  disposeInputs(all);
  const data = new DatasetBatches(train);
  const loss = resolveLoss('unsupervised');
  const indices = Int32Array.from({ length: batch }, (_, i) => i);
  const progress = trainingProgress(0, 1, 0, 1);
  const group =
    workers > 1
      ? await GradientWorkers.start({ count: workers - 1, replica: { module: BENCH_REPLICA, args: { spec, users } }, backend: tf.getBackend(), model, train, loss, unit: 'bits' })
      : undefined;
  const opt = tf.train.adam(1e-3);
  return {
    async step() {
      const r = group ? await group.gradients(model, data, loss, undefined, indices, progress, 'bits') : shardGradients(model, data, loss, undefined, indices, progress, 'bits');
      opt.applyGradients(model.trainable.map((v, i) => ({ name: v.name, tensor: r.grads[i] })));
      tf.dispose([...r.grads, r.task]);
    },
    async dispose() {
      await group?.close();
      opt.dispose();
      model.dispose();
    },
  };
}
