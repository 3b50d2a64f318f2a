import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { powerDistance } from './distances';

describe('powerDistance', () => {
  // Differences: sample 0 (0.1, −0.1, 0), sample 1 (0.5, −0.5, −0.2).
  const p = tf.tensor2d([[0.1, 0.9, 0.4], [1.0, 0.0, 0.3]]);
  const t = tf.tensor2d([[0.0, 1.0, 0.4], [0.5, 0.5, 0.5]]);

  it('matches hand computation for l2, mse and l1', () => {
    const l2 = (Math.sqrt(0.02 + 1e-12) + Math.sqrt(0.54 + 1e-12)) / 2;
    expect(powerDistance('l2', p, t).dataSync()[0]).toBeCloseTo(l2, 6);
    expect(powerDistance('mse', p, t).dataSync()[0]).toBeCloseTo((0.02 + 0.54) / 6, 6);
    expect(powerDistance('l1', p, t).dataSync()[0]).toBeCloseTo((0.2 + 1.2) / 2, 6);
  });

  it('l2 keeps a finite gradient where p equals t (the role of ε)', () => {
    const g = tf.grad((x: tf.Tensor) => powerDistance('l2', x as tf.Tensor2D, t))(t).dataSync();
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});
