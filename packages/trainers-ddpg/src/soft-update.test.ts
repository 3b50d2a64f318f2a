import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { hardUpdate, softUpdate } from './soft-update';

describe('target networks', () => {
  it("θ' ← τθ + (1 − τ)θ'", () => {
    const src = [tf.variable(tf.tensor1d([1, 2, 3])), tf.variable(tf.tensor2d([[10]]))];
    const tgt = [tf.variable(tf.tensor1d([0, 0, 6])), tf.variable(tf.tensor2d([[0]]))];
    softUpdate(tgt, src, 0.25);
    expect(Array.from(tgt[0].dataSync())).toEqual([0.25, 0.5, 0.75 + 4.5]);
    expect(tgt[1].dataSync()[0]).toBeCloseTo(2.5, 6);
    softUpdate(tgt, src, 0);
    expect(tgt[1].dataSync()[0]).toBeCloseTo(2.5, 6);
    hardUpdate(tgt, src);
    expect(Array.from(tgt[0].dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(src[0].dataSync())).toEqual([1, 2, 3]);
    expect(() => softUpdate([tgt[0]], [src[1]], 0.5)).toThrow(/shape/);
    expect(() => softUpdate(tgt, src, 1.5)).toThrow(/tau/);
    tf.dispose([...src, ...tgt]);
  });
});
