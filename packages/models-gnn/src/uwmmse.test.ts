import * as tf from '@tensorflow/tfjs';
import { ParamStore, Rng } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { DenseGraph } from './graph';
import { disposeInputs, maxAbsDiff, randomBatch, toInputs, type RawBatch } from './test-helpers';
import { GcnConv, uwmmseBuilder, type GcnInputs } from './uwmmse';

/**
 * The weighted WMMSE iteration written out independently from the equations, in float64 (h = √g):
 *   u_i = h_ii v_i / (Σ_j g_ij v_j² + σ²)
 *   w_i = 1 / (1 − u_i h_ii v_i)
 *   v_i = clamp(λ_i w_i u_i h_ii / Σ_j λ_j w_j u_j² g_ji, 0, √pmax)
 * from v = √pmax; returns the powers v² after `iterations` rounds.
 */
function wmmse(raw: RawBatch, noise: number, pmax: number, iterations: number): Float64Array {
  const { batch, users: k, gains: g, weights: lam } = raw;
  const out = new Float64Array(batch * k);
  for (let b = 0; b < batch; b++) {
    const G = (i: number, j: number) => g[(b * k + i) * k + j];
    const L = (i: number) => lam[b * k + i];
    let v = new Array<number>(k).fill(Math.sqrt(pmax));
    for (let t = 0; t < iterations; t++) {
      const u = new Array<number>(k);
      const w = new Array<number>(k);
      for (let i = 0; i < k; i++) {
        let den = noise;
        for (let j = 0; j < k; j++) den += G(i, j) * v[j] * v[j];
        u[i] = (Math.sqrt(G(i, i)) * v[i]) / den;
        w[i] = 1 / (1 - u[i] * Math.sqrt(G(i, i)) * v[i]);
      }
      const next = new Array<number>(k);
      for (let i = 0; i < k; i++) {
        let den = 0;
        for (let j = 0; j < k; j++) den += L(j) * w[j] * u[j] * u[j] * G(j, i);
        const vi = (L(i) * w[i] * u[i] * Math.sqrt(G(i, i))) / den;
        next[i] = Math.min(Math.max(vi, 0), Math.sqrt(pmax));
      }
      v = next;
    }
    for (let i = 0; i < k; i++) out[b * k + i] = v[i] * v[i];
  }
  return out;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>, pmax: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / pmax);
  return m;
}

describe('UWMMSE with a = 1, b = 0, μ = 0 is WMMSE', () => {
  const cases = [
    { name: 'dense graph, σ² = 1, pmax = 1', batch: 4, users: 6, density: 1, directMean: 5, noise: 1, pmax: 1 },
    { name: 'sparse graph, σ² = 0.1, pmax = 3', batch: 4, users: 7, density: 0.5, directMean: 10, noise: 0.1, pmax: 3 },
    { name: 'very sparse graph, weak direct links, some powers clamped at pmax', batch: 3, users: 5, density: 0.3, directMean: 0.3, noise: 0.05, pmax: 2 },
  ];
  for (const c of cases) {
    it(`reproduces 4 WMMSE iterations to float32 tolerance: ${c.name}`, () => {
      const raw = randomBatch(c.batch, c.users, 17, { density: c.density, directMean: c.directMean });
      const model = uwmmseBuilder({ plainWmmse: true })({ users: c.users, pmax: c.pmax, noise: c.noise, seed: 1 });
      const inputs = toInputs(raw, c.noise, c.pmax);
      const p = model.apply(inputs);
      const expected = wmmse(raw, c.noise, c.pmax, 4);
      expect(relErr(p.dataSync(), expected, c.pmax)).toBeLessThan(2e-5);
      // A different iteration count is a different result (the layers really are iterations).
      const three = uwmmseBuilder({ plainWmmse: true, layers: 3 })({ users: c.users, pmax: c.pmax, noise: c.noise, seed: 1 });
      const p3 = three.apply(inputs);
      expect(relErr(p3.dataSync(), wmmse(raw, c.noise, c.pmax, 3), c.pmax)).toBeLessThan(2e-5);
      expect(relErr(p3.dataSync(), p.dataSync(), c.pmax)).toBeGreaterThan(1e-3);
      if (c.density < 0.5) expect(Array.from(expected).some((v) => Math.abs(v - c.pmax) < 1e-12)).toBe(true);
      tf.dispose([p, p3]);
      disposeInputs(inputs);
    });
  }

  /**
   * Zeroes the GCN weights (and μ) and saturates the output layers' sigmoids through their biases:
   * a = σ(40) = 1, b = σ(−40) ≈ 4e-18, whatever the node's direct-link feature D = f(g_ii).
   */
  function saturate(model: ReturnType<ReturnType<typeof uwmmseBuilder>>): void {
    const weights: Record<string, tf.Tensor> = {};
    for (const { name, tensor } of model.namedWeights()) {
      const bias = /\/a\/b1$/.test(name) ? 40 : /\/b\/b1$/.test(name) ? -40 : 0;
      weights[name] = tf.fill(tensor.shape, bias);
    }
    model.loadWeights(weights);
    tf.dispose(Object.values(weights));
  }

  it('the learned model reduces to WMMSE when its GCNs give a → 1, b → 0 and μ = 0', () => {
    const raw = randomBatch(3, 6, 5, { density: 0.7, directMean: 5 });
    const model = uwmmseBuilder()({ users: 6, pmax: 1, noise: 1, seed: 3 });
    saturate(model);
    const inputs = toInputs(raw, 1, 1);
    const p = model.apply(inputs);
    expect(relErr(p.dataSync(), wmmse(raw, 1, 1, 4), 1)).toBeLessThan(2e-5);
    tf.dispose(p);
    disposeInputs(inputs);
    model.dispose();
  });

  it('the GCN bias is not scaled by the direct-link feature: a weak direct link (g_ii = 0.05) still gets a → 1, b → 0', () => {
    // X' = act(S·X·W_nbr + diag(D)·X·W_self + b). Scaling b by D = ln(1 + 0.05) ≈ 0.049 as well would give
    // a = σ(40·D) ≈ 0.875 and b ≈ 0.125 for user 0, which is no longer WMMSE (p_0 ≈ 0.884 instead of 0.926).
    // User 0 barely suffers interference but causes some at user 1, so its WMMSE power is interior.
    const raw: RawBatch = {
      batch: 1,
      users: 3,
      gains: Float64Array.from([0.05, 0.01, 0.01, 0.08, 4, 0.1, 0.01, 0.5, 3]),
      mask: Float64Array.from([0, 1, 1, 1, 0, 1, 1, 1, 0]),
      weights: Float64Array.from([1, 0.8, 1.2]),
    };
    const model = uwmmseBuilder()({ users: 3, pmax: 1, noise: 1, seed: 3 });
    saturate(model);
    const inputs = toInputs(raw, 1, 1);
    const p = model.apply(inputs);
    const expected = wmmse(raw, 1, 1, 4);
    expect(expected[0]).toBeGreaterThan(0.1); // user 0's power is interior, so a and b matter for it
    expect(expected[0]).toBeLessThan(0.99);
    expect(relErr(p.dataSync(), expected, 1)).toBeLessThan(2e-5);
    tf.dispose(p);
    disposeInputs(inputs);
    model.dispose();
  });

  it('names its parameters per layer: a, b GCNs and μ', () => {
    const model = uwmmseBuilder({ layers: 2, hidden: 3 })({ users: 4, pmax: 1, noise: 1, seed: 1 });
    const names = model.namedWeights().map((w) => w.name);
    expect(names).toContain('layer0/a/w_nbr0');
    expect(names).toContain('layer0/a/w_self1');
    expect(names).toContain('layer1/b/b0');
    expect(names).toContain('layer1/mu');
    expect(model.namedWeights().find((w) => w.name === 'layer0/mu')?.tensor.dataSync()[0]).toBe(0);
    model.dispose();
  });
});

describe('GcnConv', () => {
  it("its fused S·(X·W_nbr) equals PyG's message then masked sum, in value and gradient", () => {
    class TextbookGcn extends GcnConv {
      protected override messageAndAggregate(inputs: GcnInputs): tf.Tensor3D {
        return this.aggregate(this.message(inputs), inputs.graph);
      }
    }
    const [fusedStore, plainStore] = [new ParamStore(), new ParamStore()];
    const fused = new GcnConv(fusedStore, 'g', 0, [2, 3], 'relu', 'glorot', new Rng(4));
    const plain = new TextbookGcn(plainStore, 'g', 0, [2, 3], 'relu', 'glorot', new Rng(4));
    tf.tidy(() => {
      const mask = tf.mul(tf.step(tf.randomUniform([2, 4, 4], -0.5, 0.5, 'float32', 1)), tf.sub(1, tf.eye(4))) as tf.Tensor3D;
      const inputs = (x: tf.Tensor3D) => ({ x, s: tf.mul(tf.randomUniform([2, 4, 4], 0, 1, 'float32', 2), mask) as tf.Tensor3D, d: tf.randomUniform([2, 4, 1], 0, 2, 'float32', 3) as tf.Tensor3D, graph: new DenseGraph(mask) });
      const x = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 4) as tf.Tensor3D;
      const a = tf.variableGrads(() => tf.sum(tf.square(fused.forward(inputs(x)))) as tf.Scalar, fusedStore.trainable);
      const b = tf.variableGrads(() => tf.sum(tf.square(plain.forward(inputs(x)))) as tf.Scalar, plainStore.trainable);
      expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0], 5);
      fusedStore.trainable.forEach((v, i) => expect(maxAbsDiff(a.grads[v.name].dataSync(), b.grads[plainStore.trainable[i].name].dataSync())).toBeLessThan(1e-5));
    });
    fusedStore.dispose();
    plainStore.dispose();
  });
});
