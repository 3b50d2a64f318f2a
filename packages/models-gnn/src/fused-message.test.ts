import * as tf from '@tensorflow/tfjs';
import { EDGE_MLP_AGG, EDGE_MLP_AGG_GRAD, FUSED_MESSAGE_ENV, ParamStore, Rng, edgeMlpAggAvailable, wasmBackend, type Activation } from '@rrm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseGraph, type Aggregation } from './graph';
import { EdgeInput, MlpConv, type MlpConvOptions } from './message-passing';

/**
 * MlpConv's fused message + aggregation kernels (core edge-mlp-kernel.ts, wasm) against the unfused path
 * on the cpu backend: values and the gradients of every parameter and of the node states, with ties in
 * the max, a node without neighbours, partial masks, relu and linear message outputs.
 * Runs in its own process (pool: forks): the backend switch is global.
 */
beforeAll(async () => {
  tf.enableProdMode();
  await wasmBackend.init();
  // Forced on: the [8, 16] layers below would take it by default anyway; the test of the policy unsets it.
  process.env[FUSED_MESSAGE_ENV] = 'on';
});

const B = 3;
const K = 6;

interface Data {
  mask: Float32Array;
  x: Float32Array;
  e0: Float32Array;
  e1: Float32Array;
  up: Float32Array;
}

/**
 * Node 2 of sample 0 receives from nobody; senders 4 and 5 of sample 1 carry identical states and
 * identical edge features into every other receiver, so their messages tie exactly (in the max, both get
 * the gradient); the other edges are kept with probability 0.7.
 */
function data(xDim: number, outDim: number): Data {
  const rng = new Rng(3);
  const mask = new Float32Array(B * K * K);
  const e0 = new Float32Array(B * K * K);
  const e1 = new Float32Array(B * K * K);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) {
        const n = (b * K + i) * K + j;
        e0[n] = 2 * rng.uniform();
        e1[n] = 2 * rng.uniform() - 1;
        if (i !== j && !(b === 0 && i === 2)) mask[n] = rng.uniform() < 0.7 ? 1 : 0;
      }
  const x = new Float32Array(B * K * xDim);
  for (let n = 0; n < x.length; n++) x[n] = 2 * rng.uniform() - 1;
  for (let i = 0; i < K; i++) {
    const n5 = (1 * K + i) * K + 5;
    const n4 = (1 * K + i) * K + 4;
    e0[n5] = e0[n4];
    e1[n5] = e1[n4];
    if (i !== 4 && i !== 5) mask[n4] = mask[n5] = 1;
  }
  // 4 and 5 do not send to each other, so each reaches exactly the same receivers with the same message.
  mask[(1 * K + 4) * K + 5] = mask[(1 * K + 5) * K + 4] = 0;
  for (let t = 0; t < xDim; t++) x[(1 * K + 5) * xDim + t] = x[(1 * K + 4) * xDim + t];
  const up = new Float32Array(B * K * outDim);
  for (let n = 0; n < up.length; n++) up[n] = 2 * rng.uniform() - 1;
  return { mask, x, e0, e1, up };
}

interface Result {
  value: Float32Array;
  grads: Float32Array[];
  gx: Float32Array;
  kernels: Map<string, number>;
}

/** One MlpConv layer's output, Σ out·up and its gradients (parameters, then x), on the active backend. */
function run(options: MlpConvOptions, d: Data): Result {
  const store = new ParamStore();
  const layer = new MlpConv(store, 'mp', options, new Rng(5));
  // Non-zero biases (the factored first layer's bias placement); a larger last bias keeps relu messages alive.
  for (const v of store.trainable) if (v.shape.length === 1) v.assign(tf.randomNormal(v.shape, 0.2, 0.5, 'float32', v.size));
  const kernels = new Map<string, number>();
  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend).map((k) => ({ ...k }));
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({ ...k, kernelFunc: (args) => (kernels.set(k.kernelName, (kernels.get(k.kernelName) ?? 0) + 1), k.kernelFunc(args)) });
  }
  try {
    let result: Omit<Result, 'kernels'> | undefined;
    // Typed arrays assigned out of the tidy, not returned from it (STACK.md: slow).
    tf.tidy(() => {
      const mask = tf.tensor3d(d.mask, [B, K, K]);
      const x = tf.tensor3d(d.x, [B, K, options.sourceDim]);
      const channels = [tf.tensor3d(d.e0, [B, K, K]), tf.tensor3d(d.e1, [B, K, K])].slice(0, options.edgeDim);
      const edge = new EdgeInput(channels);
      const width = options.update ? options.update[options.update.length - 1] : options.message[options.message.length - 1];
      const up = tf.tensor3d(d.up, [B, K, width]);
      const f = (xx: tf.Tensor3D) => tf.sum(tf.mul(layer.forward({ x: xx, edge, graph: new DenseGraph(mask) }), up)) as tf.Scalar;
      const { value, grads } = tf.variableGrads(() => f(x), store.trainable);
      const gx = tf.grad((xx: tf.Tensor) => f(xx as tf.Tensor3D))(x);
      result = { value: value.dataSync() as Float32Array, grads: store.trainable.map((v) => grads[v.name].dataSync() as Float32Array), gx: gx.dataSync() as Float32Array };
    });
    return { ...result!, kernels };
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
    store.dispose();
  }
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]) / scale, `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThan(2e-5);
}

describe('MlpConv fused message + aggregation on wasm (RrmEdgeMlpAgg) against the unfused path on cpu', () => {
  const cases: [Aggregation, boolean, Activation, Activation, number[], number?][] = [
    ['max', false, 'relu', 'none', [8, 16]], // UWGNN's MLP1/MLP4 form
    ['max', false, 'relu', 'relu', [32, 32]], // GNN / WCGCN widths
    ['max', true, 'relu', 'none', [8, 16]], // φ(x_i, x_j, e_ij)
    ['sum', false, 'relu', 'relu', [8, 16]],
    ['sum', true, 'none', 'none', [4, 8]],
    ['mean', false, 'relu', 'none', [16, 4]],
    ['mean', true, 'relu', 'relu', [8, 16]],
    ['max', false, 'relu', 'none', [8, 16], 1], // one edge channel (GNN with edges: incoming)
  ];
  for (const [aggregation, target, act, messageActivation, message, edgeDim = 2] of cases) {
    it(`${aggregation}, φ(${target ? 'x_i, ' : ''}x_j, e_ij) [${message}], ${act} then ${messageActivation}, ${edgeDim} edge channel(s): same values and gradients, one kernel each way`, async () => {
      const options: MlpConvOptions = {
        targetDim: target ? 3 : 0,
        sourceDim: 3,
        edgeDim,
        nodeDim: 3,
        message,
        update: [5, 2],
        aggregation,
        activation: act,
        messageActivation,
      };
      const d = data(3, 2);
      expect(await tf.setBackend('wasm')).toBe(true);
      expect(edgeMlpAggAvailable(B * K * K, message[0], message[1])).toBe(true);
      const fused = run(options, d);
      await tf.setBackend('cpu');
      const plain = run(options, d);
      await tf.setBackend('wasm');
      expect(fused.kernels.get(EDGE_MLP_AGG)).toBe(2); // variableGrads and grad(x): one forward each
      expect(fused.kernels.get(EDGE_MLP_AGG_GRAD)).toBe(2);
      expect(fused.kernels.get('RrmMaskedMax')).toBeUndefined();
      expect(plain.kernels.get(EDGE_MLP_AGG)).toBeUndefined();
      expectClose(fused.value, plain.value, 'Σ out·up');
      fused.grads.forEach((g, n) => expectClose(g, plain.grads[n], `gradient of parameter ${n}`));
      expectClose(fused.gx, plain.gx, 'gradient of x');
    });
  }

  it('gives the node without neighbours the zero message and ties in the max both the gradient', async () => {
    const options: MlpConvOptions = { targetDim: 0, sourceDim: 3, edgeDim: 2, nodeDim: 3, message: [8, 4], update: null, aggregation: 'max', messageActivation: 'none' };
    const d = data(3, 4);
    expect(await tf.setBackend('wasm')).toBe(true);
    const store = new ParamStore();
    const layer = new MlpConv(store, 'mp', options, new Rng(5));
    tf.tidy(() => {
      const mask = tf.tensor3d(d.mask, [B, K, K]);
      const edge = new EdgeInput([tf.tensor3d(d.e0, [B, K, K]), tf.tensor3d(d.e1, [B, K, K])]);
      const m = layer.forward({ x: tf.tensor3d(d.x, [B, K, 3]), edge, graph: new DenseGraph(mask) }).arraySync() as number[][][];
      expect(m[0][2].map((v) => v + 0)).toEqual([0, 0, 0, 0]);
      // Senders 4 and 5 of sample 1 send identical messages to the same receivers: the tie rule gives each
      // the full dy where it attains the max (as tf.max), so their state gradients are equal and non-zero.
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(layer.forward({ x: xx as tf.Tensor3D, edge, graph: new DenseGraph(mask) })))(tf.tensor3d(d.x, [B, K, 3])).arraySync() as number[][][];
      expect(gx[1][4]).toEqual(gx[1][5]);
      expect(gx[1][4].some((v) => v !== 0)).toBe(true);
    });
    store.dispose();
  });

  it('keeps the unfused path for more than two message layers, other activations, widths not multiples of 4, and by default wide φ', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const d = data(3, 2);
    const base = { targetDim: 0, sourceDim: 3, edgeDim: 2, nodeDim: 3, update: [2], aggregation: 'max' } as const;
    expect(run({ ...base, message: [8, 8, 4] }, d).kernels.get(EDGE_MLP_AGG)).toBeUndefined();
    expect(run({ ...base, message: [8, 4], activation: 'tanh' }, d).kernels.get(EDGE_MLP_AGG)).toBeUndefined();
    expect(run({ ...base, message: [6, 4] }, d).kernels.get(EDGE_MLP_AGG)).toBeUndefined();
    expect(run({ ...base, message: [32, 32] }, d).kernels.get(EDGE_MLP_AGG)).toBe(2); // forced on
    delete process.env[FUSED_MESSAGE_ENV];
    try {
      expect(edgeMlpAggAvailable(64 * 50 * 50, 8, 16)).toBe(true); // UWGNN's φ at any size
      expect(edgeMlpAggAvailable(64 * 10 * 10, 32, 32)).toBe(false); // slower than unfused (measured)
      expect(run({ ...base, message: [32, 32] }, d).kernels.get(EDGE_MLP_AGG)).toBeUndefined();
      process.env[FUSED_MESSAGE_ENV] = 'off';
      expect(run({ ...base, message: [8, 16] }, d).kernels.get(EDGE_MLP_AGG)).toBeUndefined();
    } finally {
      process.env[FUSED_MESSAGE_ENV] = 'on';
    }
  });
});
