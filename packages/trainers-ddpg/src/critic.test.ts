import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, disposeInputs, modelInputs, sumRates } from '@rrm/core';
import { GraphCritic, MlpCritic, createCritic, resolveCriticOptions } from './critic';
import { criticUpdate } from './ddpg';
import { testChannels } from './test-fixtures';

describe('critics', () => {
  it('score [B] with seeded init, named weights and parameter counts', () => {
    const ch = testChannels(5, 3, 1);
    const inputs = modelInputs(ch, { noise: 1, pmax: 2 });
    const p = tf.fill([5, 3], 1) as tf.Tensor2D;
    const a = new MlpCritic(3, [8], 42);
    const b = new MlpCritic(3, [8], 42);
    const c = new MlpCritic(3, [8], 43);
    expect(a.apply(inputs, p).shape).toEqual([5]);
    expect(Array.from(a.apply(inputs, p).dataSync())).toEqual(Array.from(b.apply(inputs, p).dataSync()));
    expect(Array.from(a.apply(inputs, p).dataSync())).not.toEqual(Array.from(c.apply(inputs, p).dataSync()));
    expect(a.paramCount()).toBe((2 * 9 + 6) * 8 + 8 + 8 + 1);
    expect(a.namedWeights().map((w) => w.name)).toEqual(['dense0/kernel', 'dense0/bias', 'output/kernel', 'output/bias']);
    c.loadWeights(Object.fromEntries(a.namedWeights().map((w) => [w.name, w.tensor])));
    expect(Array.from(c.apply(inputs, p).dataSync())).toEqual(Array.from(a.apply(inputs, p).dataSync()));
    // the MLP critic is tied to K; the graph critic is not
    const other = modelInputs(testChannels(2, 4, 2), { noise: 1, pmax: 2 });
    expect(() => a.apply(other, tf.ones([2, 4]))).toThrow(/K = 3/);
    const g = new GraphCritic([8], 1);
    expect(g.apply(inputs, p).shape).toEqual([5]);
    expect(g.apply(other, tf.ones([2, 4]) as tf.Tensor2D).shape).toEqual([2]);
    expect(g.paramCount()).toBe(8 * 8 + 8 + 8 + 1);
    expect(createCritic(resolveCriticOptions({}), { users: 3, seed: 1, actorKind: 'mlp' }).kind).toBe('mlp');
    expect(createCritic(resolveCriticOptions({}), { users: 3, seed: 1, actorKind: 'gnn' }).kind).toBe('graph');
    expect(() => resolveCriticOptions({ kind: 'cnn' })).toThrow(/trainer\.critic\.kind/);
    [a, b, c, g].forEach((m) => m.dispose());
    disposeInputs(inputs);
    disposeInputs(other);
  });

  it('graph critic sums node scores: permuting the links leaves V unchanged', () => {
    const ch = testChannels(1, 3, 4);
    const perm = [2, 0, 1];
    const g2 = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) g2[i * 3 + j] = ch.gains[perm[i] * 3 + perm[j]];
    const p = [0.2, 0.7, 1];
    const crit = new GraphCritic([16], 3);
    const v = (gains: Float64Array, powers: number[]) => {
      const inp = modelInputs({ batch: 1, users: 3, gains }, { noise: 1, pmax: 1 });
      const out = crit.apply(inp, tf.tensor2d([powers])).dataSync()[0];
      disposeInputs(inp);
      return out;
    };
    expect(v(g2, perm.map((i) => p[i]))).toBeCloseTo(v(ch.gains, p), 4);
    crit.dispose();
  });

  for (const kind of ['mlp', 'graph'] as const) {
    it(`${kind} critic learns the reward surface of a fixed problem (MSE ≪ reward variance)`, async () => {
      const users = 3;
      const noise = 0.5;
      const channels = testChannels(64, users, 9);
      const rng = new Rng(10);
      const draw = () => {
        const p = rng.fillUniform(new Float64Array(64 * users));
        return { p, r: sumRates(channels, p, { noise }) };
      };
      const inputs = modelInputs(channels, { noise, pmax: 1 });
      const critic = createCritic({ kind, hidden: [64, 64] }, { users, seed: 2 });
      const opt = tf.train.adam(3e-3);
      const heldOut = draw();
      const mse = () =>
        tf.tidy(() => tf.mean(tf.square(tf.sub(critic.apply(inputs, tf.tensor2d(Float32Array.from(heldOut.p), [64, users])), tf.tensor1d(Float32Array.from(heldOut.r))))).dataSync()[0]);
      const rMean = heldOut.r.reduce((a, b) => a + b, 0) / 64;
      const variance = heldOut.r.reduce((a, b) => a + (b - rMean) ** 2, 0) / 64;
      const before = mse();
      for (let s = 0; s < 400; s++) {
        const { p, r } = draw();
        const a = tf.tensor2d(Float32Array.from(p), [64, users]);
        const y = tf.tensor1d(Float32Array.from(r));
        await criticUpdate(critic, opt, inputs, a, y, 10);
        tf.dispose([a, y]);
      }
      const after = mse();
      expect(after).toBeLessThan(0.2 * variance);
      expect(after).toBeLessThan(before);
      opt.dispose();
      critic.dispose();
      disposeInputs(inputs);
    });
  }
});
