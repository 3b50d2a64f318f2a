import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeInputs, meanSumRate, modelInputs, ValidationError } from '@rrm/core';
import { resolveLoss, supervisedLoss, taskLoss, trainingProgress, unsupervisedLoss } from './loss';
import { TinyModel, rayleigh } from './test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const relClose = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1e-3, Math.abs(a), Math.abs(b));

describe('unsupervised loss', () => {
  it('is the negative mean weighted sum rate', () => {
    const ch = rayleigh(6, 3, 1);
    const weights = new Float64Array([1, 2, 0.5]);
    const inputs = modelInputs(ch, { noise: 0.7, pmax: 1, weights });
    const p = new Float64Array(18).map((_, n) => 0.1 + 0.05 * n);
    const pt = tf.tensor2d(Float32Array.from(p), [6, 3]);
    const loss = unsupervisedLoss(inputs, pt).dataSync()[0];
    expect(loss).toBeCloseTo(-meanSumRate(ch, p, { noise: 0.7, weights }), 5);
    const nats = unsupervisedLoss(inputs, pt, 'nats').dataSync()[0];
    expect(nats).toBeCloseTo(-meanSumRate(ch, p, { noise: 0.7, weights, unit: 'nats' }), 5);
    tf.dispose(pt);
    disposeInputs(inputs);
  });

  it('its gradient with respect to the powers matches Float64 finite differences', () => {
    const ch = rayleigh(4, 3, 2);
    const weights = new Float64Array([1, 1.5, 0.5]);
    const inputs = modelInputs(ch, { noise: 1, pmax: 1, weights });
    const p = new Float64Array(12).map((_, n) => 0.2 + 0.06 * n);
    const grad = tf.grad((x: tf.Tensor) => unsupervisedLoss(inputs, x as tf.Tensor2D))(tf.tensor2d(Float32Array.from(p), [4, 3]));
    const g = grad.dataSync();
    const h = 1e-6;
    for (let n = 0; n < p.length; n++) {
      const up = p.slice();
      const down = p.slice();
      up[n] += h;
      down[n] -= h;
      const fd = (-meanSumRate(ch, up, { noise: 1, weights }) + meanSumRate(ch, down, { noise: 1, weights })) / (2 * h);
      expect(relClose(g[n], fd, 2e-3)).toBe(true);
    }
    tf.dispose(grad);
    disposeInputs(inputs);
  });

  it('its gradient with respect to a model weight matches finite differences (tiny local model)', () => {
    const ch = rayleigh(8, 4, 3);
    const inputs = modelInputs(ch, { noise: 1, pmax: 2 });
    const c = [0.1, -0.3, 0.5, 0.0];
    const model = new TinyModel(4, 0.4, c);
    const { value, grads } = tf.variableGrads(() => unsupervisedLoss(inputs, model.apply(inputs)), model.trainable);
    const lossAt = (a: number, cc: number[]) => -meanSumRate(ch, TinyModel.powers64(ch, 2, a, cc), { noise: 1 });
    expect(value.dataSync()[0]).toBeCloseTo(lossAt(0.4, c), 5);
    const h = 1e-6;
    const ga = grads[model.a.name].dataSync()[0];
    expect(relClose(ga, (lossAt(0.4 + h, c) - lossAt(0.4 - h, c)) / (2 * h), 2e-3)).toBe(true);
    const gc = grads[model.c.name].dataSync();
    for (let i = 0; i < 4; i++) {
      const up = c.slice();
      const down = c.slice();
      up[i] += h;
      down[i] -= h;
      expect(relClose(gc[i], (lossAt(0.4, up) - lossAt(0.4, down)) / (2 * h), 2e-3)).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
    disposeInputs(inputs);
  });
});

describe('supervised loss', () => {
  const p = [
    [0.1, 0.9, 0.4],
    [1.0, 0.0, 0.3],
  ];
  const t = [
    [0.0, 1.0, 0.4],
    [0.5, 0.5, 0.5],
  ];

  it('computes mse, l1 and l2 by hand', () => {
    const pt = tf.tensor2d(p);
    const tt = tf.tensor2d(t);
    const d = p.map((row, b) => row.map((v, i) => v - t[b][i]));
    const mse = d.flat().reduce((a, x) => a + x * x, 0) / 6;
    const l1 = d.map((r) => r.reduce((a, x) => a + Math.abs(x), 0)).reduce((a, x) => a + x, 0) / 2;
    const l2 = d.map((r) => Math.sqrt(r.reduce((a, x) => a + x * x, 0))).reduce((a, x) => a + x, 0) / 2;
    expect(supervisedLoss(pt, tt).dataSync()[0]).toBeCloseTo(mse, 6);
    expect(supervisedLoss(pt, tt, 'l1').dataSync()[0]).toBeCloseTo(l1, 6);
    expect(supervisedLoss(pt, tt, 'l2').dataSync()[0]).toBeCloseTo(l2, 5);
    tf.dispose([pt, tt]);
  });

  it('gradients match finite differences, and l2 stays finite at p = labels', () => {
    const tt = tf.tensor2d(t);
    const flat = p.flat();
    for (const distance of ['mse', 'l1', 'l2'] as const) {
      const g = tf.grad((x: tf.Tensor) => supervisedLoss(x as tf.Tensor2D, tt, distance))(tf.tensor2d(p)).dataSync();
      const f = (v: number[]) => tf.tidy(() => supervisedLoss(tf.tensor2d(v, [2, 3]), tt, distance).dataSync()[0]);
      const h = 1e-2; // float32 evaluation: a coarse step, the losses are piecewise quadratic/linear here
      for (let n = 0; n < flat.length; n++) {
        if (distance === 'l1' && Math.abs(flat[n] - t.flat()[n]) < 2 * h) continue; // kink of |x|
        const up = flat.slice();
        const down = flat.slice();
        up[n] += h;
        down[n] -= h;
        expect(relClose(g[n], (f(up) - f(down)) / (2 * h), 2e-2)).toBe(true);
      }
    }
    const same = tf.grad((x: tf.Tensor) => supervisedLoss(x as tf.Tensor2D, tt, 'l2'))(tf.tensor2d(t)).dataSync();
    expect(Array.from(same).every((v) => Number.isFinite(v) && v === 0)).toBe(true);
    tt.dispose();
  });

  it('taskLoss dispatches on the resolved kind and requires labels for supervised', () => {
    const ch = rayleigh(2, 3, 4);
    const inputs = modelInputs(ch, { noise: 1, pmax: 1 });
    const pt = tf.tensor2d(p);
    expect(() => taskLoss(resolveLoss('supervised'), inputs, pt)).toThrow(/labels/);
    const tt = tf.tensor2d(t);
    expect(taskLoss(resolveLoss({ kind: 'supervised', distance: 'l1' }), inputs, pt, tt).dataSync()[0]).toBeCloseTo(supervisedLoss(pt, tt, 'l1').dataSync()[0], 6);
    tf.dispose([pt, tt]);
    disposeInputs(inputs);
  });
});

describe('loss resolution and progress', () => {
  it('fills defaults and names bad fields', () => {
    expect(resolveLoss(undefined)).toEqual({ kind: 'unsupervised' });
    expect(resolveLoss('supervised')).toEqual({ kind: 'supervised', distance: 'mse' });
    expect(() => resolveLoss('reinforce' as never)).toThrow(ValidationError);
    expect(() => resolveLoss({ kind: 'supervised', distance: 'kl' } as never, 'trainer.loss')).toThrow(/trainer\.loss\.distance/);
  });

  it('progress fraction is step / steps', () => {
    expect(trainingProgress(2, 10, 25, 100)).toEqual({ epoch: 2, epochs: 10, step: 25, steps: 100, fraction: 0.25 });
    expect(trainingProgress(0, 0, 0, 0).fraction).toBe(0);
  });
});
