import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, activate, dense, type Activation } from './dense';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('dense (fused matMul with a hand-written gradient)', () => {
  const acts: readonly Activation[] = ACTIVATIONS;
  for (const act of acts) {
    it(`matches matMul + bias + ${act} in value and gradient`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([7, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
        const w = tf.randomNormal([3, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
        const b = tf.randomNormal([4], 0, 1, 'float32', 3) as tf.Tensor1D;
        const up = tf.randomNormal([7, 4], 0, 1, 'float32', 4);
        const custom = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(dense(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, act), up));
        const plain = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(activate(tf.add(tf.matMul(xx, ww), bb), act), up));
        expect(custom(x, w, b).dataSync()[0]).toBeCloseTo(plain(x, w, b).dataSync()[0], 4);
        const g1 = tf.grads(custom)([x, w, b]);
        const g2 = tf.grads(plain)([x, w, b]);
        for (let i = 0; i < 3; i++) expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-5);
      });
    });
  }

  it('skips the input gradient when told the input is data', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([5, 2], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomNormal([2, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
      const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(dense(xx as tf.Tensor2D, ww as tf.Tensor2D, null, 'none', false)))([x, w]);
      expect(Array.from(gx.dataSync()).every((v) => v === 0)).toBe(true);
      // d/dW Σ x·W = column sums of x, repeated.
      const colSums = tf.sum(x, 0).dataSync();
      expect(gw.arraySync()).toEqual([
        [colSums[0], colSums[0], colSums[0]].map((v) => expect.closeTo(v, 5)),
        [colSums[1], colSums[1], colSums[1]].map((v) => expect.closeTo(v, 5)),
      ]);
    });
  });
});
