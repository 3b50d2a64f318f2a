import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@rrm/core';
import { distance, l1Distance, l2Distance, mseDistance } from './distances';
import { distillPlugin } from './plugin';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const p = [
  [0.1, 0.9, 0.4],
  [1.0, 0.0, 0.3],
];
const t = [
  [0.0, 1.0, 0.4],
  [0.5, 0.5, 0.5],
];

describe('distances', () => {
  it('match hand computation', () => {
    const pt = tf.tensor2d(p);
    const tt = tf.tensor2d(t);
    // sample 0: d = (0.1, −0.1, 0); sample 1: d = (0.5, −0.5, −0.2)
    const l2 = (Math.sqrt(0.02) + Math.sqrt(0.54)) / 2;
    const l1 = (0.2 + 1.2) / 2;
    const mse = (0.02 + 0.54) / 6;
    expect(l2Distance().compute(pt, tt).dataSync()[0]).toBeCloseTo(l2, 6);
    expect(l1Distance().compute(pt, tt).dataSync()[0]).toBeCloseTo(l1, 6);
    expect(mseDistance().compute(pt, tt).dataSync()[0]).toBeCloseTo(mse, 7);
    expect(distance().kind).toBe('l2');
    tf.dispose([pt, tt]);
  });

  it('l2 has a finite (zero) gradient where the student equals the teacher', () => {
    const tt = tf.tensor2d(t);
    const g = tf.grad((x: tf.Tensor) => l2Distance().compute(x as tf.Tensor2D, tt))(tf.tensor2d(t));
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    // Its value there is √ε per sample.
    expect(l2Distance({ epsilon: 1e-6 }).compute(tt, tt).dataSync()[0]).toBeCloseTo(1e-3, 6);
    tf.dispose([tt, g]);
  });

  it('gradients match the closed forms', () => {
    const pt = tf.tensor2d(p);
    const tt = tf.tensor2d(t);
    const grad = (d: ReturnType<typeof distance>) => Array.from(tf.grad((x: tf.Tensor) => d.compute(x as tf.Tensor2D, tt))(pt).dataSync());
    const diff = p.map((r, b) => r.map((v, i) => v - t[b][i]));
    const norms = diff.map((r) => Math.sqrt(r.reduce((a, x) => a + x * x, 0)));
    expect(grad(l2Distance())).toEqual(diff.flatMap((r, b) => r.map((x) => expect.closeTo(x / norms[b] / 2, 5))));
    expect(grad(mseDistance())).toEqual(diff.flat().map((x) => expect.closeTo((2 * x) / 6, 6)));
    expect(grad(l1Distance()).filter((_, n) => diff.flat()[n] !== 0)).toEqual(
      diff
        .flat()
        .filter((x) => x !== 0)
        .map((x) => expect.closeTo(Math.sign(x) / 2, 6)),
    );
    tf.dispose([pt, tt]);
  });

  it('registers as plugins of kind distance, with field-named errors', () => {
    const registry = new Registry().use(distillPlugin);
    expect(registry.list('distance').map((e) => e.name)).toEqual(['l1', 'l2', 'mse']);
    expect(registry.create('distance', { kind: 'l2', epsilon: 1e-9 }).options).toEqual({ epsilon: 1e-9 });
    expect(() => registry.create('distance', { kind: 'l2', epsilon: 0 })).toThrow(/^distill\.distance\.epsilon:/);
    expect(() => registry.create('distance', { kind: 'mse', p: 2 })).toThrow(/^distill\.distance\.p:/);
    expect(() => distance('kl')).toThrow(/distill\.distance\.kind/);
  });
});
