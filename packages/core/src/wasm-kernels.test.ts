import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsPlugin, useBackend } from './backends';
import { Registry } from './registry';

// Runs in its own process (pool: forks): the backend switch is global.
beforeAll(async () => {
  await useBackend(new Registry().use(backendsPlugin), 'wasm');
});

describe('wasm kernel overrides', () => {
  it('Identity shares the buffer (no new data buffer) and keeps it alive after the source is disposed', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
  });

  it('gradients that save tensors are unchanged (d/dx Σ relu(x)·x² against the closed form)', () => {
    const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), tf.square(v))))(x);
    // relu(x)·x² = x³ for x > 0, 0 otherwise: derivative 3x² or 0.
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0.75, 27]);
    tf.dispose([x, g]);
  });

  it('a variable assigned after a clone leaves the clone unchanged', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const c = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(c.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([v, c]);
  });

  it('UnsortedSegmentSum is registered, so tf.gather has a gradient on wasm (closed form: index counts × weights)', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const idx = tf.tensor1d([0, 2, 2, 5], 'int32'); // 5 is out of range: no contribution (clamped by gather)
    const w = tf.tensor2d([1, 10, 100, 1000], [4, 1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, idx.slice(0, 3)), w.slice(0, 3))))(x);
    // Row 0 gathered once with weight 1, row 2 twice with weights 10 and 100.
    expect(Array.from(g.dataSync())).toEqual([1, 1, 0, 0, 110, 110]);
    const direct = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]), idx, 3);
    expect(Array.from(direct.dataSync())).toEqual([1, 2, 0, 0, 8, 10]);
    tf.dispose([x, idx, w, g, direct]);
  });
});
