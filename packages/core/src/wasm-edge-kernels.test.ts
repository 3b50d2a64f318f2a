import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsPlugin, useBackend } from './backends';
import { dense } from './dense';
import { Registry } from './registry';
import { MASKED_MAX, MASKED_MAX_GRAD, MATMUL_TN, maskedMaxKernelAvailable, matMulTN, matMulTNSupported, sumGroups, sumRows, sumRowsSupported } from './wasm-edge-kernels';

// Runs in its own process (pool: forks): the backend switch is global.
beforeAll(async () => {
  await useBackend(new Registry().use(backendsPlugin), 'wasm');
});

/** Σ_r a[r, i]·b[r, j] in float64, from the host arrays. */
function reference(a: Float32Array, b: Float32Array, n: number, p: number, q: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let r = 0; r < n; r++) for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) out[i * q + j] += a[r * p + i] * b[r * q + j];
  return out;
}

describe('matMulTN (the RrmMatMulTN wasm kernel)', () => {
  // n not a multiple of the 256-row chunk; several 4×8 tiles; the UWGNN and dense-GNN shapes.
  for (const [n, p, q] of [
    [1030, 8, 16],
    [3000, 32, 32],
    [1024, 4, 8],
  ]) {
    it(`computes aᵀb for [${n}, ${p}]ᵀ·[${n}, ${q}] in the kernel, within float32 rounding of a float64 sum`, () => {
      expect(matMulTNSupported(n, p, q)).toBe(true);
      const a = tf.randomNormal([n, p], 0, 1, 'float32', 1) as tf.Tensor2D;
      const b = tf.randomNormal([n, q], 0, 1, 'float32', 2) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const out = matMulTN(a, b);
      expect(tf.memory().numTensors).toBe(before + 1); // the kernel itself: no transposed copy
      expect(out.shape).toEqual([p, q]);
      const want = reference(a.dataSync() as Float32Array, b.dataSync() as Float32Array, n, p, q);
      const got = out.dataSync();
      for (let k = 0; k < want.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-4 * Math.sqrt(n));
      tf.dispose([a, b, out]);
    });
  }

  it('falls back to transpose + matMul where the kernel does not apply (small n, odd widths)', () => {
    for (const [n, p, q] of [
      [64, 8, 16],
      [2048, 2, 8],
      [2048, 8, 12],
    ]) {
      expect(matMulTNSupported(n, p, q)).toBe(false);
      const a = tf.randomNormal([n, p], 0, 1, 'float32', 3) as tf.Tensor2D;
      const b = tf.randomNormal([n, q], 0, 1, 'float32', 4) as tf.Tensor2D;
      const out = matMulTN(a, b);
      const want = reference(a.dataSync() as Float32Array, b.dataSync() as Float32Array, n, p, q);
      const got = out.dataSync();
      for (let k = 0; k < want.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-4 * Math.sqrt(n));
      tf.dispose([a, b, out]);
    }
  });

  it('rejects shapes it was not built for when called directly', () => {
    const a = tf.zeros([64, 8]);
    const b = tf.zeros([64, 16]);
    expect(() => tf.engine().runKernel(MATMUL_TN, { a, b })).toThrow(/RrmMatMulTN: expected a \[n ≥ 1024/);
    tf.dispose([a, b]);
  });

  it("gives dense's weight gradient for per-edge inputs the same value as tf's own matMul gradient", () => {
    const x = tf.randomNormal([4, 20, 20, 8], 0, 1, 'float32', 5); // 1 600 rows
    const w = tf.randomNormal([8, 16], 0, 0.3, 'float32', 6) as tf.Tensor2D;
    const bias = tf.zeros([16]) as tf.Tensor1D;
    const up = tf.randomNormal([4, 20, 20, 16], 0, 1, 'float32', 7);
    const ours = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(dense(x, ww as tf.Tensor2D, bias, 'relu', false), up)))(w);
    const plain = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(x.reshape([1600, 8]), ww), bias)).reshape([4, 20, 20, 16]), up)))(w);
    const a = ours.dataSync();
    const b = plain.dataSync();
    for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k], 2);
    tf.dispose([x, w, bias, up, ours, plain]);
  });
});

describe('sumRows (the RrmSumRows wasm kernel)', () => {
  for (const [n, q] of [
    [1030, 16],
    [3000, 32],
    [64, 16],
    [2048, 12],
  ]) {
    it(`sums the rows of [${n}, ${q}] (${sumRowsSupported(n, q) ? 'kernel' : 'fallback'})`, () => {
      const b = tf.randomNormal([n, q], 0, 1, 'float32', 8) as tf.Tensor2D;
      const out = sumRows(b);
      expect(out.shape).toEqual([q]);
      const host = b.dataSync();
      const got = out.dataSync();
      for (let j = 0; j < q; j++) {
        let want = 0;
        for (let r = 0; r < n; r++) want += host[r * q + j];
        expect(Math.abs(got[j] - want)).toBeLessThan(1e-4 * Math.sqrt(n));
      }
      tf.dispose([b, out]);
    });
  }
});

describe('sumGroups (the RrmSumGroups wasm kernel)', () => {
  for (const [groups, k, q] of [
    [7, 5, 8],
    [3, 40, 1280],
    [4, 3, 6],
  ]) {
    it(`sums groups of ${k} rows of [${groups * k}, ${q}] (${q % 4 === 0 ? 'kernel' : 'fallback'})`, () => {
      const x = tf.randomNormal([groups * k, q], 0, 1, 'float32', 9) as tf.Tensor2D;
      const out = sumGroups(x, k);
      expect(out.shape).toEqual([groups, q]);
      const host = x.dataSync();
      const got = out.dataSync();
      for (let g = 0; g < groups; g++) {
        for (let j = 0; j < q; j++) {
          let want = 0;
          for (let t = 0; t < k; t++) want += host[(g * k + t) * q + j];
          expect(got[g * q + j]).toBeCloseTo(want, 4);
        }
      }
      tf.dispose([x, out]);
    });
  }
});

describe('RrmMaskedMax and its gradient', () => {
  it('takes the max over the masked senders (0 without any), and routes dy to every maximal entry', () => {
    const [b, k, f] = [2, 3, 4];
    // Integer-valued messages so that ties are exact; receiver (1, 2) has no senders.
    const msgVals = Float32Array.from({ length: b * k * k * f }, (_, n) => ((n * 7) % 5) - 2);
    const maskVals = Float32Array.from([0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0]);
    const msg = tf.tensor4d(msgVals, [b, k, k, f]);
    const mask = tf.tensor3d(maskVals, [b, k, k]);
    const dyVals = Float32Array.from({ length: b * k * f }, (_, n) => n + 1);
    const dy = tf.tensor3d(dyVals, [b, k, f]);
    expect(maskedMaxKernelAvailable(f)).toBe(true);
    const out = tf.engine().runKernel(MASKED_MAX, { msg, mask }) as tf.Tensor3D;
    const dmsg = tf.engine().runKernel(MASKED_MAX_GRAD, { msg, mask, out, dy }) as tf.Tensor4D;
    const o = out.dataSync();
    const d = dmsg.dataSync();
    for (let r = 0; r < b * k; r++) {
      for (let c = 0; c < f; c++) {
        let want = -Infinity;
        for (let j = 0; j < k; j++) if (maskVals[r * k + j]) want = Math.max(want, msgVals[(r * k + j) * f + c]);
        if (want === -Infinity) want = 0;
        expect(o[r * f + c]).toBe(want);
        for (let j = 0; j < k; j++) {
          const at = (r * k + j) * f + c;
          const grad = maskVals[r * k + j] && msgVals[at] === want ? dyVals[r * f + c] : 0;
          expect(d[at]).toBe(grad);
        }
      }
    }
    tf.dispose([msg, mask, dy, out, dmsg]);
  });
});
