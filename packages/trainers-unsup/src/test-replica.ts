/**
 * Test helper (not exported): a replica factory for data-parallel tests. It builds the MLP of
 * `testModel` and, with labels, an extra loss term (mean squared distance to the labels, coefficient
 * rising with training progress) — the same objects on the main thread and in every gradient worker.
 */
import * as tf from '@tensorflow/tfjs';
import { createMlp } from '@rrm/models-mlp';
import type { LossTerm } from './loss';
import type { Replica } from './data-parallel';

export interface TestReplicaArgs {
  readonly users: number;
  readonly seed: number;
  readonly hidden: number[];
  readonly labels?: Float64Array;
}

export function testModel(args: TestReplicaArgs) {
  return createMlp({ hidden: args.hidden }, { users: args.users, pmax: 1, noise: 1, seed: args.seed });
}

export function testExtraLoss(labels: Float64Array, users: number): LossTerm {
  const all = tf.tensor2d(Float32Array.from(labels), [labels.length / users, users]);
  return {
    name: 'test-distance',
    value: ({ powers, indices, progress }) => ({
      loss: tf.tidy(() => tf.mean(tf.square(tf.sub(powers, tf.gather(all, tf.tensor1d(indices, 'int32'))))) as tf.Scalar),
      coefficient: 0.5 + progress.fraction,
    }),
  };
}

export function createReplica(args: TestReplicaArgs): Replica {
  return { model: testModel(args), extraLoss: args.labels ? testExtraLoss(args.labels, args.users) : undefined };
}

/** A factory that builds a model of another shape (to test the trainer's check). */
export function createWrongReplica(args: TestReplicaArgs): Replica {
  return { model: testModel({ ...args, hidden: [...args.hidden, 3] }) };
}
