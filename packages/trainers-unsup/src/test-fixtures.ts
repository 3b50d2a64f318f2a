/**
 * Test helpers (not exported by the package): Rayleigh channels (@rrm/channels), WMMSE labels
 * (@rrm/teachers-wmmse), and a tiny PowerModel with a Float64 twin for finite-difference checks.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, sumRates, type ChannelBatch, type ModelInputs, type NamedTensor, type PowerModel } from '@rrm/core';
import { generateRayleigh } from '@rrm/channels';
import { wmmse as runWmmse } from '@rrm/teachers-wmmse';
import type { Dataset } from './dataset';

/** Exponential(1) power gains (|h|² with h ~ CN(0, 1)), from the channels package. */
export function rayleigh(batch: number, users: number, seed: number): ChannelBatch {
  return generateRayleigh({ batch, users, rng: new Rng(seed) });
}

/** WMMSE from full power with unit weights, from the teachers package. */
export function wmmse(ch: ChannelBatch, noise: number, pmax: number, iterations = 100): Float64Array {
  return runWmmse({ channels: ch, noise, pmax }, { iterations }).powers;
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

/** A TrainerContext over fixed Rayleigh data (what the pipeline would build), recording into `records`. */
export function trainerContext(opts: { model: PowerModel; users: number; train: number; test: number; seed?: number; signal?: AbortSignal }) {
  const { model, users } = opts;
  const test = dataset(opts.test, users, 2, { reference: true });
  const records: import('@rrm/core').TrainRecord[] = [];
  const teacher = { kind: 'wmmse', options: {}, solve: async (p: { channels: ChannelBatch }) => wmmse(p.channels, 1, 1) };
  const ctx: import('@rrm/core').TrainerContext = {
    scenario: { users, noise: 1, pmax: 1 },
    seed: opts.seed ?? 1,
    trainSamples: opts.train,
    channel: { kind: 'rayleigh', options: {}, generate: ({ batch }) => rayleigh(batch, users, 1) },
    teacher,
    model,
    buildModel: () => model,
    test: { channels: test.channels, reference: test.reference! },
    draw: (_stream, batch) => rayleigh(batch, users, 1),
    labels: async (channels) => wmmse(channels, 1, 1),
    replica: () => {
      throw new Error('no replicas in this fixture');
    },
    record: async (r) => void records.push(r),
    log: () => {},
    progress: () => {},
    signal: opts.signal ?? new AbortController().signal,
  };
  return { ctx, records };
}
