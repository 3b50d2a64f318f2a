import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DISPATCH_ELEMENTS_ENV, meanSumRate, type PowerModel } from '@rrm/core';
import { createMlp } from '@rrm/models-mlp';
import { evaluateModel, predictPowers, predictPowersTimed, sumRateOf } from './evaluate';
import { trainDataset } from './trainer';
import { dataset, withoutTiming } from './test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('evaluation', () => {
  const ds = dataset(50, 4, 2, { reference: true });
  const opts = { noise: 1, pmax: 1 };

  it('batched inference gives the same powers for any batch size and leaks nothing', async () => {
    const model = createMlp({ hidden: [8] }, { users: 4, pmax: 1, noise: 1, seed: 3 });
    const before = tf.memory().numTensors;
    const all = await predictPowers(model, ds.channels, opts, 1024);
    const small = await predictPowers(model, ds.channels, opts, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(all).toBeInstanceOf(Float64Array);
    expect(all.length).toBe(200);
    expect(Array.from(small)).toEqual(Array.from(all));
    const timed = await predictPowersTimed(model, ds.channels, opts, 16);
    expect(Array.from(timed.powers)).toEqual(Array.from(all));
    expect(timed.secondsPerSample).toBeGreaterThan(0);
    expect(timed.samplesPerSecond).toBeCloseTo(1 / timed.secondsPerSample, 3);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('evaluates the mean sum rate in Float64 and its percentage of the reference', async () => {
    const model = createMlp({ hidden: [8] }, { users: 4, pmax: 1, noise: 1, seed: 3 });
    const ev = await evaluateModel(model, ds);
    expect(ev.meanSumRate).toBeCloseTo(meanSumRate(ds.channels, ev.powers, { noise: 1 }), 12);
    const ref = ds.reference!.reduce((a, b) => a + b, 0) / 50;
    expect(ev.pctReference).toBeCloseTo((100 * ev.meanSumRate) / ref, 10);
    // Full power scores below the WMMSE reference.
    expect(sumRateOf({ ...ds }, new Float64Array(200).fill(1)).pctReference).toBeLessThan(100);
    expect(sumRateOf({ ...ds, reference: undefined }, ev.powers).pctReference).toBeNull();
    model.dispose();
  });
});

/** Records the batch size of every forward pass of `model` (patched in place). */
function countCalls(model: PowerModel): number[] {
  const calls: number[] = [];
  const apply = model.apply.bind(model);
  (model as { apply: PowerModel['apply'] }).apply = (inputs) => {
    calls.push(inputs.direct.shape[0]);
    return apply(inputs);
  };
  return calls;
}

describe('evaluation split by the dispatch limit (a small limit forced on cpu)', () => {
  afterEach(() => {
    delete process.env[MAX_DISPATCH_ELEMENTS_ENV];
  });
  const K = 5;
  const test = dataset(200, K, 12, { reference: true });
  const train = dataset(320, K, 11);

  it('evaluateModel and predictPowersTimed: the unsplit powers and sum rates, in ceil(B / floor(limit / K²)) chunks', async () => {
    const model = createMlp({ hidden: [16] }, { users: K, pmax: 1, noise: 1, seed: 4 });
    const calls = countCalls(model);
    const whole = await evaluateModel(model, test);
    expect(calls).toEqual([200]);
    calls.length = 0;
    process.env[MAX_DISPATCH_ELEMENTS_ENV] = String(7 * K * K + 3); // 7 samples per chunk
    const split = await evaluateModel(model, test);
    expect(calls).toEqual([...Array(28).fill(7), 4]);
    expect(Array.from(split.powers)).toEqual(Array.from(whole.powers));
    expect(Array.from(split.perSample)).toEqual(Array.from(whole.perSample));
    expect(split.meanSumRate).toBe(whole.meanSumRate);
    expect(split.pctReference).toBe(whole.pctReference);
    calls.length = 0;
    const timed = await predictPowersTimed(model, test.channels, test);
    expect(calls).toEqual([7, ...Array(28).fill(7), 4]); // the warm-up batch is within the limit too
    expect(Array.from(timed.powers)).toEqual(Array.from(whole.powers));
    model.dispose();
  });

  it('training: the test evaluation of every epoch runs split and the records are unchanged; training batches are not split', async () => {
    const run = async (limit?: number) => {
      if (limit === undefined) delete process.env[MAX_DISPATCH_ELEMENTS_ENV];
      else process.env[MAX_DISPATCH_ELEMENTS_ENV] = String(limit);
      const model = createMlp({ hidden: [16] }, { users: K, pmax: 1, noise: 1, seed: 4 });
      const calls = countCalls(model);
      const { records } = await trainDataset({ model, train, test, epochs: 2, batchSize: 64, seed: 3 });
      const weights = model.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
      model.dispose();
      return { records: withoutTiming(records), calls, weights };
    };
    const whole = await run();
    const split = await run(7 * K * K);
    expect(split.records).toEqual(whole.records);
    expect(split.weights).toEqual(whole.weights);
    // 3 evaluations (epochs 0, 1, 2) of 29 chunks; the training forward passes keep their 64 samples.
    expect(whole.calls.filter((b) => b === 200)).toHaveLength(3);
    expect(split.calls.filter((b) => b <= 7)).toHaveLength(3 * 29);
    expect(split.calls.filter((b) => b > 7)).toEqual(whole.calls.filter((b) => b !== 200));
  });
});
