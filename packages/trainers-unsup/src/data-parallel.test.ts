import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { splitShards } from './shard';
import { dataset, wmmse } from './test-fixtures';
import { createReplica, testModel, type TestReplicaArgs } from './test-replica';
import { trainDataset, type TrainOptions } from './trainer';

const module = fileURLToPath(new URL('./test-replica.ts', import.meta.url));

function weightsOf(model: { namedWeights(): { name: string; tensor: tf.Tensor }[] }): Float32Array {
  const parts = model.namedWeights().map((w) => w.tensor.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Trains the test MLP with the given number of workers; returns its weights and the records. */
async function run(workers: number, extra: Partial<TrainOptions> = {}, withLabels = false) {
  const users = 4;
  const train = dataset(90, users, 11);
  const labels = withLabels ? wmmse(train.channels, 1, 1) : undefined;
  const args: TestReplicaArgs = { users, seed: 3, hidden: [16], labels };
  const { model, extraLoss } = createReplica(args);
  try {
    const result = await trainDataset({
      model,
      train: { ...train, labels },
      test: dataset(40, users, 12),
      epochs: 3,
      batchSize: 32, // 90 = 32 + 32 + 26: uneven last batch, uneven shards
      optimizer: { kind: 'adam', learningRate: 1e-2 },
      extraLoss,
      workers,
      replica: { module, args },
      ...extra,
    });
    return { weights: weightsOf(model), result };
  } finally {
    model.dispose();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('splitShards', () => {
  it('splits into contiguous shards whose sizes differ by at most one, dropping empty ones', () => {
    const idx = Int32Array.from({ length: 7 }, (_, i) => 10 + i);
    expect(splitShards(idx, 3).map((s) => Array.from(s))).toEqual([[10, 11, 12], [13, 14], [15, 16]]);
    expect(splitShards(idx.subarray(0, 1), 2).map((s) => Array.from(s))).toEqual([[10]]);
    expect(splitShards(idx, 1).map((s) => Array.from(s))).toEqual([Array.from(idx)]);
  });
});

describe('data-parallel training (worker_threads)', () => {
  it('gives the same weights and losses as one thread, up to float rounding (unsupervised + extra term)', async () => {
    const one = await run(1, {}, true);
    const two = await run(2, {}, true);
    expect(one.result.steps).toBe(9);
    expect(two.result.steps).toBe(9);
    // The weights moved (so the comparison is not trivially between two initialisations) …
    const init = testModel({ users: 4, seed: 3, hidden: [16] });
    expect(maxAbsDiff(weightsOf(init), one.weights)).toBeGreaterThan(1e-2);
    init.dispose();
    // … and agree between 1 and 2 threads.
    expect(maxAbsDiff(one.weights, two.weights)).toBeLessThan(1e-4);
    one.result.records.forEach((r, i) => {
      const s = two.result.records[i];
      expect(s.testSumRate).toBeCloseTo(r.testSumRate, 4);
      expect(s.trainLoss).toBeCloseTo(r.trainLoss, 4);
      expect(s.distillLoss).toBeCloseTo(r.distillLoss, 5);
      expect(s.beta).toBeCloseTo(r.beta, 10);
    });
    expect(one.result.records[3].distillLoss).toBeGreaterThan(0);
  });

  it('also for the supervised loss and three threads (shards of 11, 11, 10 and 9, 9, 8)', async () => {
    const one = await run(1, { loss: 'supervised' }, true);
    const three = await run(3, { loss: 'supervised' }, true);
    expect(maxAbsDiff(one.weights, three.weights)).toBeLessThan(1e-4);
    expect(three.result.last.taskLoss).toBeCloseTo(one.result.last.taskLoss, 5);
  });

  it('is reproducible: two runs with two threads give identical weights', async () => {
    const a = await run(2);
    const b = await run(2);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });

  it('rejects workers > 1 without a replica factory, before any work', async () => {
    const users = 4;
    const model = testModel({ users, seed: 3, hidden: [4] });
    try {
      const err = await trainDataset({ model, train: dataset(8, users, 1), test: dataset(4, users, 2), epochs: 1, workers: 2 }).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('replica');
    } finally {
      model.dispose();
    }
  });

  it('rejects a replica factory that builds a different model, and a missing export', async () => {
    const users = 4;
    const args: TestReplicaArgs = { users, seed: 3, hidden: [4] };
    for (const [exportName, field] of [
      ['createWrongReplica', 'replica'],
      ['noSuchFactory', 'replica.export'],
    ]) {
      const model = testModel(args);
      try {
        const err = await trainDataset({
          model,
          train: dataset(8, users, 1),
          test: dataset(4, users, 2),
          epochs: 1,
          workers: 2,
          replica: { module, export: exportName, args },
        }).catch((e) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).field).toBe(field);
      } finally {
        model.dispose();
      }
    }
  });
});
