import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type PowerModel } from '@rrm/core';
import { createMlp } from '@rrm/models-mlp';
import { earlyStopping } from './callbacks';
import type { LossTerm } from './loss';
import { trainDataset, type EpochRecord } from './trainer';
import { dataset, fullPowerRate, withoutTiming } from './test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const K = 5;
const train = dataset(320, K, 11, { labels: true });
const test = dataset(200, K, 12, { reference: true });
const mlp = (seed = 1) => createMlp({ hidden: [32, 32] }, { users: K, pmax: 1, noise: 1, seed });

describe('trainDataset', () => {
  it('unsupervised training raises the test sum rate above full power; epoch 0 is the init', async () => {
    // Standardised inputs (the default) escape the full-power plateau (METHODS.md).
    const model = createMlp({ hidden: [64] }, { users: K, pmax: 1, noise: 1, seed: 1 });
    const result = await trainDataset({ model, train, test, epochs: 10, batchSize: 16, seed: 3, optimizer: { kind: 'adam', learningRate: 3e-3 } });
    const { records } = result;
    expect(records.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(records.map((r) => r.step)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(result.stopReason).toBe('completed');
    expect(result.steps).toBe(200);
    const full = fullPowerRate(test);
    const last = records[records.length - 1];
    expect(last.testSumRate).toBeGreaterThan(full * 1.1);
    expect(last.testSumRate).toBeGreaterThan(records[0].testSumRate);
    // −task loss is the train sum rate; it rises too.
    expect(last.taskLoss).toBeLessThan(records[0].taskLoss);
    // No extra term: the train loss is the task loss, β and D are 0.
    for (const r of records) {
      expect(r.trainLoss).toBe(r.taskLoss);
      expect(r.beta).toBe(0);
      expect(r.distillLoss).toBe(0);
      expect(r.pctReference).toBeCloseTo((100 * r.testSumRate) / (test.reference!.reduce((a, b) => a + b, 0) / 200), 9);
      expect(r.learningRate).toBe(3e-3);
    }
    expect(records[0].samplesPerSecond).toBe(0);
    expect(last.samplesPerSecond).toBeGreaterThan(0);
    expect(last.trainSeconds).toBeGreaterThan(0);
    expect(last.wallSeconds).toBeGreaterThanOrEqual(last.trainSeconds);
    expect(result.best.testSumRate).toBe(Math.max(...records.map((r) => r.testSumRate)));
    model.dispose();
  });

  it('is deterministic: the same seeds give identical metrics; another shuffle seed differs', async () => {
    const run = async (seed: number) => {
      const model = mlp(5);
      const { records } = await trainDataset({ model, train, test, epochs: 3, batchSize: 64, seed, optimizer: { kind: 'sgd', momentum: 0.9 } });
      model.dispose();
      return withoutTiming(records);
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('does not leak tensors: the count is stable across epochs and back to the start afterwards', async () => {
    const model = mlp();
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const term: LossTerm = {
      name: 'probe',
      value: ({ powers }) => ({ loss: tf.mean(powers) as tf.Scalar, coefficient: 0.1 }),
    };
    await trainDataset({
      model,
      train,
      test,
      epochs: 4,
      batchSize: 50,
      extraLoss: term,
      optimizer: { kind: 'adam', schedule: { kind: 'cosine', unit: 'step' } },
      callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
    });
    // Adam creates its moment variables on the first step: compare from epoch 1 on.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('interrupting through an AbortSignal keeps the finished epochs only', async () => {
    const model = mlp();
    const controller = new AbortController();
    const result = await trainDataset({
      model,
      train,
      test,
      epochs: 10,
      batchSize: 32,
      signal: controller.signal,
      callbacks: {
        onBatchEnd: (info) => {
          if (info.epoch === 3 && info.batch === 4) controller.abort();
        },
      },
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.records.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(result.steps).toBe(25);
    expect(result.last.epoch).toBe(2);
    model.dispose();
  });

  it('early stopping stops after `patience` epochs without improvement and can restore the best weights', async () => {
    const model = mlp();
    const stopper = earlyStopping({ patience: 2, minDelta: 10, restoreBest: true });
    const weights0 = model.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    const result = await trainDataset({ model, train, test, epochs: 20, batchSize: 64, callbacks: stopper });
    // Nothing improves by 10 bit/s/Hz: epoch 0 stays best; epochs 1 and 2 exhaust the patience.
    expect(result.records.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(result.stopReason).toBe('stopped');
    expect(result.message).toMatch(/early stopping/);
    expect(stopper.best()?.epoch).toBe(0);
    // restoreBest: the model holds the epoch-0 (initial) weights again (the input statistics were fitted
    // before epoch 0, so they are part of that snapshot too).
    const restored = model.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    expect(restored.slice(0, 6)).toEqual(weights0.slice(0, 6));
    model.dispose();

    // As an option, with a useful minDelta: training stops before 40 epochs at a high learning rate.
    const m2 = mlp();
    const r2 = await trainDataset({ model: m2, train, test, epochs: 40, batchSize: 64, earlyStopping: { patience: 1, minDelta: 0.02 } });
    expect(r2.stopReason).toBe('stopped');
    expect(r2.records.length).toBeLessThan(41);
    m2.dispose();
  });

  it('passes batch indices, progress and the coefficient to an extra loss term and reports β and D', async () => {
    const model = mlp();
    const seen = new Set<number>();
    const steps: number[] = [];
    const term: LossTerm = {
      name: 'probe',
      value: ({ powers, indices, progress }) => {
        expect(powers.shape).toEqual([indices.length, K]);
        if (progress.epoch === 1) indices.forEach((i) => seen.add(i));
        steps.push(progress.step);
        return { loss: tf.mean(tf.square(powers)) as tf.Scalar, coefficient: progress.epoch + 1 };
      },
    };
    const { records } = await trainDataset({ model, train, test, epochs: 3, batchSize: 100, extraLoss: term });
    // Every training row appears once per epoch (shuffled, 4 batches of 100, 100, 100, 20).
    expect(seen.size).toBe(320);
    // Epoch 0's forward pass sees progress step 0; then steps 0..11.
    expect(steps).toEqual([0, 0, 0, 0, ...Array.from({ length: 12 }, (_, i) => i)]);
    expect(records.map((r) => r.beta)).toEqual([1, 1, 2, 3]);
    for (const r of records) {
      expect(r.distillLoss).toBeGreaterThan(0);
      expect(r.trainLoss).toBeCloseTo(r.taskLoss + r.beta * r.distillLoss, 5);
    }
    model.dispose();
  });

  it('supervised training moves the powers toward the labels', async () => {
    const model = mlp();
    const { records } = await trainDataset({ model, train, test, epochs: 6, batchSize: 32, loss: 'supervised', optimizer: { kind: 'adam', learningRate: 3e-3 } });
    expect(records[records.length - 1].taskLoss).toBeLessThan(records[0].taskLoss * 0.8);
    expect(records[records.length - 1].testSumRate).toBeGreaterThan(records[0].testSumRate);
    model.dispose();
  });

  it('validates its inputs before any work', async () => {
    const model = mlp();
    await expect(trainDataset({ model, train: { ...train, labels: undefined }, test, epochs: 1, loss: 'supervised' })).rejects.toThrow(/train\.labels/);
    await expect(trainDataset({ model, train, test: dataset(10, 4, 1), epochs: 1 })).rejects.toThrow(ValidationError);
    await expect(trainDataset({ model, train, test, epochs: 1, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(trainDataset({ model, train, test, epochs: 1, optimizer: { kind: 'adagrad' } as never })).rejects.toThrow(/optimizer\.kind/);
    model.dispose();
  });

  it('rejects a model without trainable parameters up front (epochs > 0), before fit or any forward pass', async () => {
    let calls = 0;
    const fixed: PowerModel = {
      kind: 'fixed',
      options: {},
      trainable: [],
      apply: (inputs) => {
        calls++;
        return tf.onesLike(inputs.weights) as tf.Tensor2D;
      },
      fit: () => void calls++,
      namedWeights: () => [],
      loadWeights: () => undefined,
      paramCount: () => 0,
      macsPerSample: () => 0,
      dispose: () => undefined,
    };
    const before = tf.memory().numTensors;
    const run = trainDataset({ model: fixed, train, test, epochs: 1, callbacks: { onTrainBegin: () => void calls++ } });
    await expect(run).rejects.toThrow(ValidationError);
    await expect(trainDataset({ model: fixed, train, test, epochs: 1 })).rejects.toThrow(/model: expected a model with trainable parameters/);
    expect(calls).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    // Evaluating it (epochs: 0) is still fine.
    const result = await trainDataset({ model: fixed, train, test, epochs: 0 });
    expect(result.records).toHaveLength(1);
    expect(calls).toBeGreaterThan(0);
  });

  it('epochs: 0 only evaluates the initial model', async () => {
    const model = mlp();
    const records: EpochRecord[] = [];
    const result = await trainDataset({ model, train, test, epochs: 0, callbacks: { onEpochEnd: (r) => void records.push(r) } });
    expect(result.records).toHaveLength(1);
    expect(records).toEqual(result.records);
    model.dispose();
  });
});
