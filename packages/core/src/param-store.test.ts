import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { ParamStore } from './param-store';

describe('ParamStore', () => {
  it('loads weights by name and rejects missing, wrong-shaped and unknown ones, changing nothing then', () => {
    const store = new ParamStore('test');
    store.add('m/w0', tf.zeros([2, 3]));
    store.add('m/b0', tf.zeros([3]));
    const w = tf.ones([2, 3]);
    const b = tf.zeros([3]);
    store.loadWeights({ 'm/w0': w, 'm/b0': b });
    expect(Array.from(store.namedWeights()[0].tensor.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => store.loadWeights({ 'm/w0': tf.zeros([3, 2]), 'm/b0': b })).toThrow(/m\/w0.*shape/);
    expect(() => store.loadWeights({ 'm/w0': w })).toThrow(/m\/b0.*missing/);
    expect(() => store.loadWeights({ 'm/w0': tf.zeros([2, 3]), 'm/b0': b, 'm/w9': b })).toThrow(ValidationError);
    expect(Array.from(store.namedWeights()[0].tensor.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => store.add('m/b0', tf.zeros([1]))).toThrow(/already defined/);
    tf.dispose([w, b]);
    store.dispose();
  });

  it('keeps fixed variables out of trainable and paramCount, but saves them', () => {
    const before = tf.memory().numTensors;
    const store = new ParamStore();
    store.add('w', tf.zeros([4]));
    store.add('input/mean', tf.zeros([5]), false);
    expect(store.trainable).toHaveLength(1);
    expect(store.paramCount()).toBe(4);
    expect(store.namedWeights().map((n) => n.name)).toEqual(['w', 'input/mean']);
    store.dispose();
    store.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
