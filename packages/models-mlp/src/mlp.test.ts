import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, Rng, ValidationError, disposeInputs, modelInputs, parseLayerOptions, type ChannelBatch, type ModelInputs } from '@rrm/core';
import { MlpModel, createMlp, mlpPlugin, mlpSchema } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Exponential(1) power gains (Rayleigh fading): g = −log(1 − u). */
function channels(batch: number, users: number, seed: number): ChannelBatch {
  const rng = new Rng(seed);
  const gains = new Float64Array(batch * users * users);
  for (let n = 0; n < gains.length; n++) gains[n] = -Math.log(1 - rng.uniform());
  return { batch, users, gains };
}

function inputs(batch: number, users: number, seed = 1, pmax = 2): ModelInputs {
  return modelInputs(channels(batch, users, seed), { noise: 1, pmax });
}

describe('MLP policy', () => {
  it('outputs powers in [0, pmax] with shape [B, K] for every input transform', () => {
    for (const input of ['standardize', 'log', 'raw'] as const) {
      const x = inputs(16, 4, 3, 2.5);
      const model = createMlp({ hidden: [8], input, activation: 'tanh' }, { users: 4, pmax: 2.5, noise: 1, seed: 7 });
      model.fit(x);
      const p = model.apply(x);
      expect(p.shape).toEqual([16, 4]);
      const v = p.dataSync();
      for (const q of v) {
        expect(q).toBeGreaterThanOrEqual(0);
        expect(q).toBeLessThanOrEqual(2.5);
      }
      tf.dispose(p);
      disposeInputs(x);
      model.dispose();
    }
  });

  it('rejects inputs with another K, naming model and both K values', () => {
    const model = createMlp({ hidden: [4] }, { users: 4, pmax: 1, noise: 1, seed: 1 });
    const x = inputs(2, 5);
    try {
      model.apply(x);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const msg = (err as Error).message;
      expect(msg.startsWith('model:')).toBe(true);
      expect(msg).toContain('K = 4');
      expect(msg).toContain('K = 5');
    }
    disposeInputs(x);
    model.dispose();
  });

  it('counts parameters and MACs by hand', () => {
    const ctx = { users: 3, pmax: 1, noise: 1, seed: 1 };
    const a = createMlp({ hidden: [5, 4] }, ctx);
    // in = 9: (9·5 + 5) + (5·4 + 4) + (4·3 + 3) = 50 + 24 + 15
    expect(a.paramCount()).toBe(89);
    expect(a.macsPerSample(3)).toBe(9 * 5 + 5 * 4 + 4 * 3);
    const b = createMlp({ hidden: [5, 4], useWeights: true }, ctx);
    // in = 9 + 3 = 12: (12·5 + 5) + 24 + 15
    expect(b.paramCount()).toBe(104);
    // Input statistics are saved but not trained.
    expect(a.namedWeights().map((w) => w.name)).toEqual([
      'dense0/kernel',
      'dense0/bias',
      'dense1/kernel',
      'dense1/bias',
      'output/kernel',
      'output/bias',
      'input/mean',
      'input/std',
    ]);
    expect(createMlp({ hidden: [5, 4], input: 'log' }, ctx).namedWeights()).toHaveLength(6);
    a.dispose();
    b.dispose();
  });

  it('is deterministic: the same seed gives the same weights, another seed others', () => {
    const ctx = { users: 4, pmax: 1, noise: 1, seed: 42 };
    const a = createMlp({ hidden: [6] }, ctx);
    const b = createMlp({ hidden: [6] }, ctx);
    const c = createMlp({ hidden: [6] }, { ...ctx, seed: 43 });
    const wa = a.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    const wb = b.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    const wc = c.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
    expect(wa).toEqual(wb);
    expect(wa).not.toEqual(wc);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('fits standardisation statistics, and save/load round-trips them with the weights', () => {
    const ctx = { users: 3, pmax: 1, noise: 1, seed: 5 };
    const x = inputs(64, 3, 9, 1);
    const a = createMlp({ hidden: [7, 7], useWeights: true }, ctx);
    a.fit(x);
    const mean = a.namedWeights().find((w) => w.name === 'input/mean')!.tensor.dataSync();
    // The first feature is g_00: its mean over the samples.
    const g = x.gains.arraySync();
    const m0 = g.reduce((acc, s) => acc + s[0][0], 0) / g.length;
    expect(mean[0]).toBeCloseTo(m0, 5);
    // Constant weight features (all ones) keep σ = 1.
    const std = a.namedWeights().find((w) => w.name === 'input/std')!.tensor.dataSync();
    expect(std[9]).toBe(1);

    const saved: Record<string, tf.Tensor> = {};
    for (const { name, tensor } of a.namedWeights()) saved[name] = tensor.clone();
    const b = createMlp({ hidden: [7, 7], useWeights: true }, { ...ctx, seed: 99 });
    const pa = a.apply(x);
    const pb0 = b.apply(x);
    expect(Array.from(pb0.dataSync())).not.toEqual(Array.from(pa.dataSync()));
    b.loadWeights(saved);
    tf.dispose(Object.values(saved)); // loadWeights copies
    const pb = b.apply(x);
    expect(Array.from(pb.dataSync())).toEqual(Array.from(pa.dataSync()));
    tf.dispose([pa, pb0, pb]);

    expect(() => b.loadWeights({})).toThrow(/output\/kernel|dense0\/kernel/);
    const wrong = { ...Object.fromEntries(b.namedWeights().map((w) => [w.name, w.tensor])), 'output/bias': tf.zeros([4]) };
    expect(() => b.loadWeights(wrong)).toThrow(/shape \[3\]/);
    disposeInputs(x);
    a.dispose();
    b.dispose();
  });

  it('does not leak tensors in apply, fit or dispose', () => {
    const x = inputs(8, 3);
    const before = tf.memory().numTensors;
    const model = createMlp({ hidden: [4] }, { users: 3, pmax: 1, noise: 1, seed: 1 });
    model.fit(x);
    tf.dispose(model.apply(x));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeInputs(x);
  });

  it('gradients flow to every trainable weight', () => {
    const x = inputs(8, 3);
    const model = createMlp({ hidden: [4], activation: 'elu' }, { users: 3, pmax: 1, noise: 1, seed: 1 });
    const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x)) as tf.Scalar, model.trainable);
    expect(Object.keys(grads)).toHaveLength(model.trainable.length);
    for (const g of Object.values(grads)) expect(Math.max(...Array.from(g.abs().dataSync()))).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    disposeInputs(x);
    model.dispose();
  });
});

describe('mlp plugin', () => {
  it('registers model mlp; the factory validates options before building', () => {
    const registry = new Registry().use(mlpPlugin);
    const build = registry.create('model', { kind: 'mlp', hidden: [3], activation: 'tanh' });
    const model = build({ users: 2, pmax: 1, noise: 1, seed: 0 });
    expect(model).toBeInstanceOf(MlpModel);
    expect(model.options).toEqual({ hidden: [3], activation: 'tanh', input: 'standardize', useWeights: false });
    model.dispose();
    expect(() => registry.create('model', { kind: 'mlp', hiden: [3] })).toThrow(/model\.hiden/);
    expect(() => registry.create('model', { kind: 'mlp', hidden: [0] })).toThrow(/model\.hidden\[0\]/);
    expect(() => registry.create('model', { kind: 'mlp', activation: 'gelu' })).toThrow(/model\.activation/);
    expect(() => registry.create('model', { kind: 'mlp', input: 'log2' })).toThrow(/model\.input/);
    expect(() => parseLayerOptions(mlpSchema, { useWeights: 'yes' }, 'student')).toThrow(/student\.useWeights/);
    expect(parseLayerOptions(mlpSchema, {}, 'model')).toEqual({ hidden: [200, 200], activation: 'relu', input: 'standardize', useWeights: false });
  });
});
