import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeChannelBatch } from './channel-batch';
import { meanSumRate, sinr, sumRates, userRates } from './objective';
import { channelTensors, sumRateTensor } from './objective-tensor';
import { Rng } from './random';

describe('Float64 objective', () => {
  it('K = 1 is log2(1 + g p / σ²)', () => {
    const ch = makeChannelBatch([3], [1, 1, 1]);
    expect(sumRates(ch, [0.5], { noise: 2 })[0]).toBeCloseTo(Math.log2(1 + (3 * 0.5) / 2), 14);
  });

  it('K = 2 matches the hand-written SINR with the rx-tx convention', () => {
    // g = [[g11, g12], [g21, g22]]: g12 is from transmitter 2 to receiver 1.
    const g = [2, 0.5, 0.25, 4];
    const p = [1, 0.3];
    const ch = makeChannelBatch(g, [1, 2, 2]);
    const s = sinr(ch, p, 0.1);
    expect(s[0]).toBeCloseTo((2 * 1) / (0.5 * 0.3 + 0.1), 12);
    expect(s[1]).toBeCloseTo((4 * 0.3) / (0.25 * 1 + 0.1), 12);
    const w = new Float64Array([0.2, 0.7]);
    const r = sumRates(ch, p, { noise: 0.1, weights: w })[0];
    expect(r).toBeCloseTo(0.2 * Math.log2(1 + s[0]) + 0.7 * Math.log2(1 + s[1]), 12);
  });

  it('nats differ from bits by ln 2', () => {
    const ch = makeChannelBatch([1, 0.2, 0.3, 1], [1, 2, 2]);
    const bits = userRates(ch, [1, 1], { noise: 1 });
    const nats = userRates(ch, [1, 1], { noise: 1, unit: 'nats' });
    expect(nats[0] / bits[0]).toBeCloseTo(Math.LN2, 12);
  });

  it('per-sample weights on the batch take precedence over scenario weights', () => {
    const ch = makeChannelBatch([1, 0, 0, 1], [1, 2, 2], { weights: [1, 0] });
    expect(meanSumRate(ch, [1, 1], { noise: 1, weights: new Float64Array([0, 1]) })).toBeCloseTo(1, 12);
  });
});

function randomBatch(rng: Rng, batch: number, users: number) {
  const g = new Float64Array(batch * users * users).map(() => -Math.log(1 - rng.uniform()));
  const w = new Float64Array(batch * users).map(() => rng.uniform());
  const p = new Float64Array(batch * users).map(() => rng.uniform());
  return { ch: makeChannelBatch(g, [batch, users, users], { weights: w }), p };
}

describe('tensor objective', () => {
  it('agrees with the Float64 reference to 1e-5 relative', () => {
    const { ch, p } = randomBatch(new Rng(1), 16, 7);
    for (const unit of ['bits', 'nats'] as const) {
      const exact = sumRates(ch, p, { noise: 0.5, unit });
      const t = channelTensors(ch.gains, ch.batch, ch.users, ch.weights);
      const got = sumRateTensor(t.gains, t.direct, tf.tensor2d(Float32Array.from(p), [16, 7]), 0.5, t.weights, unit).dataSync();
      for (let b = 0; b < 16; b++) expect(Math.abs(got[b] - exact[b]) / exact[b]).toBeLessThan(1e-5);
    }
  });

  it('keeps interference when direct gains dwarf it (D2D scale, g_ii ~ 1e11): float32 within 1e-5 of Float64', () => {
    const rng = new Rng(3);
    const B = 20;
    const K = 8;
    const g = new Float64Array(B * K * K);
    for (let b = 0; b < B; b++) for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) g[(b * K + i) * K + j] = i === j ? 1e11 * (0.5 + rng.uniform()) : 1e3 * rng.uniform();
    const ch = makeChannelBatch(g, [B, K, K]);
    const p = new Float64Array(B * K).map(() => rng.uniform());
    const exact = sumRates(ch, p, { noise: 1 });
    const t = channelTensors(ch.gains, B, K);
    const got = sumRateTensor(t.gains, t.direct, tf.tensor2d(Float32Array.from(p), [B, K]), 1).dataSync();
    for (let b = 0; b < B; b++) expect(Math.abs(got[b] - exact[b]) / exact[b]).toBeLessThan(1e-5);
  });

  it('gradient with respect to powers matches central finite differences of the Float64 objective', () => {
    const { ch, p } = randomBatch(new Rng(2), 3, 4);
    const t = channelTensors(ch.gains, ch.batch, ch.users, ch.weights);
    const grad = tf
      .grad((x: tf.Tensor) => tf.sum(sumRateTensor(t.gains, t.direct, x as tf.Tensor2D, 1, t.weights)))(tf.tensor2d(Float32Array.from(p), [3, 4]))
      .dataSync();
    const h = 1e-6;
    for (let n = 0; n < p.length; n++) {
      const up = Float64Array.from(p);
      const down = Float64Array.from(p);
      up[n] += h;
      down[n] -= h;
      const b = Math.floor(n / 4);
      const fd = (sumRates(ch, up, { noise: 1 })[b] - sumRates(ch, down, { noise: 1 })[b]) / (2 * h);
      expect(grad[n]).toBeCloseTo(fd, 3);
    }
  });
});
