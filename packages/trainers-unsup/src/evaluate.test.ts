import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanSumRate } from '@rrm/core';
import { createMlp } from '@rrm/models-mlp';
import { evaluateModel, predictPowers, predictPowersTimed, sumRateOf } from './evaluate';
import { dataset } from './test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('evaluation', () => {
  const ds = dataset(50, 4, 2, { reference: true });
  const opts = { noise: 1, pmax: 1 };

  it('batched inference gives the same powers for any batch size and leaks nothing', () => {
    const model = createMlp({ hidden: [8] }, { users: 4, pmax: 1, noise: 1, seed: 3 });
    const before = tf.memory().numTensors;
    const all = predictPowers(model, ds.channels, opts, 1024);
    const small = predictPowers(model, ds.channels, opts, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(all).toBeInstanceOf(Float64Array);
    expect(all.length).toBe(200);
    expect(Array.from(small)).toEqual(Array.from(all));
    const timed = predictPowersTimed(model, ds.channels, opts, 16);
    expect(Array.from(timed.powers)).toEqual(Array.from(all));
    expect(timed.secondsPerSample).toBeGreaterThan(0);
    expect(timed.samplesPerSecond).toBeCloseTo(1 / timed.secondsPerSample, 3);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('evaluates the mean sum rate in Float64 and its percentage of the reference', () => {
    const model = createMlp({ hidden: [8] }, { users: 4, pmax: 1, noise: 1, seed: 3 });
    const ev = evaluateModel(model, ds);
    expect(ev.meanSumRate).toBeCloseTo(meanSumRate(ds.channels, ev.powers, { noise: 1 }), 12);
    const ref = ds.reference!.reduce((a, b) => a + b, 0) / 50;
    expect(ev.pctReference).toBeCloseTo((100 * ev.meanSumRate) / ref, 10);
    // Full power scores below the WMMSE reference.
    expect(sumRateOf({ ...ds }, new Float64Array(200).fill(1)).pctReference).toBeLessThan(100);
    expect(sumRateOf({ ...ds, reference: undefined }, ev.powers).pctReference).toBeNull();
    model.dispose();
  });
});
