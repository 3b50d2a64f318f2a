import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, meanSumRate } from '@rrm/core';
import { createMlp } from '@rrm/models-mlp';
import { predictPowers, trainDataset, type EpochRecord, type LossTerm } from '@rrm/trainers-unsup';
import { fixedBeta, increasingBeta } from './beta-schedules';
import { l2Distance, mseDistance } from './distances';
import { distillationTerm, distillationTermFromConfig, labelBatch } from './distill-loss';
import { distillPlugin } from './plugin';
import type { TrainingProgress } from './progress';
import { rayleigh, wmmse } from './test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const progress = (epoch: number): TrainingProgress => ({ epoch, epochs: 10, step: epoch * 5, steps: 50, fraction: epoch / 10 });

describe('distillation term', () => {
  const labels = Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]); // N = 3, K = 3

  it('looks up the batch rows of the labels by index', () => {
    const t = labelBatch(labels, 3, Int32Array.from([2, 0]));
    expect(Array.from(t.dataSync())).toEqual([0.7, 0.8, 0.9, 0.1, 0.2, 0.3].map((v) => Math.fround(v)));
    t.dispose();
    expect(() => labelBatch(labels, 3, Int32Array.from([3]))).toThrow(RangeError);
  });

  it('returns D(powers, labels[indices]) and β(progress) as the coefficient', () => {
    const term = distillationTerm({ schedule: increasingBeta(), distance: mseDistance(), labels, users: 3 });
    const powers = tf.tensor2d([
      [0.5, 0.5, 0.5],
      [0, 0, 0],
    ]);
    const { loss, coefficient } = term.value({ powers, indices: Int32Array.from([1, 2]), progress: progress(4) });
    const expected = ([0.4, 0.5, 0.6].reduce((a, v) => a + (0.5 - v) ** 2, 0) + [0.7, 0.8, 0.9].reduce((a, v) => a + v * v, 0)) / 6;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 6);
    expect(coefficient).toBeCloseTo(0.4, 15);
    tf.dispose([loss, powers]);
  });

  it('its gradient with respect to the powers matches finite differences', () => {
    const term = distillationTerm({ schedule: fixedBeta({ beta: 2 }), distance: l2Distance(), labels, users: 3 });
    const indices = Int32Array.from([0, 2]);
    const p0 = [0.3, 0.1, 0.9, 0.2, 0.6, 0.4];
    const f = (p: number[]) => {
      // Float64 reference: mean over samples of ‖p − t‖₂ (ε = 1e-12).
      let acc = 0;
      for (let b = 0; b < 2; b++) {
        let s = 1e-12;
        for (let i = 0; i < 3; i++) s += (p[b * 3 + i] - labels[indices[b] * 3 + i]) ** 2;
        acc += Math.sqrt(s);
      }
      return acc / 2;
    };
    const g = tf.grad((x: tf.Tensor) => term.value({ powers: x as tf.Tensor2D, indices, progress: progress(0) }).loss)(tf.tensor2d(p0, [2, 3])).dataSync();
    const h = 1e-6;
    for (let n = 0; n < 6; n++) {
      const up = p0.slice();
      const down = p0.slice();
      up[n] += h;
      down[n] -= h;
      expect(g[n]).toBeCloseTo((f(up) - f(down)) / (2 * h), 4);
    }
  });

  it('no gradient flows into the labels: they are plain data, copied into fresh constants', () => {
    const copy = labels.slice();
    const term = distillationTerm({ schedule: fixedBeta({ beta: 1 }), distance: mseDistance(), labels, users: 3 });
    const p = tf.variable(tf.tensor2d([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], [3, 3]));
    const before = tf.memory().numTensors;
    const opt = tf.train.sgd(0.5);
    const indices = Int32Array.from([0, 1, 2]);
    for (let i = 0; i < 200; i++) {
      const cost = opt.minimize(() => term.value({ powers: p as unknown as tf.Tensor2D, indices, progress: progress(0) }).loss, true, [p]);
      cost?.dispose();
    }
    // The student moved onto the teacher; the teacher did not move towards the student.
    expect(Array.from(p.dataSync())).toEqual(Array.from(labels).map((v) => expect.closeTo(v, 5)));
    expect(Array.from(labels)).toEqual(Array.from(copy));
    // Only the trainable variable receives a gradient; nothing else is a variable (the label tensors are gone).
    const { grads, value } = tf.variableGrads(() => term.value({ powers: p as unknown as tf.Tensor2D, indices, progress: progress(0) }).loss);
    expect(Object.keys(grads)).toEqual([p.name]);
    tf.dispose([value, ...Object.values(grads)]);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('validates labels against K, and resolves schedules and distances through a registry', () => {
    expect(() => distillationTerm({ schedule: fixedBeta(), distance: mseDistance(), labels: new Float64Array(7), users: 3 })).toThrow(/distill\.labels/);
    const registry = new Registry().use(distillPlugin);
    const term = distillationTermFromConfig(registry, {}, labels, 3);
    expect(term.schedule.kind).toBe('decreasing');
    expect(term.distance.kind).toBe('l2');
    expect(term.schedule.value(progress(5))).toBeCloseTo(0.5, 15);
    expect(() => distillationTermFromConfig(registry, { beta: { kind: 'fixed', beta: -1 } }, labels, 3)).toThrow(/^distill\.beta\.beta:/);
    expect(() => distillationTermFromConfig(registry, { distance: 'kl' }, labels, 3)).toThrow(/distill\.distance\.kind/);
    // Structurally a trainers-unsup LossTerm.
    const asLossTerm: LossTerm = term;
    expect(asLossTerm.name).toBe('distill');
  });
});

describe('distillation in training (trainers-unsup as a dev dependency)', () => {
  const K = 4;
  const trainCh = rayleigh(256, K, 21);
  const testCh = rayleigh(128, K, 22);
  const teacherTrain = wmmse(trainCh, 1, 1);
  const teacherTest = wmmse(testCh, 1, 1);
  const train = { channels: trainCh, noise: 1, pmax: 1, labels: teacherTrain };
  const testSet = { channels: testCh, noise: 1, pmax: 1 };
  const model = () => createMlp({ hidden: [32] }, { users: K, pmax: 1, noise: 1, seed: 4 });
  const strip = (rs: EpochRecord[]) => rs.map((r) => ({ epoch: r.epoch, step: r.step, trainLoss: r.trainLoss, taskLoss: r.taskLoss, testSumRate: r.testSumRate }));
  const meanL2 = (a: Float64Array, b: Float64Array) => {
    let acc = 0;
    for (let n = 0; n < a.length / K; n++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += (a[n * K + i] - b[n * K + i]) ** 2;
      acc += Math.sqrt(s);
    }
    return (acc * K) / a.length;
  };

  it('β = 0 gives exactly the unsupervised run (same seed, same metrics)', async () => {
    const common = { train, test: testSet, epochs: 3, batchSize: 32, seed: 9, optimizer: { kind: 'adam' as const, learningRate: 3e-3 } };
    const m1 = model();
    const plain = await trainDataset({ ...common, model: m1 });
    const m2 = model();
    const term = distillationTerm({ schedule: fixedBeta({ beta: 0 }), distance: l2Distance(), labels: teacherTrain, users: K });
    const distilled = await trainDataset({ ...common, model: m2, extraLoss: term });
    expect(strip(distilled.records)).toEqual(strip(plain.records));
    expect(distilled.records.every((r) => r.beta === 0 && r.distillLoss > 0)).toBe(true);
    const w1 = m1.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    const w2 = m2.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    expect(w2).toEqual(w1);
    m1.dispose();
    m2.dispose();
  });

  it('a large fixed β drives the student toward the teacher (distance shrinks, sum rate approaches the teacher)', async () => {
    const teacherRate = meanSumRate(testCh, teacherTest, { noise: 1 });
    const run = async (beta: number) => {
      const m = model();
      const term = distillationTerm({ schedule: fixedBeta({ beta }), distance: l2Distance(), labels: teacherTrain, users: K });
      const r = await trainDataset({ model: m, train, test: testSet, epochs: 12, batchSize: 16, seed: 1, extraLoss: term, optimizer: { kind: 'adam', learningRate: 1e-2 } });
      const p = await predictPowers(m, testCh, { noise: 1, pmax: 1 });
      m.dispose();
      return { records: r.records, distance: meanL2(p, teacherTest), rate: meanSumRate(testCh, p, { noise: 1 }) };
    };
    const init = model();
    const p0 = await predictPowers(init, testCh, { noise: 1, pmax: 1 });
    init.dispose();
    const d0 = meanL2(p0, teacherTest);
    const none = await run(0);
    const strong = await run(50);
    // Measured (cpu backend): d0 ≈ 1.00, β = 0: 0.68, β = 50: 0.50 on the test set; train D 1.01 → 0.31;
    // sum rates: init 1.08, β = 50: 1.77, teacher 1.93 bit/s/Hz.
    expect(strong.distance).toBeLessThan(0.7 * d0);
    expect(strong.distance).toBeLessThan(0.9 * none.distance);
    // The training distance falls over the epochs.
    expect(strong.records[strong.records.length - 1].distillLoss).toBeLessThan(0.5 * strong.records[0].distillLoss);
    expect(Math.abs(strong.rate - teacherRate)).toBeLessThan(Math.abs(meanSumRate(testCh, p0, { noise: 1 }) - teacherRate) * 0.4);
  });
});
