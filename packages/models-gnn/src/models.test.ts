import * as tf from '@tensorflow/tfjs';
import { sumRateTensor, type ModelBuilder, type PowerModel } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { gnnBuilder } from './gnn';
import { disposeInputs, maxAbsDiff, permuteBatch, randomBatch, toInputs, type RawBatch } from './test-helpers';
import { uwgnnBuilder } from './uwgnn';
import { uwmmseBuilder } from './uwmmse';
import { wcgcnBuilder } from './wcgcn';

/** Small configurations of every model (plus the defaults of the cheap ones). */
const MODELS: Record<string, ModelBuilder> = {
  'gnn (max, both)': gnnBuilder({ layers: 2, hidden: 6, message: [5, 4], update: [5] }),
  'gnn (sum, incoming, shared)': gnnBuilder({ layers: 2, hidden: 4, message: [4], update: [], aggregation: 'sum', edges: 'incoming', shareWeights: true }),
  'gnn (mean, outgoing, tanh)': gnnBuilder({ layers: 2, hidden: 4, message: [4], aggregation: 'mean', edges: 'outgoing', activation: 'tanh' }),
  wcgcn: wcgcnBuilder({ message: [6, 6], update: [4] }),
  uwgnn: uwgnnBuilder(),
  'uwgnn (unshared)': uwgnnBuilder({ layers: 2, shareWeights: false }),
  uwmmse: uwmmseBuilder(),
  'uwmmse (plain WMMSE)': uwmmseBuilder({ plainWmmse: true }),
};

const CTX = { users: 5, pmax: 2.5, noise: 0.5, seed: 42 };

function powers(model: PowerModel, raw: RawBatch, noise = CTX.noise, pmax = CTX.pmax): Float32Array {
  const inputs = toInputs(raw, noise, pmax);
  const p = model.apply(inputs);
  const out = p.dataSync() as Float32Array;
  p.dispose();
  disposeInputs(inputs);
  return out;
}

describe.each(Object.entries(MODELS))('%s', (_name, builder) => {
  it('outputs powers in [0, pmax], one per user', () => {
    const model = builder(CTX);
    const raw = randomBatch(3, 5, 1, { density: 0.7, directMean: 4 });
    const p = powers(model, raw);
    expect(p.length).toBe(15);
    for (const v of p) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(CTX.pmax);
    }
    model.dispose();
  });

  it('is permutation equivariant: relabelling users relabels the powers', () => {
    const model = builder(CTX);
    const raw = randomBatch(2, 5, 2, { density: 0.6, directMean: 3 });
    const perm = [3, 0, 4, 1, 2];
    const p = powers(model, raw);
    const q = powers(model, permuteBatch(raw, perm));
    const expected = new Float32Array(q.length);
    for (let b = 0; b < 2; b++) for (let i = 0; i < 5; i++) expected[b * 5 + i] = p[b * 5 + perm[i]];
    expect(maxAbsDiff(q, expected)).toBeLessThan(1e-5 * CTX.pmax);
    model.dispose();
  });

  it('built for K = 5, accepts K = 8 (and K = 1)', () => {
    const model = builder(CTX);
    expect(powers(model, randomBatch(2, 8, 3, { density: 0.5 })).length).toBe(16);
    const single = powers(model, randomBatch(2, 1, 3));
    expect(single.length).toBe(2);
    for (const v of single) expect(v).toBeGreaterThanOrEqual(0);
    model.dispose();
  });

  it('respects the mask: masked links with gains equal absent links (gain 0)', () => {
    const model = builder(CTX);
    const raw = randomBatch(2, 6, 4, { directMean: 3 });
    // Cut node 0 off in both directions (mask 0), keeping non-zero gains in `kept` and zeroing them in `zeroed`.
    const kept = { ...raw, gains: raw.gains.slice(), mask: raw.mask.slice() };
    const zeroed = { ...raw, gains: raw.gains.slice(), mask: raw.mask.slice() };
    for (let b = 0; b < 2; b++) {
      for (let j = 1; j < 6; j++) {
        for (const idx of [(b * 6 + 0) * 6 + j, (b * 6 + j) * 6 + 0]) {
          kept.mask[idx] = 0;
          zeroed.mask[idx] = 0;
          zeroed.gains[idx] = 0;
          expect(kept.gains[idx]).toBeGreaterThan(0);
        }
      }
    }
    expect(maxAbsDiff(powers(model, kept), powers(model, zeroed))).toBeLessThan(1e-6);
    // …and cutting node 0 off changes the result (the mask is not ignored).
    expect(maxAbsDiff(powers(model, kept), powers(model, raw))).toBeGreaterThan(1e-6);
    model.dispose();
  });

  it('stays finite with a dead link (g_ii = 0), an isolated node and σ² = 0', () => {
    const model = builder(CTX);
    const raw = randomBatch(2, 4, 8, { directMean: 2 });
    raw.gains[0] = 0; // sample 0, link 0: no direct gain
    for (let j = 0; j < 4; j++) {
      if (j === 1) continue;
      for (const idx of [(4 + 1) * 4 + j, (4 + j) * 4 + 1]) {
        raw.gains[idx] = 0; // sample 1, node 1: no interference either way
        raw.mask[idx] = 0;
      }
    }
    for (const noise of [CTX.noise, 0]) {
      for (const v of powers(model, raw, noise)) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(CTX.pmax);
      }
    }
    model.dispose();
  });

  it('is seeded: the same seed gives identical weights and outputs', () => {
    const a = builder(CTX);
    const b = builder(CTX);
    const raw = randomBatch(2, 5, 5);
    expect(Array.from(powers(a, raw))).toEqual(Array.from(powers(b, raw)));
    const names = a.namedWeights().map((w) => w.name);
    expect(b.namedWeights().map((w) => w.name)).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    if (a.paramCount() > 0) {
      const c = builder({ ...CTX, seed: 43 });
      expect(maxAbsDiff(powers(a, raw), powers(c, raw))).toBeGreaterThan(0);
      c.dispose();
    }
    a.dispose();
    b.dispose();
  });

  it('round-trips its weights through namedWeights/loadWeights', () => {
    const a = builder(CTX);
    const c = builder({ ...CTX, seed: 7 });
    const raw = randomBatch(2, 5, 6, { density: 0.8 });
    const record: Record<string, tf.Tensor> = {};
    for (const w of a.namedWeights()) record[w.name] = w.tensor.clone();
    c.loadWeights(record);
    expect(Array.from(powers(c, raw))).toEqual(Array.from(powers(a, raw)));
    expect(c.namedWeights().reduce((s, w) => s + w.tensor.size, 0)).toBe(c.paramCount());
    tf.dispose(Object.values(record));
    a.dispose();
    c.dispose();
  });

  it('loadWeights leaks no tensors, also when it casts int32 weights to float32', () => {
    const model = builder(CTX);
    const floats: Record<string, tf.Tensor> = {};
    const ints: Record<string, tf.Tensor> = {};
    model.namedWeights().forEach((w, n) => {
      floats[w.name] = w.tensor.clone();
      ints[w.name] = tf.fill(w.tensor.shape, (n % 3) - 1, 'int32');
    });
    const before = tf.memory().numTensors;
    model.loadWeights(ints);
    expect(tf.memory().numTensors).toBe(before);
    model.namedWeights().forEach((w, n) => {
      expect(w.tensor.dtype).toBe('float32');
      expect(Array.from(w.tensor.dataSync()).every((v) => v === (n % 3) - 1)).toBe(true);
    });
    model.loadWeights(floats);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...Object.values(floats), ...Object.values(ints)]);
    model.dispose();
  });

  it('trains: finite gradients for every parameter, and no leaked tensors', () => {
    const model = builder(CTX);
    const inputs = toInputs(randomBatch(2, 5, 7, { density: 0.7, directMean: 3 }), CTX.noise, CTX.pmax);
    const before = tf.memory().numTensors;
    const p = model.apply(inputs);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    if (model.trainable.length > 0) {
      const loss = () => tf.neg(tf.mean(sumRateTensor(inputs.gains, inputs.direct, model.apply(inputs), inputs.noise, inputs.weights))) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, model.trainable);
      expect(Object.keys(grads).length).toBe(model.trainable.length);
      let nonZero = 0;
      for (const g of Object.values(grads)) {
        const d = g.dataSync();
        for (const v of d) expect(Number.isFinite(v)).toBe(true);
        if (d.some((v) => v !== 0)) nonZero++;
      }
      expect(nonZero).toBeGreaterThan(0);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(model.macsPerSample(10)).toBeGreaterThan(model.macsPerSample(5));
    disposeInputs(inputs);
    model.dispose();
  });
});

describe('parameter counts match hand counts from the layer sizes', () => {
  const count = (b: ModelBuilder) => {
    const m = b(CTX);
    const n = m.paramCount();
    const stored = m.namedWeights().reduce((s, w) => s + w.tensor.size, 0);
    m.dispose();
    expect(stored).toBe(n);
    return n;
  };

  it('gnn', () => {
    // state 2 + 4 = 6 wide, 1 edge feature; φ: (6+1)→3; ψ: (6+3)→5→4; readout 4→1.
    const phi = 7 * 3 + 3;
    const psi = 9 * 5 + 5 + (5 * 4 + 4);
    const readout = 4 + 1;
    const small = { layers: 2, hidden: 4, message: [3], update: [5], edges: 'incoming' };
    expect(count(gnnBuilder(small))).toBe(2 * (phi + psi) + readout);
    expect(count(gnnBuilder({ ...small, shareWeights: true }))).toBe(phi + psi + readout);
    // Defaults: state 2 + 32, 2 edge features; φ: 36→32→32; ψ: 66→32→32; 3 layers; readout 32→1.
    expect(count(gnnBuilder())).toBe(3 * (36 * 32 + 32 + 32 * 32 + 32 + (66 * 32 + 32) + (32 * 32 + 32)) + 33);
  });

  it('wcgcn', () => {
    // MLP1: (3 + 2)→4; MLP2: (3 + 4)→3→1.
    expect(count(wcgcnBuilder({ message: [4], update: [3] }))).toBe(5 * 4 + 4 + (7 * 3 + 3) + (3 + 1));
    // Defaults: MLP1 [5→32→32], MLP2 [35→16→1], shared by the 3 layers.
    expect(count(wcgcnBuilder())).toBe(5 * 32 + 32 + 32 * 32 + 32 + (35 * 16 + 16) + (16 + 1));
  });

  it('uwgnn', () => {
    const mlp = (sizes: number[]) => sizes.slice(1).reduce((s, out, l) => s + sizes[l] * out + out, 0);
    // d = 2, messages 3, hidden 4: MLP1 {5,4,3}, MLP2 {3+3,4,2}, MLP3 {3+2,4,2}, MLP4 {4+2,4,3}, MLP5 {1+2+4+3,4,1}.
    const small = mlp([5, 4, 3]) + mlp([6, 4, 2]) + mlp([5, 4, 2]) + mlp([6, 4, 3]) + mlp([10, 4, 1]);
    expect(count(uwgnnBuilder({ dim: 2, message: 3, hidden: 4 }))).toBe(small);
    expect(count(uwgnnBuilder({ dim: 2, message: 3, hidden: 4, layers: 2, shareWeights: false }))).toBe(2 * small);
    // Defaults: the paper's {5,8,16}, {19,8,4}, {7,8,4}, {10,8,16}, {27,8,1}.
    expect(count(uwgnnBuilder())).toBe(mlp([5, 8, 16]) + mlp([19, 8, 4]) + mlp([7, 8, 4]) + mlp([10, 8, 16]) + mlp([27, 8, 1]));
  });

  it('uwmmse', () => {
    // Per layer: two GCNs [2 → h → 1] (W_nbr and W_self per graph layer, one bias) and μ.
    const gcn = (h: number) => 2 * (2 * h) + h + (2 * h + 1);
    expect(count(uwmmseBuilder({ layers: 2, hidden: 3 }))).toBe(2 * (2 * gcn(3) + 1));
    expect(count(uwmmseBuilder())).toBe(4 * (2 * gcn(5) + 1));
    expect(count(uwmmseBuilder({ plainWmmse: true }))).toBe(0);
  });
});

describe('uwgnn MLP sizes', () => {
  it('match the paper: {5,8,16}, {19,8,4}, {7,8,4}, {10,8,16}, {27,8,1}', () => {
    const m = uwgnnBuilder()(CTX);
    const shapes = Object.fromEntries(m.namedWeights().map((w) => [w.name, w.tensor.shape]));
    expect(shapes['shared/mlp1/w0']).toEqual([5, 8]);
    expect(shapes['shared/mlp1/w1']).toEqual([8, 16]);
    expect(shapes['shared/mlp2/w0']).toEqual([19, 8]);
    expect(shapes['shared/mlp2/w1']).toEqual([8, 4]);
    expect(shapes['shared/mlp3/w0']).toEqual([7, 8]);
    expect(shapes['shared/mlp3/w1']).toEqual([8, 4]);
    expect(shapes['shared/mlp4/w0']).toEqual([10, 8]);
    expect(shapes['shared/mlp4/w1']).toEqual([8, 16]);
    expect(shapes['shared/mlp5/w0']).toEqual([27, 8]);
    expect(shapes['shared/mlp5/w1']).toEqual([8, 1]);
    m.dispose();
  });
});
