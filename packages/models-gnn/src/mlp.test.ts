import * as tf from '@tensorflow/tfjs';
import { Rng } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { Mlp } from './mlp';
import { ParamStore } from './params';
import { maxAbsDiff } from './test-helpers';

describe('Mlp', () => {
  it('counts parameters and MACs from the layer sizes', () => {
    const store = new ParamStore();
    const mlp = new Mlp(store, 'net', { inputs: [3, 2], widths: [8, 4, 1] }, new Rng(1));
    // (5·8 + 8) + (8·4 + 4) + (4·1 + 1)
    expect(mlp.paramCount()).toBe(48 + 36 + 5);
    expect(store.count()).toBe(89);
    expect(mlp.macs()).toBe(40 + 32 + 4);
    expect(store.named().map((n) => n.name)).toEqual(['net/w0', 'net/b0', 'net/w1', 'net/b1', 'net/w2', 'net/b2']);
    store.dispose();
  });

  it('draws the same weights from the same seed, Glorot-bounded', () => {
    const a = new ParamStore();
    const b = new ParamStore();
    new Mlp(a, 'm', { inputs: 6, widths: [10] }, new Rng(7));
    new Mlp(b, 'm', { inputs: 6, widths: [10] }, new Rng(7));
    const wa = a.named()[0].tensor.dataSync();
    expect(Array.from(wa)).toEqual(Array.from(b.named()[0].tensor.dataSync()));
    const limit = Math.sqrt(6 / 16);
    expect(Math.max(...Array.from(wa).map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Array.from(a.named()[1].tensor.dataSync()).every((v) => v === 0)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('splits the first layer by input part: Σ_p x_p·W_p = [x_1, x_2]·W', () => {
    const store = new ParamStore();
    const mlp = new Mlp(store, 'm', { inputs: [2, 3], widths: [4] }, new Rng(3));
    tf.tidy(() => {
      const x1 = tf.randomNormal([5, 2], 0, 1, 'float32', 1);
      const x2 = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
      const [w1, w2] = mlp.firstLayerParts();
      const split = tf.add(tf.matMul(x1, w1), tf.matMul(x2, w2));
      const whole = tf.matMul(tf.concat([x1, x2], 1), mlp.layers[0].w);
      expect(maxAbsDiff(split.dataSync(), whole.dataSync())).toBeLessThan(1e-6);
    });
    store.dispose();
  });

  it('loads weights by name and rejects wrong shapes', () => {
    const store = new ParamStore();
    new Mlp(store, 'm', { inputs: 2, widths: [3] }, new Rng(1));
    const w = tf.ones([2, 3]);
    const b = tf.zeros([3]);
    store.load({ 'm/w0': w, 'm/b0': b }, 'test');
    expect(Array.from(store.named()[0].tensor.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => store.load({ 'm/w0': tf.ones([3, 2]), 'm/b0': b }, 'test')).toThrow(/m\/w0.*shape/);
    expect(() => store.load({ 'm/w0': w }, 'test')).toThrow(/m\/b0.*missing/);
    tf.dispose([w, b]);
    store.dispose();
  });
});
