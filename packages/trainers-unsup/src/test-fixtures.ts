/**
 * Test helpers (not exported by the package): Rayleigh channels from the core Rng, a tiny local WMMSE
 * teacher, and a tiny PowerModel with a Float64 twin for finite-difference checks.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, sumRates, type ChannelBatch, type ModelInputs, type NamedTensor, type PowerModel } from '@rrm/core';
import type { Dataset } from './dataset';

/** Exponential(1) power gains (|h|² with h ~ CN(0, 1)): g = −log(1 − u). */
export function rayleigh(batch: number, users: number, seed: number): ChannelBatch {
  const rng = new Rng(seed);
  const gains = new Float64Array(batch * users * users);
  for (let n = 0; n < gains.length; n++) gains[n] = -Math.log(1 - rng.uniform());
  return { batch, users, gains };
}

/**
 * WMMSE for scalar interference channels (Shi et al. 2011, Sun et al. 2018 Alg. 1), from full power,
 * on amplitudes v = √p with g_ij the power gain from transmitter j to receiver i.
 */
export function wmmse(ch: ChannelBatch, noise: number, pmax: number, iterations = 100): Float64Array {
  const { batch, users: k, gains } = ch;
  const out = new Float64Array(batch * k);
  const v = new Float64Array(k);
  const u = new Float64Array(k);
  const w = new Float64Array(k);
  const vmax = Math.sqrt(pmax);
  for (let b = 0; b < batch; b++) {
    const g = (i: number, j: number) => gains[(b * k + i) * k + j];
    v.fill(vmax);
    for (let it = 0; it < iterations; it++) {
      for (let i = 0; i < k; i++) {
        let den = noise;
        for (let j = 0; j < k; j++) den += g(i, j) * v[j] * v[j];
        u[i] = (Math.sqrt(g(i, i)) * v[i]) / den;
        w[i] = 1 / (1 - u[i] * Math.sqrt(g(i, i)) * v[i]);
      }
      for (let i = 0; i < k; i++) {
        let den = 0;
        for (let j = 0; j < k; j++) den += w[j] * u[j] * u[j] * g(j, i);
        v[i] = Math.min(vmax, Math.max(0, (w[i] * u[i] * Math.sqrt(g(i, i))) / den));
      }
    }
    for (let i = 0; i < k; i++) out[b * k + i] = v[i] * v[i];
  }
  return out;
}

export function dataset(batch: number, users: number, seed: number, opts: { labels?: boolean; reference?: boolean } = {}): Dataset {
  const channels = rayleigh(batch, users, seed);
  const base = { channels, noise: 1, pmax: 1 };
  if (!opts.labels && !opts.reference) return base;
  const labels = wmmse(channels, 1, 1);
  return {
    ...base,
    labels: opts.labels ? labels : undefined,
    reference: opts.reference ? sumRates(channels, labels, { noise: 1 }) : undefined,
  };
}

export function fullPowerRate(ds: Dataset): number {
  const p = new Float64Array(ds.channels.batch * ds.channels.users).fill(ds.pmax);
  const r = sumRates(ds.channels, p, { noise: ds.noise, weights: ds.weights });
  return r.reduce((a, b) => a + b, 0) / r.length;
}

/**
 * p_bi = pmax · σ(a · g_bii + c_i): two kinds of parameters, one shared scalar and one per link.
 * `powers64` is the same map in Float64 for finite differences.
 */
export class TinyModel implements PowerModel {
  readonly kind = 'tiny';
  readonly options = {};
  readonly a: tf.Variable;
  readonly c: tf.Variable;
  constructor(
    readonly users: number,
    a = 0.3,
    c?: number[],
  ) {
    this.a = tf.variable(tf.scalar(a));
    this.c = tf.variable(tf.tensor1d(c ?? Array.from({ length: users }, (_, i) => 0.1 * i - 0.2)));
  }
  get trainable() {
    return [this.a, this.c];
  }
  apply(inputs: ModelInputs): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.sigmoid(tf.add(tf.mul(inputs.direct, this.a), this.c)), inputs.pmax) as tf.Tensor2D);
  }
  static powers64(ch: ChannelBatch, pmax: number, a: number, c: ArrayLike<number>): Float64Array {
    const { batch, users: k, gains } = ch;
    const p = new Float64Array(batch * k);
    for (let b = 0; b < batch; b++) for (let i = 0; i < k; i++) p[b * k + i] = pmax / (1 + Math.exp(-(a * gains[(b * k + i) * k + i] + c[i])));
    return p;
  }
  namedWeights(): NamedTensor[] {
    return [
      { name: 'a', tensor: this.a },
      { name: 'c', tensor: this.c },
    ];
  }
  loadWeights(w: Record<string, tf.Tensor>): void {
    this.a.assign(w.a as tf.Scalar);
    this.c.assign(w.c as tf.Tensor1D);
  }
  paramCount(): number {
    return 1 + this.users;
  }
  macsPerSample(users: number): number {
    return users;
  }
  dispose(): void {
    tf.dispose([this.a, this.c]);
  }
}

/** Records without the timing fields (which differ between identical runs). */
export function withoutTiming<T extends { trainSeconds: number; wallSeconds: number; samplesPerSecond: number }>(records: readonly T[]) {
  return records.map(({ trainSeconds: _t, wallSeconds: _w, samplesPerSecond: _s, ...rest }) => rest);
}
