import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsPlugin, useBackend } from './backends';
import { activate, dense, type Activation } from './dense';
import { SUM_RATE_LOSS, SUM_RATE_LOSS_GRAD, sumRateLoss, sumRateLossFused } from './objective-fused';
import { sumRateTensor } from './objective-tensor';
import { Registry } from './registry';
import { Rng } from './random';

// The fused kernels on wasm against the unfused tensor ops on the cpu backend (values and gradients).
// Runs in its own process (pool: forks): the backend switch is global.
beforeAll(async () => {
  await useBackend(new Registry().use(backendsPlugin), 'wasm');
});

/** Backend kernel launches while `f` runs (every kernel registered for the active backend wrapped). */
function countKernels(f: () => void): Map<string, number> {
  const backend = tf.getBackend();
  const counts = new Map<string, number>();
  const originals = tf.getKernelsForBackend(backend).map((k) => ({ ...k }));
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({ ...k, kernelFunc: (args) => (counts.set(k.kernelName, (counts.get(k.kernelName) ?? 0) + 1), k.kernelFunc(args)) });
  }
  try {
    f();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return counts;
}

/** Runs `f` on the cpu backend and returns to wasm. */
async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend('wasm');
  }
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    expect(Number.isFinite(got[i]), `${what}[${i}] finite`).toBe(Number.isFinite(want[i]));
    expect(Math.abs(got[i] - want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(rel * Math.max(scale, 1e-30));
  }
}

interface Problem {
  b: number;
  k: number;
  gains: Float32Array;
  direct: Float32Array;
  powers: Float32Array;
  weights?: Float32Array;
  noise: number;
}

/** Exponential gains, some links removed (zero gains, a mask), some powers exactly 0. */
function problem(b: number, k: number, seed: number, opts: { weights?: boolean; directScale?: number; noise?: number } = {}): Problem {
  const rng = new Rng(seed);
  const u = new Float64Array(b * k * k);
  rng.fillUniform(u, 0, 1);
  const gains = new Float32Array(b * k * k);
  for (let n = 0; n < gains.length; n++) gains[n] = u[n] < 0.2 ? 0 : -Math.log(u[n]);
  const direct = new Float32Array(b * k);
  for (let s = 0; s < b; s++)
    for (let i = 0; i < k; i++) {
      gains[(s * k + i) * k + i] *= opts.directScale ?? 1;
      direct[s * k + i] = gains[(s * k + i) * k + i];
    }
  const pu = new Float64Array(b * k);
  rng.fillUniform(pu, 0, 1);
  const powers = Float32Array.from(pu, (x) => (x < 0.15 ? 0 : x));
  let weights: Float32Array | undefined;
  if (opts.weights) {
    const w = new Float64Array(b * k);
    rng.fillUniform(w, 0.2, 2);
    weights = Float32Array.from(w);
  }
  return { b, k, gains, direct, powers, weights, noise: opts.noise ?? 0.5 };
}

/** Loss value and d loss / d powers through `loss`, on the active backend. */
function lossAndGrad(pr: Problem, loss: (g: tf.Tensor3D, d: tf.Tensor2D, p: tf.Tensor2D, w?: tf.Tensor2D) => tf.Scalar): { value: Float32Array; grad: Float32Array } {
  return tf.tidy(() => {
    const g = tf.tensor3d(pr.gains, [pr.b, pr.k, pr.k]);
    const d = tf.tensor2d(pr.direct, [pr.b, pr.k]);
    const w = pr.weights ? tf.tensor2d(pr.weights, [pr.b, pr.k]) : undefined;
    const p = tf.tensor2d(pr.powers, [pr.b, pr.k]);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => loss(g, d, x as tf.Tensor2D, w))(p);
    return { value: value.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array };
  });
}

describe('sumRateLoss (RrmSumRateLoss and its gradient kernel on wasm)', () => {
  const cases: [string, Problem, 'bits' | 'nats'][] = [
    ['weighted, bits', problem(6, 7, 1, { weights: true }), 'bits'],
    ['unweighted, nats', problem(5, 4, 2), 'nats'],
    ['K = 20, B = 64 (the MLP benchmark), weighted', problem(64, 20, 3, { weights: true, noise: 1 }), 'bits'],
    ['D2D-like direct gains 1e9 × the interference', problem(4, 6, 4, { directScale: 1e9, noise: 1e-3 }), 'bits'],
    ['one user (no interference)', problem(3, 1, 5, { weights: true }), 'nats'],
  ];
  for (const [name, pr, unit] of cases) {
    it(`matches −mean(sumRateTensor) on the cpu backend in value and gradient: ${name}`, async () => {
      expect(sumRateLossFused()).toBe(true);
      const fused = lossAndGrad(pr, (g, d, p, w) => sumRateLoss(g, d, p, pr.noise, w, unit));
      const want = await onCpu(() => lossAndGrad(pr, (g, d, p, w) => tf.neg(tf.mean(sumRateTensor(g, d, p, pr.noise, w, unit))) as tf.Scalar));
      expectClose(fused.value, want.value, 2e-6, 'loss');
      expectClose(fused.grad, want.grad, 5e-5, 'd loss / d p');
    });
  }

  it('all powers zero: rate 0, gradient λ_k d_k / σ² per sample', async () => {
    const pr = { ...problem(3, 5, 6, { weights: true }), noise: 2 };
    pr.powers.fill(0);
    const fused = lossAndGrad(pr, (g, d, p, w) => sumRateLoss(g, d, p, pr.noise, w, 'nats'));
    const want = await onCpu(() => lossAndGrad(pr, (g, d, p, w) => tf.neg(tf.mean(sumRateTensor(g, d, p, pr.noise, w, 'nats'))) as tf.Scalar));
    expect(Math.abs(fused.value[0])).toBe(0);
    expectClose(fused.grad, Float32Array.from(pr.direct, (d, n) => (-pr.weights![n] * d) / pr.noise / pr.b), 1e-6, 'closed form');
    expectClose(fused.grad, want.grad, 1e-6, 'cpu');
  });

  it('is one kernel forward and one backward (plus the shared saves), and the unfused ops elsewhere', async () => {
    const pr = problem(8, 5, 7, { weights: true });
    const counts = countKernels(() => lossAndGrad(pr, (g, d, p, w) => sumRateLoss(g, d, p, pr.noise, w)));
    expect(counts.get(SUM_RATE_LOSS)).toBe(1);
    expect(counts.get(SUM_RATE_LOSS_GRAD)).toBe(1);
    const other = [...counts].filter(([n]) => ![SUM_RATE_LOSS, SUM_RATE_LOSS_GRAD, 'Identity'].includes(n));
    // Outside the loss: the tensors' upload has no kernel; valueAndGrad seeds dy with one Fill.
    expect(other.reduce((a, [, c]) => a + c, 0)).toBeLessThanOrEqual(2);
    const cpu = await onCpu(() => {
      expect(sumRateLossFused()).toBe(false);
      return countKernels(() => lossAndGrad(pr, (g, d, p, w) => sumRateLoss(g, d, p, pr.noise, w)));
    });
    expect(cpu.get(SUM_RATE_LOSS)).toBeUndefined();
    expect([...cpu.values()].reduce((a, c) => a + c, 0)).toBeGreaterThan(10);
  });

  it('rejects shapes it was not built for when called directly', () => {
    const g = tf.zeros([2, 3, 3]);
    const d = tf.zeros([2, 4]);
    const p = tf.zeros([2, 3]);
    expect(() => tf.engine().runKernel(SUM_RATE_LOSS, { gains: g, direct: d, powers: p }, { noise: 1, scale: 1 })).toThrow(/RrmSumRateLoss: expected float32 gains/);
    tf.dispose([g, d, p]);
  });
});

describe('dense on wasm (the _FusedMatMul kernel also under gradient recording)', () => {
  const shapes: [string, number[], number, Activation][] = [
    ['MLP input layer [64, 400]·[400, 200], relu', [64, 400], 200, 'relu'],
    ['MLP output layer [64, 200]·[200, 20], sigmoid', [64, 200], 20, 'sigmoid'],
    ['per-node layer [8, 10, 3]·[3, 8], linear', [8, 10, 3], 8, 'none'],
    ['per-edge layer [4, 10, 10, 8]·[8, 16], tanh (not fusable: separate kernel)', [4, 10, 10, 8], 16, 'tanh'],
  ];
  for (const [name, xShape, fanOut, act] of shapes) {
    it(`matches matMul + bias + activation on the cpu backend in value and gradient: ${name}`, async () => {
      const fanIn = xShape[xShape.length - 1];
      const make = () => ({
        x: tf.randomNormal(xShape, 0, 1, 'float32', 1),
        w: tf.randomNormal([fanIn, fanOut], 0, 1 / Math.sqrt(fanIn), 'float32', 2) as tf.Tensor2D,
        b: tf.randomNormal([fanOut], 0, 0.5, 'float32', 3) as tf.Tensor1D,
        up: tf.randomNormal([...xShape.slice(0, -1), fanOut], 0, 1, 'float32', 4),
      });
      const run = (f: (x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor) =>
        tf.tidy(() => {
          const { x, w, b, up } = make();
          const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, ww as tf.Tensor2D, bb as tf.Tensor1D), up)))([x, w, b]);
          const y = tf.tidy(() => f(x, w, b));
          return { y: y.dataSync(), value: value.dataSync(), grads: grads.map((g) => g.dataSync()) };
        });
      const fused = run((x, w, b) => dense(x, w, b, act));
      const want = await onCpu(() => run((x, w, b) => activate(tf.add(tf.matMul(tf.reshape(x, [-1, fanIn]), w), b), act).reshape([...xShape.slice(0, -1), fanOut])));
      expectClose(fused.y, want.y, 1e-5, 'y');
      expectClose(fused.value, want.value, 1e-5, 'Σ y·up');
      ['dx', 'dW', 'db'].forEach((n, i) => expectClose(fused.grads[i], want.grads[i], 1e-5, n));
    });
  }

  it('runs the forward pass as one _FusedMatMul under tf.grad (no BatchMatMul + Add + Relu split)', () => {
    const x = tf.randomNormal([64, 400], 0, 1, 'float32', 5);
    const w = tf.variable(tf.randomNormal([400, 200], 0, 0.05, 'float32', 6));
    const b = tf.variable(tf.zeros([200]));
    const counts = countKernels(() => {
      const { grads } = tf.variableGrads(() => tf.sum(dense(x, w as unknown as tf.Tensor2D, b as unknown as tf.Tensor1D, 'relu', false)) as tf.Scalar, [w, b]);
      tf.dispose(Object.values(grads));
    });
    expect(counts.get('_FusedMatMul')).toBe(1);
    expect(counts.get('Relu')).toBeUndefined();
    tf.dispose([x, w, b]);
  });
});
